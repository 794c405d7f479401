package cli

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

// Each renderer table has a renderer for exactly the formats the
// command's --output accepts: a format added to one and not the other
// fails here, not at a user's command line.
func TestRendererTablesMatchOutputFormats(t *testing.T) {
	keys := func(m any) []string {
		var out []string
		for _, k := range reflect.ValueOf(m).MapKeys() {
			out = append(out, k.String())
		}
		sort.Strings(out)
		return out
	}
	tables := map[string]any{
		"simulate": simulateRenderers, "can": canRenderers, "unused": unusedRenderers,
		"trail diagnose": trailDiagnoseRenderers, "trust": trustRenderers, "who-can": whoCanRenderers,
		"explain": explainRenderers, "diagnose": diagnoseRenderers, "reproduce": reproduceRenderers,
		"trail denied": trailDeniedRenderers, "generate": generateRenderers, "actions": actionsRenderers,
		"lint": lintRenderers, "version": versionRenderers, "access-diff": accessDiffRenderers, "drift": driftRenderers,
	}
	root := NewRoot(Streams{})
	for name, table := range tables {
		cmd, _, err := root.Find(strings.Fields(name))
		if err != nil {
			t.Fatal(err)
		}
		formats := append([]string(nil), cmd.Flags().Lookup("output").Annotations[formatsAnnotation]...)
		sort.Strings(formats)
		if got := keys(table); !reflect.DeepEqual(got, formats) {
			t.Errorf("%s: renderers for %v, --output takes %v", name, got, formats)
		}
	}
}
