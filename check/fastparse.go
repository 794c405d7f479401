package check

import (
	"bytes"
	"runtime"
	"sync"

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

// splitCases returns the file's text before the cases list and the chunks
// of the list with the line number each starts at, or ok=false.
func splitCases(data []byte, chunks int) (head []byte, parts [][]byte, startLines []int, ok bool) {
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
	var starts []int
	starts = append(starts, 0)
	for off := 0; ; {
		i := bytes.Index(body[off:], marker)
		if i < 0 {
			break
		}
		starts = append(starts, off+i+1)
		off += i + 1
	}
	// No other top-level key may follow the list.
	for _, l := range bytes.Split(body, []byte("\n")) {
		if len(l) > 0 && l[0] != ' ' && l[0] != '-' && l[0] != '#' {
			return nil, nil, nil, false
		}
	}
	per := (len(starts) + chunks - 1) / chunks
	for c := 0; c < len(starts); c += per {
		end := len(body)
		if c+per < len(starts) {
			end = starts[c+per]
		}
		chunk := body[starts[c]:end]
		parts = append(parts, chunk)
		startLines = append(startLines, line+bytes.Count(body[:starts[c]], []byte("\n")))
	}
	return head, parts, startLines, true
}

// fastYAMLCases turns parseYAMLCases on; the tests compare with it off.
var fastYAMLCases = true

// parseYAMLCases reads a file split by splitCases: the text before the
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
	inParallel(len(parts), func(i int) {
		// The chunk's cases are read into a File of its own (its
		// arena, its shared layers), with the file's policies.
		fc := &File{Path: f.Path, Dir: f.Dir, Policies: f.Policies, Environment: f.Environment}
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
		})
		out[i], failed[i] = cases, !ok || bad
	})
	n := 0
	for i := range out {
		if failed[i] {
			return nil, false
		}
		n += len(out[i])
	}
	if n == 0 {
		return nil, false
	}
	cr := newCaseReader(f, n)
	f.Cases = make([]*Case, 0, n)
	for _, cs := range out {
		for _, c := range cs {
			if cr.add(c) != nil {
				return nil, false
			}
			f.Cases = append(f.Cases, c)
		}
	}
	return f, true
}

// parseCasesParallel parses the chunks concurrently and returns the item
// nodes in order.
func parseCasesParallel(parts [][]byte, startLines []int) ([]*yaml.Node, error) {
	out := make([][]*yaml.Node, len(parts))
	errs := make([]error, len(parts))
	inParallel(len(parts), func(i int) {
		if items, ok := parseFastYAML(string(parts[i]), startLines[i], 256); ok {
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
		out[i] = n.Content[0].Content
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

const errNotSequence = parseError("cases chunk is not a sequence")

func shiftLines(n *yaml.Node, by int) {
	n.Line += by
	for _, c := range n.Content {
		shiftLines(c, by)
	}
}

// inParallel calls fn for each of 0..n-1, on up to GOMAXPROCS goroutines,
// and returns when all have returned.
func inParallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			fn(i)
		}(i)
	}
	wg.Wait()
}
