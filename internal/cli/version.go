package cli

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// buildVersion is what a binary knows of where it came from: the module
// version (a tag for `go install ...@v1.2.3`, "(devel)" for a build from
// a checkout) and, when built from a VCS checkout, the revision, its time
// and whether the tree had uncommitted changes (debug.BuildInfo settings
// vcs.revision, vcs.time, vcs.modified).
type buildVersion struct {
	Version  string
	Revision string
	Time     string
	Modified bool
	Go       string
}

func readBuildVersion() buildVersion {
	v := buildVersion{Version: "(devel)", Go: runtime.Version()}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// line is the one-line form `iamwhy version` and `iamwhy --version` print.
func (v buildVersion) line() string {
	s := "iamwhy " + v.Version
	if v.Revision != "" {
		s += " (revision " + v.Revision
		if v.Time != "" {
			s += ", " + v.Time
		}
		if v.Modified {
			s += ", modified"
		}
		s += ")"
	}
	return s + " " + v.Go
}

// versionLine is the text of `iamwhy --version`.
func versionLine() string { return readBuildVersion().line() }

func newVersionCmd(s Streams) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the iamwhy version and the revision it was built from",
		Long: `Print the module version iamwhy was built from ("(devel)" for a build from a checkout), the
VCS revision, its time and whether the checkout had uncommitted changes, and the Go version.`,
		Example: `  iamwhy version
  iamwhy --version
  iamwhy version -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return versionRenderers[output](s.Out, readBuildVersion())
		},
	}
	outputFlag(cmd, &output, "text", "json")
	return cmd
}

// versionRenderers are version's outputs, by --output format.
var versionRenderers = map[string]func(io.Writer, buildVersion) error{
	"json": func(w io.Writer, v buildVersion) error {
		// Without VCS information the revision and its time are null.
		return writeVersionedJSON(w, struct {
			Version  string  `json:"version"`
			Revision *string `json:"revision"`
			Time     *string `json:"time"`
			Modified bool    `json:"modified"`
			Go       string  `json:"go"`
		}{v.Version, nullString(v.Revision), nullString(v.Time), v.Modified, v.Go})
	},
	"text": func(w io.Writer, v buildVersion) error {
		_, err := fmt.Fprintln(w, v.line())
		return err
	},
}

// moduleVersion is the version of the iamwhy module this binary was built
// from, "(devel)" for a build from a checkout.
func moduleVersion() string { return readBuildVersion().Version }
