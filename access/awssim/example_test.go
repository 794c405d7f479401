package awssim_test

import (
	"fmt"

	"github.com/iamwhy/iamwhy/access/awssim"
	"github.com/iamwhy/iamwhy/eval"
)

// The context entries AWS's simulator receives for a request context: each
// typed as the catalog types its key.
func ExampleContextEntries() {
	ctx := &eval.Context{}
	ctx.Set("aws:SecureTransport", "true")
	ctx.Set("aws:SourceIp", "192.0.2.10")
	ctx.SetMulti("aws:TagKeys", "team", "app")
	for _, e := range awssim.ContextEntries(ctx) {
		fmt.Println(*e.ContextKeyName, e.ContextKeyType, e.ContextKeyValues)
	}
	// Output:
	// aws:SecureTransport boolean [true]
	// aws:SourceIp ip [192.0.2.10]
	// aws:TagKeys stringList [team app]
}
