package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/iamwhy/iamwhy/internal/invoke"
)

// maxRequestBody bounds an API request (a CloudTrail record or a few
// policies are far smaller).
const maxRequestBody = 16 << 20

// apiTool maps an /api path to its tool: /api/who-can is who_can,
// /api/trail/denied is trail_denied.
func apiTool(path string) string {
	return strings.NewReplacer("-", "_", "/", "_").Replace(strings.Trim(path, "/"))
}

// api answers POST /api/NAME with a JSON body of the tool's arguments:
// the CLI's JSON for the same question, byte for byte, with its exit
// status in the X-Iamwhy-Exit-Status header; or {"error": {...}}.
func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	name := apiTool(r.PathValue("name"))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "request body: "+err.Error(), 0)
		return
	}
	if _, ok := invoke.Lookup(name); !ok {
		writeError(w, http.StatusNotFound, "no such API: /api/"+r.PathValue("name"), 0)
		return
	}
	res, err := s.cfg.Invoke.Call(r.Context(), name, body)
	var argErr *invoke.ArgumentError
	switch {
	case errors.As(err, &argErr):
		writeError(w, http.StatusBadRequest, argErr.Message, argErr.Exit)
		return
	case err != nil:
		writeError(w, http.StatusInternalServerError, err.Error(), 0)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Iamwhy-Exit-Status", strconv.Itoa(res.Exit))
	w.Write(append(res.Text, '\n'))
}

// writeError writes the CLI's JSON error shape.
func writeError(w http.ResponseWriter, status int, msg string, exit int) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	e := map[string]any{"message": msg}
	if exit != 0 {
		e["exit_status"] = exit
	}
	json.NewEncoder(w).Encode(map[string]any{"error": e})
}
