//go:build !race

package accessdiff

const raceEnabled = false
