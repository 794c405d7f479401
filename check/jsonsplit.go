package check

import (
	"bytes"
	"runtime"

	"github.com/iamwhy/iamwhy/inputfile"
)

// The cases of a large JSON file are read by two goroutines: the file's
// reader reads from the first case on, and another reads from a case that
// starts a line about half-way through. The second half is taken only
// when the first reader arrives exactly where it started, between two
// cases, and it read to the end of the list without any error: otherwise
// the first reader simply goes on, so what a file means and which error it
// reports do not depend on the split.

// jsonHalf is the second half of a cases list, read on its own goroutine.
type jsonHalf struct {
	start int // offset of its first case
	done  chan struct{}
	ok    bool // read to the list's end without an error
	cases []*Case
	end   readerState // after the list's ']'
}

// splitJSONCases starts reading the cases after the middle of data (from
// is where the list starts), or returns nil: a small file, one core, no
// case starting a line there, or carriage returns before it (the line
// numbers would need the reader's own counting).
func splitJSONCases(f *File, data []byte, from int) *jsonHalf {
	if !fastJSONCases || len(data)-from < parallelParseMin || runtime.GOMAXPROCS(0) < 2 {
		return nil
	}
	mid := from + (len(data)-from)/2
	nl := bytes.IndexByte(data[mid:], '\n')
	if nl < 0 {
		return nil
	}
	s, col := mid+nl+1, 1
	for s < len(data) && (data[s] == ' ' || data[s] == '\t') {
		s++
		col++
	}
	if s >= len(data) || data[s] != '{' || bytes.IndexByte(data[:s], '\r') >= 0 {
		return nil
	}
	h := &jsonHalf{start: s, done: make(chan struct{})}
	go h.read(f, data, 1+bytes.Count(data[:s], []byte{'\n'}), col)
	return h
}

// read reads cases from h.start to the end of the list into a File of its
// own (its arena and shared layers), with the file's policies.
func (h *jsonHalf) read(f *File, data []byte, line, col int) {
	defer close(h.done)
	// A fault (a mapped file truncated) leaves h.ok false: the first
	// reader then reads on and meets it itself.
	inputfile.CatchFault(func() { h.readCases(f, data, line, col) })
}

func (h *jsonHalf) readCases(f *File, data []byte, line, col int) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(*jsonError); !ok {
				panic(r)
			}
			h.ok = false
		}
	}()
	fc := &File{Path: f.Path, Dir: f.Dir, Policies: f.Policies}
	q := newJSONBytes(data)
	q.pos, q.line, q.col = h.start, line, col
	q.depth = 2 // in the document's object and the cases list
	var one [1]*Case
	for {
		c, ok := q.fastCase(fc)
		if !ok {
			m := q.mark()
			n := q.value()
			var err error
			if c, err = fc.readCase(n); err != nil {
				return
			}
			if one[0] = c; !fc.keepNodes(one[:]) {
				q.rewind(m)
			}
		}
		h.cases = append(h.cases, c)
		switch q.skipSpace() {
		case ',':
			q.pos++
			q.col++
		case ']':
			q.pos++
			q.col++
			h.end = readerState{q.pos, q.line, q.col, q.cr}
			h.ok = true
			return
		default:
			return
		}
	}
}

// take is called by the first reader before each case: when it is where
// the second half starts and that half is good, it adds the half's cases
// (add checks each, in order) and moves the reader past the list, and
// returns true.
func (h *jsonHalf) take(p *jsonReader, add func(*Case)) bool {
	if p.skipSpace(); p.pos < h.start {
		return false
	}
	<-h.done
	if p.pos != h.start || !h.ok {
		return false
	}
	for _, c := range h.cases {
		add(c)
	}
	p.pos, p.line, p.col, p.cr = h.end.pos, h.end.line, h.end.col, h.end.cr
	return true
}

// wait waits for the second half's goroutine, which reads data.
func (h *jsonHalf) wait() {
	if h != nil {
		<-h.done
	}
}
