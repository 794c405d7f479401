package mcp_test

import (
	"context"
	"fmt"
	"log"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/iamwhy/iamwhy/mcp"
)

// A Go program can serve iamwhy's tools with its own Runner; here one that
// answers every command with fixed JSON, and a client in the same process.
func ExampleNewServer() {
	run := func(_ context.Context, args []string, _ []byte) ([]byte, []byte, int) {
		return []byte(`{"recognized": true, "command": "` + args[0] + `"}`), nil, 0
	}
	server, err := mcp.NewServer(mcp.Config{Run: run})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	st, ct := sdk.NewInMemoryTransports()
	if _, err := server.Connect(ctx, st, nil); err != nil {
		log.Fatal(err)
	}
	client := sdk.NewClient(&sdk.Implementation{Name: "example", Version: "0"}, nil)
	cs, err := client.Connect(ctx, ct, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer cs.Close()
	res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "explain", Arguments: map[string]any{"message": "Access Denied"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.StructuredContent)
	// Output: map[command:explain recognized:true]
}
