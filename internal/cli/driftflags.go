package cli

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/analyze/drift"
	"github.com/iamwhy/iamwhy/internal/invoke"
)

// driftFlags give the web UI and the MCP server a second environment, so
// that their drift page and tool compare --env (A, say staging) with it
// (B, production), as `iamwhy drift A B --map FILE` does.
type driftFlags struct {
	Env, Map string
}

func (f *driftFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.Env, "drift-env", "", "a second environment `PATH` that drift compares --env with (staging against production)")
	fl.StringVar(&f.Map, "drift-map", "", "the YAML `FILE` pairing the accounts and names of --env with --drift-env")
}

// config checks the pair now, so a bad one stops the server at start
// instead of failing every call, and returns it; a is the --env path.
func (f *driftFlags) config(a string) (invoke.Drift, error) {
	if f.Env == "" {
		if f.Map != "" {
			return invoke.Drift{}, errors.New("--drift-map needs --drift-env")
		}
		return invoke.Drift{}, nil
	}
	if a == "" {
		return invoke.Drift{}, errors.New("--drift-env needs --env: drift compares the --env environment with it")
	}
	if f.Map != "" {
		if _, err := drift.ReadMap(f.Map); err != nil {
			return invoke.Drift{}, err
		}
	}
	if _, err := (&envFlags{Env: f.Env}).load(); err != nil {
		return invoke.Drift{}, err
	}
	return invoke.Drift{A: a, B: f.Env, Map: f.Map}, nil
}
