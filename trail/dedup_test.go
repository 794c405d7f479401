package trail

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// TestEventIDSetAgainstMap: add reports new exactly when a plain map of
// the strings would, for UUIDs (the zero UUID included), IDs that only
// look like UUIDs (upper case, wrong dashes) and others, across growth.
func TestEventIDSetAgainstMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var ids []string
	for i := range 50_000 {
		switch i % 10 {
		case 0:
			ids = append(ids, "00000000-0000-0000-0000-000000000000")
		case 1:
			ids = append(ids, strings.ToUpper(randomUUID(rng)))
		case 2:
			ids = append(ids, fmt.Sprintf("id-%d", rng.IntN(5_000)))
		case 3:
			u := []byte(randomUUID(rng))
			u[8] = 'x'
			ids = append(ids, string(u))
		case 4, 5:
			if len(ids) > 0 {
				ids = append(ids, ids[rng.IntN(len(ids))]) // a duplicate
				continue
			}
			fallthrough
		default:
			ids = append(ids, randomUUID(rng))
		}
	}
	s, model := newEventIDSet(), map[string]bool{}
	for i, id := range ids {
		want := !model[id]
		model[id] = true
		if got := s.add(id); got != want {
			t.Fatalf("id %d %q: add = %v, want %v", i, id, got, want)
		}
	}
	for range 2 {
		if !s.add("") {
			t.Error("a record without an eventID is a duplicate")
		}
	}
}

// TestEventIDSetCollidingIDs: UUIDs that agree in every bit but a few
// high ones still spread over the table (the slot comes from a seeded
// hash), and are all kept apart.
func TestEventIDSetCollidingIDs(t *testing.T) {
	s := newEventIDSet()
	for i := range 20_000 {
		id := fmt.Sprintf("%08x-0000-0000-0000-000000000000", i)
		if !s.add(id) || s.add(id) {
			t.Fatalf("%s: not new once then a duplicate", id)
		}
	}
	longest := 0
	for i := range s.shards {
		tb := &s.shards[i].uuids
		run := 0
		for _, sl := range tb.slots {
			if sl[0] != 0 || sl[1] != 0 {
				run++
				longest = max(longest, run)
			} else {
				run = 0
			}
		}
	}
	if longest > 64 {
		t.Errorf("a run of %d occupied slots: the hash does not spread IDs that share their low bits", longest)
	}
}

func TestEventIDSetConcurrent(t *testing.T) {
	s := newEventIDSet()
	rng := rand.New(rand.NewPCG(3, 4))
	ids := make([]string, 20_000)
	for i := range ids {
		ids[i] = randomUUID(rng)
	}
	var news [4]int
	var wg sync.WaitGroup
	for w := range news {
		wg.Go(func() {
			for _, id := range ids {
				if s.add(id) {
					news[w]++
				}
			}
		})
	}
	wg.Wait()
	if total := news[0] + news[1] + news[2] + news[3]; total != len(ids) {
		t.Errorf("%d IDs reported new by 4 goroutines adding the same %d", total, len(ids))
	}
}

func randomUUID(rng *rand.Rand) string {
	a, b := rng.Uint64(), rng.Uint64()
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", a>>32, a>>16&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
}

// mapEventIDSet is the set as it was before its own tables (shards by
// maphash of the string, a map of [16]byte per shard), kept to be
// measured beside it.
type mapEventIDSet struct {
	seed   maphash.Seed
	shards [64]struct {
		mu    sync.Mutex
		uuids map[[16]byte]struct{}
	}
}

func (s *mapEventIDSet) add(id string) bool {
	sh := &s.shards[maphash.String(s.seed, id)&63]
	a, b, _ := parseUUID(id)
	var u [16]byte
	binary.BigEndian.PutUint64(u[:8], a)
	binary.BigEndian.PutUint64(u[8:], b)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.uuids == nil {
		sh.uuids = map[[16]byte]struct{}{}
	}
	n := len(sh.uuids)
	sh.uuids[u] = struct{}{}
	return len(sh.uuids) > n
}

// BenchmarkEventIDSet adds 1.5 million UUIDs (the 2 GB generated trail's
// record count), one in fifty a duplicate, to a fresh set per iteration:
// the duplicate filter every record of `unused` goes through.
func BenchmarkEventIDSet(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	ids := make([]string, 1_500_000)
	for i := range ids {
		if i%50 == 49 {
			ids[i] = ids[rng.IntN(i)]
		} else {
			ids[i] = randomUUID(rng)
		}
	}
	b.Run("tables", func(b *testing.B) {
		for b.Loop() {
			s := newEventIDSet()
			for _, id := range ids {
				s.add(id)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(ids)), "ns/id")
	})
	b.Run("maps", func(b *testing.B) {
		for b.Loop() {
			s := &mapEventIDSet{seed: maphash.MakeSeed()}
			for _, id := range ids {
				s.add(id)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(ids)), "ns/id")
	})
}

// FuzzEventIDSet: for IDs split from the input at newlines, add agrees
// with a map of the strings, and parseUUID reads back to the same text.
func FuzzEventIDSet(f *testing.F) {
	f.Add("5ddece73-595e-0a3d-ce51-415fb2ec76d1\n5ddece73-595e-0a3d-ce51-415fb2ec76d1\n5DDECE73-595e-0a3d-ce51-415fb2ec76d1")
	f.Add("00000000-0000-0000-0000-000000000000\n\nx\n00000000-0000-0000-0000-000000000000")
	f.Fuzz(func(t *testing.T, in string) {
		s, model := newEventIDSet(), map[string]bool{}
		for _, id := range strings.Split(in, "\n") {
			want := id == "" || !model[id]
			model[id] = true
			if got := s.add(id); got != want {
				t.Fatalf("%q: add = %v, want %v", id, got, want)
			}
			if a, b, ok := parseUUID(id); ok {
				back := fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", a>>32, a>>16&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
				if back != id {
					t.Fatalf("%q parsed as %s", id, back)
				}
			}
		}
	})
}
