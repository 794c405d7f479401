package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// This file locates things in JSON text: line:column of byte offsets, and the
// offsets of the values at chosen paths inside a JSON value. Loaders decode
// with encoding/json and use these to name file:line:col in errors and in
// each Document.

func unquoteJSONString(raw []byte) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", err
	}
	return s, nil
}

// lineCol returns the 1-based line and column of byte offset off in data.
func lineCol(data []byte, off int) (line, col int) {
	if off > len(data) {
		off = len(data)
	}
	if off < 0 {
		off = 0
	}
	line, start := 1, 0
	for i := 0; i < off; i++ {
		if data[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return line, off - start + 1
}

// advancePos moves a line:col position over text.
func advancePos(line, col int, text []byte) (int, int) {
	n := bytes.Count(text, newline)
	if n == 0 {
		return line, col + len(text)
	}
	return line + n, len(text) - bytes.LastIndexByte(text, '\n')
}

var newline = []byte{'\n'}

// jsonErrorOffset extracts the byte offset encoding/json reports for an
// error, ok false when it reports none.
func jsonErrorOffset(err error) (int64, bool) {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return se.Offset, true
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Offset, true
	}
	return 0, false
}

// describeJSONError rewrites encoding/json's message for people: a type
// error names the field and what was expected.
func describeJSONError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return fmt.Sprintf("field %s: expected %s, found a JSON %s", te.Field, te.Type.String(), te.Value)
		}
		return fmt.Sprintf("expected %s, found a JSON %s", te.Type.String(), te.Value)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of JSON input"
	}
	return err.Error()
}

// valueStartBefore returns where the value an encoding/json error is about
// starts. A syntax error's offset is just past the offending byte; a type
// error's offset is just past the offending value, so the start of the last
// value that begins before it, and whose key is the last part of the error's
// field, is taken.
func valueStartBefore(data []byte, off int, err error) int {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return off - 1
	}
	last := te.Field
	if i := strings.LastIndexByte(last, '.'); i >= 0 {
		last = last[i+1:]
	}
	best := -1
	scanOffsets(data, func(path []pathSeg, start int) bool {
		if start >= off {
			return false
		}
		if len(path) > 0 && path[len(path)-1].Key == last {
			best = start
		}
		return true
	})
	if best < 0 {
		return off - 1
	}
	return best
}

// pathSeg is one step of a path into a JSON value: an object key, or an
// array index (Key == "" and Index >= 0).
type pathSeg struct {
	Key   string
	Index int
}

// scanOffsets walks the JSON value in data (which encoding/json has already
// accepted) and calls visit with the path and start offset of every value
// reached; visit returns whether to descend into that value. Keys with
// escapes are compared in their raw form, which is enough for the
// ASCII-named AWS fields it is used for.
func scanOffsets(data []byte, visit func(path []pathSeg, start int) bool) {
	s := offsetScanner{data: data, visit: visit}
	s.value(true)
}

// scanSpans is scanOffsets that also reports where each value reported to
// visit ends (done is called after the value, with its start and end).
func scanSpans(data []byte, visit func(path []pathSeg, start int) bool, done func(path []pathSeg, start, end int)) {
	s := offsetScanner{data: data, visit: visit, done: done}
	s.value(true)
}

type offsetScanner struct {
	data  []byte
	pos   int
	path  []pathSeg
	visit func(path []pathSeg, start int) bool
	done  func(path []pathSeg, start, end int)
}

func (s *offsetScanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// value scans one value; report says whether to call visit for it (the top
// value and every member/element are reported).
func (s *offsetScanner) value(report bool) {
	s.space()
	if s.pos >= len(s.data) {
		return
	}
	descend := true
	start := s.pos
	if report && len(s.path) > 0 {
		descend = s.visit(s.path, s.pos)
		if s.done != nil {
			defer func() { s.done(s.path, start, s.pos) }()
		}
	}
	switch s.data[s.pos] {
	case '{':
		if !descend {
			s.skipComposite()
			return
		}
		s.pos++
		for {
			s.space()
			if s.pos >= len(s.data) {
				return
			}
			if s.data[s.pos] == '}' {
				s.pos++
				return
			}
			if s.data[s.pos] == ',' {
				s.pos++
				continue
			}
			ks := s.pos
			s.skipString()
			key := ""
			if ks+1 <= s.pos-1 && s.pos-1 <= len(s.data) {
				key = string(s.data[ks+1 : s.pos-1])
			}
			s.space()
			if s.pos < len(s.data) && s.data[s.pos] == ':' {
				s.pos++
			}
			s.path = append(s.path, pathSeg{Key: key, Index: -1})
			s.value(true)
			s.path = s.path[:len(s.path)-1]
		}
	case '[':
		if !descend {
			s.skipComposite()
			return
		}
		s.pos++
		for i := 0; ; {
			s.space()
			if s.pos >= len(s.data) {
				return
			}
			if s.data[s.pos] == ']' {
				s.pos++
				return
			}
			if s.data[s.pos] == ',' {
				s.pos++
				continue
			}
			s.path = append(s.path, pathSeg{Index: i})
			s.value(true)
			s.path = s.path[:len(s.path)-1]
			i++
		}
	case '"':
		s.skipString()
	default:
		for s.pos < len(s.data) {
			switch s.data[s.pos] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return
			}
			s.pos++
		}
	}
}

func (s *offsetScanner) skipString() {
	if s.pos >= len(s.data) || s.data[s.pos] != '"' {
		s.pos++
		return
	}
	s.pos++
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case '\\':
			s.pos += 2
			continue
		case '"':
			s.pos++
			return
		}
		s.pos++
	}
}

func (s *offsetScanner) skipComposite() {
	depth := 0
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case '"':
			s.skipString()
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				s.pos++
				return
			}
		}
		s.pos++
	}
}

// lineReader passes a stream through to a json.Decoder and keeps the bytes
// the decoder has read but the loader has not yet located, so the line and
// column of any later offset can be computed without a second pass over
// the file and without holding it: Locate discards everything before the
// offset it is asked about. Offsets must be asked in increasing order.
type lineReader struct {
	r    io.Reader
	buf  []byte // bytes from offset base onwards
	base int64
	line int // line and column at offset base
	col  int
}

func newLineReader(r io.Reader) *lineReader { return &lineReader{r: r, line: 1, col: 1} }

func (l *lineReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.buf = append(l.buf, p[:n]...)
	return n, err
}

// valueStart returns the offset of the first byte at or after off that is
// neither white space nor a comma: where the decoder's next value starts.
func (l *lineReader) valueStart(off int64) int64 {
	for i := off - l.base; i >= 0 && i < int64(len(l.buf)); i++ {
		switch l.buf[i] {
		case ' ', '\t', '\n', '\r', ',':
			continue
		}
		return l.base + i
	}
	return off
}

// Locate returns the line and column of stream offset off and forgets the
// bytes before it. An offset before the last one located is answered with
// the last position.
func (l *lineReader) Locate(off int64) (line, col int) {
	if off > l.base {
		n := off - l.base
		if n > int64(len(l.buf)) {
			n = int64(len(l.buf))
		}
		l.line, l.col = advancePos(l.line, l.col, l.buf[:n])
		l.buf = l.buf[n:]
		l.base += n
	}
	return l.line, l.col
}

// syntaxError locates a syntax error in the value that starts at stream
// offset start. encoding/json's Decoder reports offsets that are not stream
// offsets, so the retained bytes are checked again with json.Unmarshal,
// whose offsets are exact (the offending byte is the Offset-th).
func (l *lineReader) syntaxError(start int64) (line, col int, msg string) {
	if start < l.base {
		start = l.base
	}
	var raw json.RawMessage
	var se *json.SyntaxError
	if err := json.Unmarshal(l.buf[start-l.base:], &raw); errors.As(err, &se) {
		off := start + se.Offset - 1
		if off < start {
			off = start
		}
		line, col = l.Locate(off)
		return line, col, se.Error()
	}
	line, col = l.Locate(l.base + int64(len(l.buf)))
	return line, col, "unexpected end of JSON input"
}
