package check

import (
	"bytes"
	"runtime"
	"sync"

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

// parseCasesParallel parses the chunks concurrently and returns the item
// nodes in order.
func parseCasesParallel(parts [][]byte, startLines []int) ([]*yaml.Node, error) {
	out := make([][]*yaml.Node, len(parts))
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i := range parts {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			if items, ok := parseFastYAML(string(parts[i]), startLines[i]); ok {
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
		}(i)
	}
	wg.Wait()
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
