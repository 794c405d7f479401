package trail

import (
	"hash/maphash"
	"sync"
)

// eventIDSet remembers the eventIDs seen, safely from several goroutines.
// CloudTrail eventIDs are UUIDs (36 characters); they are kept as their 16
// bytes, so the set costs about 24 bytes per record kept. Other IDs are
// kept as strings.
type eventIDSet struct {
	seed   maphash.Seed
	shards [64]struct {
		mu    sync.Mutex
		uuids map[[16]byte]struct{}
		other map[string]struct{}
	}
}

func newEventIDSet() *eventIDSet {
	return &eventIDSet{seed: maphash.MakeSeed()}
}

// add records id and reports whether it was new. Records without an
// eventID are never duplicates.
func (s *eventIDSet) add(id string) bool {
	if id == "" {
		return true
	}
	sh := &s.shards[maphash.String(s.seed, id)&63]
	u, isUUID := parseUUID(id)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if isUUID {
		if sh.uuids == nil {
			sh.uuids = map[[16]byte]struct{}{}
		}
		// One probe of the map, not a lookup then an insert: the set is
		// far larger than the caches, and each probe is a miss.
		n := len(sh.uuids)
		sh.uuids[u] = struct{}{}
		return len(sh.uuids) > n
	}
	if sh.other == nil {
		sh.other = map[string]struct{}{}
	}
	n := len(sh.other)
	sh.other[id] = struct{}{}
	return len(sh.other) > n
}

// parseUUID reads the canonical lower-case 8-4-4-4-12 form only, so that
// two IDs map to the same bytes exactly when they are the same string.
func parseUUID(s string) (u [16]byte, ok bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	j := 0
	for i := 0; i < 36; {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i++
			continue
		}
		hi, lo := lowerHex(s[i]), lowerHex(s[i+1])
		if hi < 0 || lo < 0 {
			return u, false
		}
		u[j] = byte(hi<<4 | lo)
		j++
		i += 2
	}
	return u, true
}

func lowerHex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return -1
}
