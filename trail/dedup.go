package trail

import (
	"hash/maphash"
	"math/bits"
	"sync"
)

// eventIDSet remembers the eventIDs seen, safely from several goroutines.
// CloudTrail eventIDs are UUIDs (36 characters); they are kept as their 16
// bytes in open-addressed tables of their own (one probe, usually one
// cache miss, no second hashing of the key as a map of [16]byte does),
// about 16-36 bytes per record kept. Other IDs are kept as strings.
//
// The slot is found from a hash of the UUID's bytes under a random seed,
// not from the bytes themselves: eventIDs are data from the logs, and IDs
// chosen to share their low bits would otherwise make every insertion a
// long probe.
type eventIDSet struct {
	seed   maphash.Seed
	s0, s1 uint64
	shards [64]struct {
		mu    sync.Mutex
		uuids uuidTable
		other map[string]struct{}
	}
}

func newEventIDSet() *eventIDSet {
	s := &eventIDSet{seed: maphash.MakeSeed()}
	s.s0 = maphash.String(s.seed, "s0") | 1
	s.s1 = maphash.String(s.seed, "s1") | 1
	return s
}

// add records id and reports whether it was new. Records without an
// eventID are never duplicates.
func (s *eventIDSet) add(id string) bool {
	if id == "" {
		return true
	}
	if a, b, ok := parseUUID(id); ok {
		h := s.hash(a, b)
		sh := &s.shards[h>>58]
		sh.mu.Lock()
		isNew := sh.uuids.add(a, b, h, s)
		sh.mu.Unlock()
		return isNew
	}
	sh := &s.shards[maphash.String(s.seed, id)&63]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.other == nil {
		sh.other = map[string]struct{}{}
	}
	n := len(sh.other)
	sh.other[id] = struct{}{}
	return len(sh.other) > n
}

// mix is the 128-bit product folded to 64 bits (wyhash's mum): every bit
// of either input moves about half of the output's.
func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// uuidTable is a set of UUIDs (two uint64 halves), open-addressed with
// linear probing; the all-zero UUID, which marks an empty slot, is kept
// in a flag.
type uuidTable struct {
	slots [][2]uint64
	n     int
	zero  bool
}

// hash is the hash of the UUID (a, b) under the set's seed; its top six
// bits choose the shard, its low bits the slot.
func (s *eventIDSet) hash(a, b uint64) uint64 { return mix(a^s.s0, b^s.s1) }

// add inserts (a, b), whose hash under s is h, and reports whether it
// was new.
func (t *uuidTable) add(a, b, h uint64, s *eventIDSet) bool {
	if a == 0 && b == 0 {
		isNew := !t.zero
		t.zero = true
		return isNew
	}
	// Grown at 7/8 full, so a probe ends at an empty slot.
	if (t.n+1)*8 > len(t.slots)*7 {
		t.grow(s)
	}
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		switch {
		case sl[0] == a && sl[1] == b:
			return false
		case sl[0] == 0 && sl[1] == 0:
			sl[0], sl[1] = a, b
			t.n++
			return true
		}
	}
}

// grow doubles the table (1,024 slots, 16 KB, at first), placing each
// entry again by its hash under s.
func (t *uuidTable) grow(s *eventIDSet) {
	old := t.slots
	size := 2 * len(old)
	if size == 0 {
		size = 1024
	}
	t.slots = make([][2]uint64, size)
	mask := uint64(size - 1)
	for _, sl := range old {
		if sl[0] == 0 && sl[1] == 0 {
			continue
		}
		i := s.hash(sl[0], sl[1]) & mask
		for t.slots[i][0] != 0 || t.slots[i][1] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = sl
	}
}

// parseUUID reads the canonical lower-case 8-4-4-4-12 form only, so that
// two IDs map to the same bytes exactly when they are the same string; a
// and b are its first and last eight bytes.
func parseUUID(s string) (a, b uint64, ok bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return 0, 0, false
	}
	var u [2]uint64
	j := 0
	for i := 0; i < 36; {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i++
			continue
		}
		hi, lo := lowerHex(s[i]), lowerHex(s[i+1])
		if hi < 0 || lo < 0 {
			return 0, 0, false
		}
		u[j>>3] = u[j>>3]<<8 | uint64(hi<<4|lo)
		j++
		i += 2
	}
	return u[0], u[1], true
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
