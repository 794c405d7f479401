// Package initgc turns Go's garbage collector off while a program's
// packages are initialised, and keeps the percentage it replaced for the
// program to restore (cli.HoldGCFromStart).
//
// Initialising iamwhy's packages allocates about 4.6 MB, 4.2 MB of it the
// AWS SDK's service schemas and endpoint tables, all of it live until the
// process exits. Go's first collection is due at 4 MB, so one ran during
// initialisation, tracing memory none of which was garbage: about 5 ms of
// wall time of a check run (docs/performance.md, "Seventh round").
//
// It must run before those initialisers. At each step Go initialises the
// first package, in import-path order, whose imports are all initialised
// (https://go.dev/ref/spec#Package_initialization). This package imports
// nothing but unsafe, so it is ready from the start and comes before every
// package that imports one whose path sorts after its own: all but a few
// leaves of the standard library, the SDK included. It therefore cannot
// import runtime/debug (which imports os, strings and time, initialised
// after the SDK's first packages, as tried): it calls the runtime's
// setGCPercent, which the runtime provides to runtime/debug under the
// name runtime/debug.setGCPercent, by go:linkname, which Go allows for
// names the runtime itself declares with go:linkname.
package initgc

import _ "unsafe" // for go:linkname

//go:linkname setGCPercent runtime/debug.setGCPercent
func setGCPercent(percent int32) (previous int32)

// before is the percentage in effect when the package was initialised:
// GOGC's (100 by default, negative for off).
var before = setGCPercent(-1)

// Before returns the GOGC percentage that was in effect before the
// package turned the collector off. The collector stays off until the
// program sets a percentage (runtime/debug.SetGCPercent).
func Before() int { return int(before) }
