package mcp

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
)

// invalidParams is the JSON-RPC error for arguments the tool cannot use:
// the client learns what was wrong instead of a result to misread.
func invalidParams(msg string, data map[string]any) error {
	e := &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: msg}
	if data != nil {
		if b, err := json.Marshal(data); err == nil {
			e.Data = b
		}
	}
	return e
}

// internalError is the JSON-RPC error for a failure of the server itself.
func internalError(err error) error {
	return &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: err.Error()}
}

// commandError reports a command that could not run on the arguments it
// was given (the CLI's exit status 2): its own message, from its JSON error
// or, failing that, its standard error.
func commandError(code int, stdout, stderr []byte) error {
	msg := ""
	var obj struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(stdout, &obj) == nil && len(obj.Error) > 0 {
		var inner struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(obj.Error, &inner) == nil && inner.Message != "" {
			msg = inner.Message
		} else {
			msg = string(obj.Error)
		}
	}
	if msg == "" {
		msg = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(stderr)), "iamwhy:"))
	}
	if msg == "" {
		msg = fmt.Sprintf("the command printed nothing (exit status %d)", code)
	}
	return invalidParams(msg, map[string]any{"exit_status": code})
}
