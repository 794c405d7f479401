//go:build race

package accessdiff

// raceEnabled: the exhaustive comparisons are left out under the race
// detector, which makes them ten times slower.
const raceEnabled = true
