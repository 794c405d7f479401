//go:build race

package check

// raceEnabled: the edit loops of the fast readers' comparisons make each
// edit at one of their positions in turn under the race detector, which
// makes them ten times slower; without it every edit is made at every
// position.
const raceEnabled = true
