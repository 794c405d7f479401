package check

import "unsafe"

// caseArena hands out the small slices and structs of the cases read from
// one file from chunks, instead of allocating each: a case is a dozen such
// pieces, and reading 20,000 cases otherwise made half a million small
// allocations for the collector to trace. Everything it hands out has its
// capacity equal to its length, so an append by a user reallocates rather
// than writing into a neighbour. The zero value is ready.
type caseArena struct {
	cases   []Case
	strs    []string
	entries []ContextEntry
}

const arenaChunk = 1024

func (a *caseArena) newCase() *Case {
	if len(a.cases) == 0 {
		a.cases = make([]Case, arenaChunk/4)
	}
	c := &a.cases[0]
	a.cases = a.cases[1:]
	return c
}

// strings returns a slice of n empty strings.
func (a *caseArena) strings(n int) []string { return carve(&a.strs, n) }

// contextEntries returns a slice of n context entries.
func (a *caseArena) contextEntries(n int) []ContextEntry { return carve(&a.entries, n) }

// carve cuts n zero elements off the front of *chunk, starting a new chunk
// when it is too short.
func carve[T any](chunk *[]T, n int) []T {
	if n > len(*chunk) {
		*chunk = make([]T, max(arenaChunk, n))
	}
	s := (*chunk)[:n:n]
	*chunk = (*chunk)[n:]
	return s
}

// byteArena copies strings into shared chunks: the names, ARNs and context
// values of cases are mostly unique, and one allocation per chunk replaces
// one per string. A chunk is never written again once a string is in it,
// so the strings are immutable as Go requires; a chunk lives as long as
// any of its strings.
type byteArena struct {
	buf []byte
}

func (a *byteArena) string(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > 1024 {
		return string(b)
	}
	if len(b) > cap(a.buf)-len(a.buf) {
		a.buf = make([]byte, 0, 32<<10)
	}
	start := len(a.buf)
	a.buf = append(a.buf, b...)
	return unsafe.String(&a.buf[start], len(b))
}
