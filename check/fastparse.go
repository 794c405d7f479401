package check

import (
	"bytes"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/iamwhy/iamwhy/inputfile"
	"github.com/iamwhy/iamwhy/internal/yamldoc"
	"gopkg.in/yaml.v3"
)

// Large check files are mostly one long block sequence under "cases:". YAML
// parsing dominates their load time, so when "cases:" is the last top-level
// key and its items start at a fixed indentation, the items are split into
// chunks parsed concurrently, with line numbers shifted back to the file's.
// Anything unusual (anchors, flow style, other keys after cases) takes the
// plain path.
const parallelParseMin = 1 << 20

// cutCases returns the file's text before the cases list and the chunks
// of the list with the line number each starts at, or ok=false. It does
// not test that no top-level key follows the list: the fast reader makes
// that test as it reads (a line less indented than the list's items ends
// it, and a chunk that does not end with its list is not read), and only
// the other readers pay for a pass of their own (allIndented).
func cutCases(data []byte, chunks int) (head []byte, parts [][]byte, startLines []int, ok bool) {
	idx := bytes.Index(data, []byte("\ncases:\n"))
	if idx < 0 {
		return nil, nil, nil, false
	}
	head = data[:idx+len("\ncases:\n")]
	body := data[len(head):]
	line := bytes.Count(head, []byte("\n")) + 1
	// Item starts: lines beginning with the indentation of the first item.
	first := bytes.IndexByte(body, '-')
	if first < 0 || bytes.IndexByte(body[:first], '\n') >= 0 && len(bytes.TrimSpace(body[:first])) > 0 {
		return nil, nil, nil, false
	}
	indent := body[:first]
	if len(bytes.TrimLeft(indent, " ")) != 0 {
		return nil, nil, nil, false
	}
	marker := append(append([]byte("\n"), indent...), '-', ' ')
	// The list is cut into chunks of about equal size at item starts:
	// one pass of the text (finding every item and splitting it into lines
	// to look for other keys was about a tenth of reading a 20,000-case
	// file, on one core).
	at := []int{0}
	for c := 1; c < chunks; c++ {
		from := max(c*len(body)/chunks, at[len(at)-1]+1) - 1
		if from >= len(body) {
			break
		}
		i := bytes.Index(body[from:], marker)
		if i < 0 {
			break
		}
		at = append(at, from+i+1)
	}
	for c, start := range at {
		end := len(body)
		if c+1 < len(at) {
			end = at[c+1]
		}
		parts = append(parts, body[start:end])
		if c > 0 {
			line += bytes.Count(parts[c-1], []byte("\n"))
		}
		startLines = append(startLines, line)
	}
	return head, parts, startLines, true
}

// allIndented reports whether no other top-level key follows the list:
// every line of every chunk is indented, a list item or a comment.
func allIndented(parts [][]byte) bool {
	bad := make([]bool, len(parts))
	inParallel(len(parts), func(c int) {
		bad[c] = true
		bad[c] = !indentedLines(parts[c])
	})
	return !slices.Contains(bad, true)
}

// indentedLines reports whether every line of text that is not empty
// starts with a space, '-' or '#'.
func indentedLines(text []byte) bool {
	for i := 0; i < len(text); {
		if c := text[i]; c != ' ' && c != '-' && c != '#' && c != '\n' {
			return false
		}
		j := bytes.IndexByte(text[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return true
}

// fastYAMLCases turns parseYAMLCases on; the tests compare with it off.
var fastYAMLCases = true

// parseYAMLCases reads a file cut by cutCases: the text before the
// cases first, then each chunk of cases on a goroutine of its own straight
// into cases, the nodes of each item used again for the next (building
// every node of the file before reading any case, then collecting them,
// was most of reading a large YAML file). ok is false on anything else:
// any error, a chunk outside the fast subset. The caller then reads the
// file as before, which reports every error in its order.
func parseYAMLCases(path string, head []byte, parts [][]byte, startLines []int) (*File, bool) {
	if !fastYAMLCases {
		return nil, false
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(head, &doc); err != nil || doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, false
	}
	if yamldoc.Check(doc.Content[0]) != nil {
		return nil, false
	}
	f, _, err := readHeader(path, doc.Content[0])
	if err != nil {
		return nil, false
	}
	out := make([][]*Case, len(parts))
	failed := make([]bool, len(parts))
	done := make([]chan struct{}, len(parts))
	for i := range done {
		done[i] = make(chan struct{})
	}
	readChunk := func(i int, fc *File, lines *[]string) {
		defer close(done[i])
		failed[i] = true
		var cases []*Case
		bad := false
		ok := eachFastYAML(string(parts[i]), startLines[i], func(item *yaml.Node) bool {
			if bad {
				return true
			}
			if yamldoc.Check(item) != nil {
				bad = true
				return true
			}
			c, err := fc.readCase(item)
			if err != nil {
				bad = true
				return true
			}
			cases = append(cases, c)
			return !fc.keepNodes(cases[len(cases)-1:])
		}, fc, func(c *Case) {
			if !bad {
				cases = append(cases, c)
			}
		}, lines)
		out[i], failed[i] = cases, !ok || bad
	}
	// The chunks are read on their goroutines while this one checks the
	// names of the chunks already read, in order.
	go inWorkers(len(parts), func() func(int) {
		// Each goroutine reads its chunks' cases into a File of its own
		// (its arena, its shared layers), with the file's policies,
		// and splits them into lines in the same memory.
		fc := &File{Path: f.Path, Dir: f.Dir, Policies: f.Policies, Environment: f.Environment}
		var lines []string
		return func(i int) { readChunk(i, fc, &lines) }
	})
	// The number of cases is not known before the chunks are read; the
	// names' map is sized from the first chunk's.
	var cr *caseReader
	good := true
	for i := range parts {
		<-done[i]
		if !good || failed[i] {
			good = false
			continue // the rest are waited for, not used
		}
		if cr == nil {
			expect := len(out[0]) * len(parts)
			cr, f.Cases = newCaseReader(f, expect), make([]*Case, 0, expect)
		}
		for _, c := range out[i] {
			if cr.add(c) != nil {
				good = false
				break
			}
			f.Cases = append(f.Cases, c)
		}
	}
	if !good || len(f.Cases) == 0 {
		return nil, false
	}
	return f, true
}

// parseCasesParallel parses the chunks concurrently and returns the item
// nodes in order.
func parseCasesParallel(parts [][]byte, startLines []int) ([]*yaml.Node, error) {
	out := make([][]*yaml.Node, len(parts))
	errs := make([]error, len(parts))
	inParallel(len(parts), func(i int) {
		errs[i] = errNotRead
		if items, ok := parseFastYAML(string(parts[i]), startLines[i], 256); ok {
			errs[i] = nil
			out[i] = items
			return
		}
		var n yaml.Node
		if err := yaml.Unmarshal(parts[i], &n); err != nil {
			errs[i] = err
			return
		}
		if len(n.Content) == 0 || n.Content[0].Kind != yaml.SequenceNode {
			errs[i] = errNotSequence
			return
		}
		shiftLines(n.Content[0], startLines[i]-1)
		out[i], errs[i] = n.Content[0].Content, nil
	})
	var all []*yaml.Node
	for i := range out {
		if errs[i] != nil {
			return nil, errs[i]
		}
		all = append(all, out[i]...)
	}
	return all, nil
}

type parseError string

func (e parseError) Error() string { return string(e) }

const (
	errNotSequence = parseError("cases chunk is not a sequence")
	errNotRead     = parseError("cases chunk not read")
)

func shiftLines(n *yaml.Node, by int) {
	n.Line += by
	for _, c := range n.Content {
		shiftLines(c, by)
	}
}

// inParallel calls fn for each of 0..n-1, on up to GOMAXPROCS goroutines,
// and returns when all have returned. A fault reading a mapped file ends
// the fn that met it (inputfile.CatchFault): each fn records its failure
// before it reads, so that such an end reads as one.
func inParallel(n int, fn func(i int)) {
	inWorkers(n, func() func(int) { return fn })
}

// inWorkers is inParallel with state per goroutine: each of up to
// GOMAXPROCS goroutines calls worker once for the fn it calls, then takes
// the lowest i not yet taken until none is left. Taking the next piece
// when done with one, rather than a piece per goroutine started in turn,
// keeps every core busy to the end when pieces take unequal time (20,000
// YAML cases in eight pieces left a core idle for the last piece, about a
// tenth of the run; docs/performance.md).
func inWorkers(n int, worker func() func(i int)) {
	var wg sync.WaitGroup
	var next atomic.Int64
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn := worker()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				inputfile.CatchFault(func() { fn(i) })
			}
		}()
	}
	wg.Wait()
}
