package trail

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/iamwhy/iamwhy/policy"
	"github.com/klauspost/compress/gzip"
)

// fileDecoder turns one input into records. It accepts, in any mix and
// sequence (so JSON lines and concatenated documents work too):
//   - {"Records": [...]}, the object CloudTrail writes to S3
//     (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html);
//   - {"Events": [...]}, `aws cloudtrail lookup-events` output, whose
//     elements carry the record as a CloudTrailEvent JSON string;
//   - a bare array of records, lookup events or EventBridge events;
//   - a single record or EventBridge event object.
//
// One fileDecoder belongs to one worker and is reused across files.
type fileDecoder struct {
	s           stream
	sc          scanner
	dec         *recordDecoder
	rec         Record
	br          *bufio.Reader
	gz          *gzip.Reader
	deliver     func(*Record) error // filter, dedupe and call back
	stats       *Stats
	maxProblems int
	// skip, when set, says from the raw bytes alone that a record cannot
	// pass the filter, saving its decoding.
	skip func(raw []byte) bool

	path       string
	index      int // next record index in the file
	fileFailed bool
}

func newFileDecoder(stats *Stats, maxProblems int, deliver func(*Record) error) *fileDecoder {
	return &fileDecoder{dec: newRecordDecoder(), deliver: deliver, stats: stats, maxProblems: maxProblems}
}

// errStop wraps an error returned by the callback: reading stops.
type errStop struct{ err error }

func (e *errStop) Error() string { return e.err.Error() }
func (e *errStop) Unwrap() error { return e.err }

// decodeFile reads one input (gzip-compressed or not, detected from its
// first bytes). Problems are counted in stats; the returned error is only
// the callback's.
func (fd *fileDecoder) decodeFile(path string, r io.Reader) error {
	fd.path, fd.index, fd.fileFailed = path, 0, false
	fd.stats.Files++
	if fd.br == nil {
		fd.br = bufio.NewReaderSize(r, 64<<10)
	} else {
		fd.br.Reset(r)
	}
	in := io.Reader(fd.br)
	if magic, _ := fd.br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		var err error
		if fd.gz == nil {
			fd.gz, err = gzip.NewReader(fd.br)
		} else {
			err = fd.gz.Reset(fd.br)
		}
		if err != nil {
			fd.fileProblem(0, 0, err)
			return nil
		}
		in = fd.gz
	}
	fd.s.reset(in)
	err := fd.top()
	text := fd.s.base + int64(len(fd.s.buf))
	fd.stats.TextBytes += text
	if text == 0 && !fd.fileFailed {
		fd.stats.EmptyFiles++
	}
	if err != nil {
		var stop *errStop
		if errors.As(err, &stop) {
			return stop.err
		}
		return err
	}
	return nil
}

// top reads the sequence of top-level values.
func (fd *fileDecoder) top() error {
	s := &fd.s
	first := true
	for {
		s.keep = s.pos
		c, ok := s.peek()
		if !ok {
			if s.err != nil {
				fd.readProblem()
			}
			return nil
		}
		if first && c == 0xEF && s.pos+2 < len(s.buf) && s.buf[s.pos+1] == 0xBB && s.buf[s.pos+2] == 0xBF {
			s.pos += 3 // UTF-8 byte order mark
			first = false
			continue
		}
		first = false
		s.keep = s.pos // where this value starts
		var err error
		inContainer := false
		switch c {
		case '[':
			inContainer = true
			err = fd.array()
		case '{':
			inContainer, err = fd.object()
		default:
			line, col := s.lineCol(s.pos)
			err = &posError{line: line, col: col, msg: fmt.Sprintf("invalid %s looking for a JSON object or array", describe(c))}
		}
		if err == nil {
			continue
		}
		var stop *errStop
		if errors.As(err, &stop) {
			return err
		}
		tooLarge := errors.Is(s.err, errTooLarge) || errors.Is(err, errTooLarge)
		if s.err != nil && !tooLarge {
			fd.readProblem()
			return nil
		}
		var pe *posError
		if !errors.As(err, &pe) {
			pe = &posError{msg: err.Error()}
		}
		if tooLarge {
			pe.msg = errTooLarge.Error()
		}
		if inContainer {
			fd.fileProblem(pe.line, pe.col, errors.New(pe.msg))
			if tooLarge {
				return nil // the rest of the container cannot be found again
			}
		} else {
			// A malformed top-level value (a JSON-lines line) is a record,
			// placed where it starts. Reading resumes on the line after
			// that start, not after the place the parser gave up: a
			// truncated line runs into the next one, which is a record
			// of its own.
			fd.index++
			line, col := s.lineCol(s.keep)
			msg := pe.msg
			if pe.line != line || pe.col != col {
				msg = fmt.Sprintf("%s (at %s)", pe.msg, policy.At("", pe.line, pe.col))
			}
			fd.recordProblem(line, col, errors.New(msg))
			s.err = nil // a value too large is passed over line by line
			s.pos = s.keep
		}
		from, _ := s.lineCol(s.pos)
		found, skipped := s.skipToLine()
		if skipped > 0 {
			fd.stats.LinesSkipped += int64(skipped)
			fd.stats.addProblem(fd.maxProblems, Problem{Path: fd.path, Line: from + 1, Col: 1, Record: -1,
				Message: fmt.Sprintf("skipped %d line(s) not starting with { or [ after the error", skipped)})
		}
		if !found {
			if s.err != nil {
				fd.readProblem()
			}
			return nil
		}
	}
}

// posError is a syntax error placed in the input.
type posError struct {
	line, col int
	msg       string
}

func (e *posError) Error() string { return policy.At("", e.line, e.col).String() + ": " + e.msg }

// syntax converts a scanner error at a buf offset into a posError.
func (fd *fileDecoder) syntax(err error) error {
	var se *syntaxError
	if errors.As(err, &se) {
		line, col := fd.s.lineCol(se.off)
		return &posError{line: line, col: col, msg: se.msg}
	}
	if errors.Is(err, errTooLarge) {
		line, col := fd.s.lineCol(fd.s.pos)
		return &posError{line: line, col: col, msg: errTooLarge.Error()}
	}
	return err
}

// array reads a top-level array whose elements are records (or lookup
// events, or EventBridge events).
func (fd *fileDecoder) array() error {
	s := &fd.s
	s.pos++ // '['
	if c, ok := s.peek(); ok && c == ']' {
		s.pos++
		return nil
	}
	for {
		s.keep = s.pos
		start, end, err := s.value(&fd.sc)
		if err != nil {
			if err == io.EOF {
				return fd.syntax(syntaxErr(len(s.buf), "unexpected end of JSON input in array"))
			}
			return fd.syntax(err)
		}
		fd.dec.spans = fd.sc.members
		if err := fd.record(start, end); err != nil {
			return err
		}
		c, ok := s.peek()
		if !ok {
			if s.err != nil {
				return s.err
			}
			return fd.syntax(syntaxErr(len(s.buf), "unexpected end of JSON input in array"))
		}
		s.pos++
		switch c {
		case ',':
		case ']':
			return nil
		default:
			return fd.syntax(syntaxErr(s.pos-1, "invalid %s after array element", describe(c)))
		}
	}
}

// object reads a top-level object. A "Records" or "Events" member holding
// an array makes it a container whose elements are streamed; otherwise
// the object is itself a record (or an EventBridge event), kept whole in
// the buffer. It reports whether the object was a container.
func (fd *fileDecoder) object() (container bool, err error) {
	s := &fd.s
	s.keep = s.pos
	s.pos++ // '{'
	c, ok := s.peek()
	for ok && c != '}' {
		ks, ke, err := s.value(&fd.sc)
		if err != nil {
			return container, fd.objectErr(err)
		}
		if s.buf[ks] != '"' {
			return container, fd.syntax(syntaxErr(ks, "invalid %s looking for beginning of object key string", describe(s.buf[ks])))
		}
		var keyBuf [16]byte
		key := string(lowerKey(keyBuf[:0], s.buf[ks:ke]))
		if c, ok = s.peek(); !ok || c != ':' {
			if !ok {
				return container, fd.objectErr(io.EOF)
			}
			return container, fd.syntax(syntaxErr(s.pos, "invalid %s after object key", describe(c)))
		}
		s.pos++
		c, ok = s.peek()
		if !ok {
			return container, fd.objectErr(io.EOF)
		}
		if (key == "records" || key == "events") && c == '[' {
			// Streamed: the object is a container, not a record.
			container = true
			if err := fd.array(); err != nil {
				return true, err
			}
		} else {
			if container {
				s.keep = s.pos
			}
			if _, _, err := s.value(&fd.sc); err != nil {
				return container, fd.objectErr(err)
			}
		}
		if c, ok = s.peek(); !ok {
			return container, fd.objectErr(io.EOF)
		}
		switch c {
		case ',':
			s.pos++
			if c, ok = s.peek(); !ok {
				return container, fd.objectErr(io.EOF)
			}
			if c == '}' {
				return container, fd.syntax(syntaxErr(s.pos, "invalid character '}' looking for beginning of object key string"))
			}
		case '}':
		default:
			return container, fd.syntax(syntaxErr(s.pos, "invalid %s after object key:value pair", describe(c)))
		}
	}
	if !ok {
		return container, fd.objectErr(io.EOF)
	}
	s.pos++ // '}'
	if container {
		return true, nil
	}
	// objStart has moved with every fill since keep pinned it; recover it
	// from keep, which fill resets to 0 after shifting.
	fd.dec.spans = nil // the members were scanned one by one
	return false, fd.record(s.keep, s.pos)
}

func (fd *fileDecoder) objectErr(err error) error {
	if err == io.EOF {
		return fd.syntax(syntaxErr(len(fd.s.buf), "unexpected end of JSON input in object"))
	}
	return fd.syntax(err)
}

// record decodes buf[start:end] as one record and delivers it.
func (fd *fileDecoder) record(start, end int) error {
	r := &fd.rec
	r.Path, r.Index = fd.path, fd.index
	fd.index++
	raw := fd.s.buf[start:end]
	if fd.skip != nil && fd.skip(raw) {
		fd.dec.spans = nil
		fd.stats.Records++
		fd.stats.Filtered++
		return nil
	}
	if err := fd.dec.decode(raw, r); err != nil {
		line, col := fd.s.lineCol(start)
		fd.recordProblem(line, col, err)
		return nil
	}
	fd.stats.Records++
	if fe := fd.dec.err; fe != nil {
		line, col := fd.s.lineCol(start)
		fd.stats.FieldErrors++
		fd.stats.addProblem(fd.maxProblems, Problem{Path: fd.path, Line: line, Col: col, Record: r.Index, Message: fe.Error() + " (field left empty)"})
	}
	if err := fd.deliver(r); err != nil {
		return &errStop{err: err}
	}
	return nil
}

func (fd *fileDecoder) readProblem() {
	line, col := fd.s.lineCol(len(fd.s.buf))
	err := fd.s.err
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = fmt.Errorf("input truncated (%w)", err)
	}
	fd.fileProblem(line, col, fmt.Errorf("reading after %d records: %w", fd.index, err))
}

func (fd *fileDecoder) fileProblem(line, col int, err error) {
	if !fd.fileFailed {
		fd.stats.FilesFailed++
		fd.fileFailed = true
	}
	fd.stats.addProblem(fd.maxProblems, Problem{Path: fd.path, Line: line, Col: col, Record: -1, Message: err.Error()})
}

func (fd *fileDecoder) recordProblem(line, col int, err error) {
	fd.stats.RecordsFailed++
	fd.stats.addProblem(fd.maxProblems, Problem{Path: fd.path, Line: line, Col: col, Record: fd.index - 1, Message: err.Error()})
}
