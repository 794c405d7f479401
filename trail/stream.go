package trail

import (
	"bytes"
	"fmt"
	"io"
)

// stream is a window over an input: bytes before keep may be dropped when
// more input is read, so a file of any size is decoded in bounded memory
// while a whole record is always contiguous in buf.
type stream struct {
	r      io.Reader
	buf    []byte
	pos    int   // next byte to look at
	keep   int   // buf[keep:] must survive the next fill
	base   int64 // input offset of buf[0]
	lines  int64 // newlines in the input before buf[0]
	lastNL int64 // input offset of the last newline before buf[0], or -1
	eof    bool
	err    error // read error, other than io.EOF
	max    int
}

const (
	initialBuffer = 256 << 10
	// maxValue bounds one record (or one non-container top-level object).
	// CloudTrail records are at most a few hundred KB; the bound only
	// keeps a corrupt file from exhausting memory.
	maxValue = 128 << 20
)

// errTooLarge reports a value that does not fit in maxValue bytes.
var errTooLarge = fmt.Errorf("JSON value larger than %d MiB", maxValue>>20)

func (s *stream) reset(r io.Reader) {
	if s.buf == nil || cap(s.buf) > 4*initialBuffer {
		// Give back a buffer grown for one unusually large value.
		s.buf = make([]byte, 0, initialBuffer)
	}
	*s = stream{r: r, buf: s.buf[:0], lastNL: -1, max: maxValue}
}

// fill drops buf[:keep], reads more input and returns how far the
// remaining bytes moved (callers shift their own offsets by it) and
// whether any byte was added.
func (s *stream) fill() (shift int, ok bool) {
	if s.eof || s.err != nil {
		return 0, false
	}
	if s.keep > 0 {
		// bytes.Count is vectorised, LastIndexByte is not: look for the
		// last newline only when there is one (CloudTrail's own files are
		// a single line).
		gone := s.buf[:s.keep]
		if n := bytes.Count(gone, []byte{'\n'}); n > 0 {
			s.lines += int64(n)
			s.lastNL = s.base + int64(bytes.LastIndexByte(gone, '\n'))
		}
		n := copy(s.buf, s.buf[s.keep:])
		s.buf = s.buf[:n]
		shift = s.keep
		s.base += int64(s.keep)
		s.pos -= s.keep
		s.keep = 0
	}
	if len(s.buf) == cap(s.buf) {
		if cap(s.buf) >= s.max {
			s.err = errTooLarge
			return shift, false
		}
		nc := 2 * cap(s.buf)
		if nc < initialBuffer {
			nc = initialBuffer
		}
		if nc > s.max {
			nc = s.max
		}
		nb := make([]byte, len(s.buf), nc)
		copy(nb, s.buf)
		s.buf = nb
	}
	for tries := 0; tries < 100; tries++ {
		n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
		s.buf = s.buf[:len(s.buf)+n]
		if err != nil {
			if err == io.EOF {
				s.eof = true
			} else {
				s.err = err
			}
			return shift, n > 0
		}
		if n > 0 {
			return shift, true
		}
	}
	s.err = io.ErrNoProgress
	return shift, false
}

// peek skips white space and returns the next byte; false at the end of
// input or on a read error.
func (s *stream) peek() (byte, bool) {
	for {
		s.pos = skipWS(s.buf, s.pos)
		if s.pos < len(s.buf) {
			return s.buf[s.pos], true
		}
		if _, ok := s.fill(); !ok {
			if s.pos < len(s.buf) {
				continue
			}
			return 0, false
		}
	}
}

// value makes the whole JSON value at pos contiguous in buf, validates it
// and returns its bounds, leaving pos after it. At the end of input it
// returns io.EOF; a syntax error carries its offset in buf.
func (s *stream) value(sc *scanner) (start, end int, err error) {
	if _, ok := s.peek(); !ok {
		if s.err != nil {
			return 0, 0, s.err
		}
		return 0, 0, io.EOF
	}
	start = s.pos
	for {
		end, err = sc.skipValue(s.buf, start, s.eof)
		if err != errMore {
			break
		}
		shift, ok := s.fill()
		start -= shift
		if !ok && s.err != nil {
			return start, start, s.err
		}
	}
	if err != nil {
		return start, end, err
	}
	s.pos = end
	return start, end, nil
}

// lineCol converts an offset in buf to a 1-based line and byte column of
// the input.
func (s *stream) lineCol(i int) (line, col int) {
	if i > len(s.buf) {
		i = len(s.buf)
	}
	seg := s.buf[:i]
	line = int(s.lines) + bytes.Count(seg, []byte{'\n'}) + 1
	if nl := bytes.LastIndexByte(seg, '\n'); nl >= 0 {
		return line, i - nl
	}
	return line, int(s.base + int64(i) - s.lastNL)
}

// skipToLine moves pos to the start of the next line that begins with
// '{' or '[', the place a JSON-lines reader can start again after a
// malformed line. It reports whether there is one and how many non-blank
// lines it passed over (not counting the rest of the malformed line).
func (s *stream) skipToLine() (found bool, skipped int) {
	first := true
	for {
		s.keep = s.pos
		nl := bytes.IndexByte(s.buf[s.pos:], '\n')
		if nl < 0 {
			if !first && len(bytes.TrimSpace(s.buf[s.pos:])) > 0 && s.eof {
				skipped++
			}
			s.pos = len(s.buf)
			s.keep = s.pos
			if _, ok := s.fill(); !ok {
				return false, skipped
			}
			continue
		}
		if !first && len(bytes.TrimSpace(s.buf[s.pos:s.pos+nl])) > 0 {
			skipped++
		}
		first = false
		s.pos += nl + 1
		for s.pos >= len(s.buf) {
			s.keep = s.pos
			if _, ok := s.fill(); !ok {
				return false, skipped
			}
		}
		if c := s.buf[s.pos]; c == '{' || c == '[' {
			return true, skipped
		}
	}
}
