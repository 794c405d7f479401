// Package lazyre defers compiling a package-level regular expression to its
// first use.
//
// Every package's variables are initialised when the process starts, for
// every command: a regexp.MustCompile at package level is paid by
// `iamwhy version` and by a `check` run that never lints a policy or reads
// a trail. Compiling is tens of microseconds a pattern, and the binary
// holds dozens of them; most runs use a handful.
package lazyre

import (
	"regexp"
	"sync"
)

// New returns a function that compiles expr on its first call and returns
// the same *regexp.Regexp on every call; safe for concurrent use. Like
// regexp.MustCompile it panics if expr does not compile, at the first call
// instead of at start-up, so each pattern needs a test that uses it.
func New(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
