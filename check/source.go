package check

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/iamwhy/iamwhy/internal/yamldoc"
	"github.com/iamwhy/iamwhy/policy"
	"gopkg.in/yaml.v3"
)

// Source is a check file opened to be run. Small files are read whole, as
// LoadFile reads them. Large files (a generated suite of a million cases)
// have their version, policies and environment read when opened and their
// cases read in batches while they run, so memory stays bounded whatever
// the number of cases: an error in a later case (a missing key, a duplicate
// name) is then reported when the run reaches it.
type Source struct {
	// File holds the version, policies and environment; its Cases are the
	// whole list for a small file and nil for a streamed one.
	File *File
	// stream, for a streamed file, reads the cases in batches.
	stream func(batch int, fn func([]*Case) error) error
}

// StreamMin is the file size from which cases are streamed.
var StreamMin int64 = 32 << 20

// Open opens a check file for RunSource.
func Open(path string) (*Source, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, &FileError{Path: path, Msg: err.Error()}
	}
	if !info.Mode().IsRegular() {
		return nil, &FileError{Path: path, Msg: "not a regular file"}
	}
	if info.Size() >= StreamMin {
		s, ok, err := openStream(path)
		if err != nil || ok {
			return s, err
		}
	}
	f, err := LoadFile(path)
	if err != nil {
		return nil, err
	}
	return &Source{File: f}, nil
}

// Cases calls fn with the file's cases in order, a batch at a time.
func (s *Source) Cases(batch int, fn func([]*Case) error) error {
	if s.stream != nil {
		n := 0
		err := s.stream(batch, func(cs []*Case) error { n += len(cs); return fn(cs) })
		if err == nil && n == 0 {
			err = errNoCases(s.File.Path, policy.Pos{})
		}
		return err
	}
	for i := 0; i < len(s.File.Cases); i += batch {
		if err := fn(s.File.Cases[i:min(i+batch, len(s.File.Cases))]); err != nil {
			return err
		}
	}
	return nil
}

// openStream opens a large file for streaming; ok is false when its shape
// does not allow it (the caller then reads it whole).
func openStream(path string) (*Source, bool, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, false, &FileError{Path: path, Msg: err.Error()}
	}
	head := make([]byte, 4096)
	n, _ := io.ReadFull(fh, head)
	fh.Close()
	if looksLikeJSON(head[:n]) {
		return openJSONStream(path)
	}
	return openYAMLStream(path)
}

// caseReader turns case nodes into cases, checking names are unique across
// batches.
type caseReader struct {
	f    *File
	seen map[string]lineCol
}

// lineCol is where a case starts: a case's Pos names no file, and the
// index of a large file's names is a quarter the size without the rest.
type lineCol struct{ line, col int32 }

// newCaseReader reads the cases of f; expect is about how many there are
// (the index of names is sized for them: growing it was a twentieth of
// reading a large file).
func newCaseReader(f *File, expect int) *caseReader {
	return &caseReader{f: f, seen: make(map[string]lineCol, min(expect, 1<<20))}
}

// keepNodes reports whether any of the cases points into the node trees
// they were read from: an inline policy written in a case is kept as its
// node, compiled when a case first uses it, and S3 and KMS settings may
// hold one too. Policies named from the file's policies block belong to
// the file, not to the case.
func (f *File) keepNodes(cases []*Case) bool {
	for _, c := range cases {
		l := c.Layers
		if l == nil || l.shared { // shared layers name policies only
			continue
		}
		if l.S3KMS != nil || f.inline(l.Resource) || f.inline(l.Boundary) || f.inline(l.VPCEndpoint) ||
			f.inlineIn(l.Identity) || f.inlineIn(l.Session) {
			return true
		}
		for _, lvl := range l.SCP {
			if f.inlineIn(lvl) {
				return true
			}
		}
		for _, lvl := range l.RCP {
			if f.inlineIn(lvl) {
				return true
			}
		}
	}
	return false
}

// inline reports whether r is an inline policy of a case.
func (f *File) inline(r *PolicyRef) bool {
	return r != nil && r.Inline != nil && f.Policies[r.Name] != r
}

func (f *File) inlineIn(refs []*PolicyRef) bool {
	for _, r := range refs {
		if f.inline(r) {
			return true
		}
	}
	return false
}

func (cr *caseReader) read(nodes []*yaml.Node) ([]*Case, error) {
	out := make([]*Case, 0, len(nodes))
	for _, cn := range nodes {
		c, err := cr.f.readCase(cn)
		if err != nil {
			return nil, err
		}
		if err := cr.add(c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// add records a case read, refusing a name given to an earlier case.
func (cr *caseReader) add(c *Case) error {
	if p, dup := cr.seen[c.Name]; dup {
		first := policy.At("", int(p.line), int(p.col))
		return &FileError{Path: cr.f.Path, Pos: c.Pos, Case: c.Name, Msg: fmt.Sprintf("duplicate case name (first at %s)", first.LineCol())}
	}
	cr.seen[c.Name] = lineCol{int32(c.Pos.Line), int32(c.Pos.Col)}
	return nil
}

// openJSONStream reads the whole document once with the case items read
// and dropped one by one (so every syntax error and every top-level key is
// known before anything runs), then streams the cases from their offset.
func openJSONStream(path string) (*Source, bool, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, false, &FileError{Path: path, Msg: err.Error()}
	}
	defer fh.Close()
	p := newJSONReader(fh)
	var casesAt int64 = -1
	var casesLine, casesCol int
	root, err := func() (root *yaml.Node, err error) {
		defer catch(&err)
		if p.skipSpace() != '{' {
			return nil, nil
		}
		root = p.objectWith(func(_, k *yaml.Node) bool {
			if k.Value != "cases" || p.skipSpace() != '[' {
				return false
			}
			casesAt, casesLine, casesCol = p.offset(), p.line, p.col
			p.items(func(*yaml.Node) bool { return true })
			return true
		})
		if p.skipSpace() != 0 {
			p.fail("unexpected text after the document")
		}
		return root, nil
	}()
	if err != nil {
		return nil, false, jsonFileError(path, err)
	}
	if root == nil || casesAt < 0 {
		return nil, false, nil
	}
	f, _, err := readHeader(path, root)
	if err != nil {
		return nil, false, err
	}
	stream := func(batch int, fn func([]*Case) error) error {
		fh, err := os.Open(path)
		if err != nil {
			return &FileError{Path: path, Msg: err.Error()}
		}
		defer fh.Close()
		if _, err := fh.Seek(casesAt, io.SeekStart); err != nil {
			return &FileError{Path: path, Msg: err.Error()}
		}
		p := newJSONReader(fh)
		p.line, p.col = casesLine, casesCol
		cr := newCaseReader(f, batch)
		var nodes []*yaml.Node
		var ferr error
		batchStart := p.mark()
		flush := func() {
			if ferr != nil || len(nodes) == 0 {
				return
			}
			var cases []*Case
			if cases, ferr = cr.read(nodes); ferr == nil {
				ferr = fn(cases)
			}
			clear(nodes)
			nodes = nodes[:0]
			// The batch's nodes are used again for the next batch
			// unless a case keeps some.
			if ferr == nil && !f.keepNodes(cases) {
				p.rewind(batchStart)
			}
			batchStart = p.mark()
		}
		err = func() (err error) {
			defer catch(&err)
			if p.skipSpace() != '[' {
				p.fail("want the cases list")
			}
			p.items(func(n *yaml.Node) bool {
				if ferr != nil {
					return true
				}
				if nodes = append(nodes, n); len(nodes) == batch {
					flush()
				}
				return false
			})
			return nil
		}()
		if err != nil {
			return jsonFileError(path, err)
		}
		flush()
		return ferr
	}
	return &Source{File: f, stream: stream}, true, nil
}

// items reads an array item by item, handing each to fn; the '[' is the
// next byte. When fn returns true, nothing points into the item's nodes
// any more and their storage is used again for the next items.
func (p *jsonReader) items(fn func(*yaml.Node) (release bool)) {
	p.itemsFast(nil, nil, fn)
}

// itemsFast is items where fast, when not nil, is offered each item first
// and returns whether it read it (its nodes are then never built), and
// before, when not nil, is called before each item but the first and
// returns whether it read the rest of the list, its ']' included.
func (p *jsonReader) itemsFast(before, fast func() bool, fn func(*yaml.Node) (release bool)) {
	p.enter()
	p.pos++
	p.col++
	if p.skipSpace() == ']' {
		p.pos++
		p.col++
		p.depth--
		return
	}
	for {
		if fast == nil || !fast() {
			m := p.mark()
			if fn(p.value()) {
				p.rewind(m)
			}
		}
		switch p.skipSpace() {
		case ',':
			p.pos++
			p.col++
			if before != nil && before() {
				p.depth--
				return
			}
		case ']':
			p.pos++
			p.col++
			p.depth--
			return
		default:
			p.fail("want ',' or ']' in an array")
		}
	}
}

// openYAMLStream streams a YAML file whose cases are a block sequence under
// a top-level "cases:" key that is the last key. The text before it is read
// as YAML when opened; the items are then read in batches of whole items
// (each starts at the indentation of the first "- ").
func openYAMLStream(path string) (*Source, bool, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, false, &FileError{Path: path, Msg: err.Error()}
	}
	defer fh.Close()
	br := bufio.NewReaderSize(fh, 1<<20)
	var head bytes.Buffer
	line := 0
	for {
		l, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			return nil, false, nil
		}
		if len(l) == 0 && err != nil {
			return nil, false, nil // no "cases:" line: the plain reader says why
		}
		line++
		if k := bytes.TrimRight(l, " \r\n"); string(k) == "cases:" {
			head.WriteString("cases: []\n")
			break
		}
		head.Write(l)
		if head.Len() > 64<<20 {
			return nil, false, nil
		}
	}
	// Any other top-level key after the cases: read the file whole.
	casesOffset := int64(0)
	{
		off, _ := fh.Seek(0, io.SeekCurrent)
		casesOffset = off - int64(br.Buffered())
		rest := bufio.NewReaderSize(br, 1<<20)
		for {
			l, err := rest.ReadSlice('\n')
			if len(l) > 0 && l[0] != ' ' && l[0] != '-' && l[0] != '#' && l[0] != '\n' && l[0] != '\r' {
				return nil, false, nil
			}
			if err != nil && err != bufio.ErrBufferFull {
				break
			}
		}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(head.Bytes(), &doc); err != nil || len(doc.Content) == 0 {
		return nil, false, nil // the plain reader reports it
	}
	if err := yamldoc.Check(doc.Content[0]); err != nil {
		return nil, false, yamlFileError(path, err)
	}
	f, _, err := readHeader(path, doc.Content[0])
	if err != nil {
		return nil, false, err
	}
	firstLine := line + 1
	stream := func(batch int, fn func([]*Case) error) error {
		fh, err := os.Open(path)
		if err != nil {
			return &FileError{Path: path, Msg: err.Error()}
		}
		defer fh.Close()
		if _, err := fh.Seek(casesOffset, io.SeekStart); err != nil {
			return &FileError{Path: path, Msg: err.Error()}
		}
		br := bufio.NewReaderSize(fh, 1<<20)
		cr := newCaseReader(f, batch)
		var chunk bytes.Buffer
		var marker []byte
		items, chunkLine, lineNo := 0, firstLine, firstLine
		flush := func() error {
			if chunk.Len() == 0 {
				return nil
			}
			nodes, err := parseItems(path, chunk.Bytes(), chunkLine)
			if err != nil {
				return err
			}
			cases, err := cr.read(nodes)
			if err != nil {
				return err
			}
			chunk.Reset()
			items = 0
			chunkLine = lineNo
			return fn(cases)
		}
		for {
			l, err := br.ReadBytes('\n')
			if len(l) > 0 {
				if marker == nil {
					if t := bytes.TrimLeft(l, " "); len(t) > 1 && t[0] == '-' && (t[1] == ' ' || t[1] == '\n') {
						marker = l[:len(l)-len(t)+2]
					}
				}
				if marker != nil && bytes.HasPrefix(l, marker) {
					if items == batch {
						if ferr := flush(); ferr != nil {
							return ferr
						}
					}
					items++
				}
				chunk.Write(l)
				lineNo++
			}
			if err != nil {
				if err != io.EOF {
					return &FileError{Path: path, Msg: err.Error()}
				}
				break
			}
		}
		return flush()
	}
	return &Source{File: f, stream: stream}, true, nil
}

// parseItems parses a chunk of whole block-sequence items starting at line
// firstLine of the file.
func parseItems(path string, chunk []byte, firstLine int) ([]*yaml.Node, error) {
	items, err := parseItemsNodes(path, chunk, firstLine)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if err := yamldoc.Check(it); err != nil {
			return nil, yamlFileError(path, err)
		}
	}
	return items, nil
}

func parseItemsNodes(path string, chunk []byte, firstLine int) ([]*yaml.Node, error) {
	if items, ok := parseFastYAML(string(chunk), firstLine, 1); ok {
		return items, nil
	}
	var n yaml.Node
	if err := yaml.Unmarshal(chunk, &n); err != nil {
		pos := yamlErrorPos(err)
		if pos.Line > 0 {
			pos.Line += firstLine - 1
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if i := strings.Index(msg, ": "); strings.HasPrefix(msg, "line ") && i > 0 {
			msg = msg[i+2:] // the line is the chunk's; pos has the file's
		}
		return nil, &FileError{Path: path, Pos: pos, Msg: "not valid YAML or JSON: " + msg}
	}
	if len(n.Content) == 0 {
		return nil, nil
	}
	if n.Content[0].Kind != yaml.SequenceNode {
		return nil, &FileError{Path: path, Pos: policy.At("", firstLine, 1), Msg: "cases must be a list"}
	}
	shiftLines(n.Content[0], firstLine-1)
	return n.Content[0].Content, nil
}
