package schema

import (
	"os"
	"strings"
	"testing"
)

// The users' documentation lists the table's columns; it must list them
// as the code defines them, so a column added or retyped here fails until
// docs/trail-query.md says so too.
func TestDocsListEveryColumn(t *testing.T) {
	b, err := os.ReadFile("../../../docs/trail-query.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, f := range Columns {
		row := "| `" + f.Name + "` | `" + f.DuckDBType() + "` |"
		if !strings.Contains(doc, row) {
			t.Errorf("docs/trail-query.md lacks the row %s", row)
		}
	}
}
