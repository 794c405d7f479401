package policy

import "strconv"

// Pos is a position in a source file: the one type every package uses to say
// where something is written (a policy element, a check case, a record of an
// environment file), and the one text form errors and findings print
// (String: FILE:LINE:COL).
//
// Line and Col are 1-based; Col counts bytes for JSON (as editors and the
// Go toolchain do) and characters for YAML (as yaml.v3 counts them). Offset
// is the 0-based byte offset from the start of File, or -1 when the reader
// that found the position does not count bytes (YAML nodes, positions
// rebuilt from a line and column). The zero Pos means "unknown" (a document
// built in code): only a Pos with Line > 0 is valid.
//
// For a policy document that was decoded before parsing (a document held in
// a JSON string, or URL-encoded), File names the string's own position and
// encoding ("auth.json:12:7 (document in a JSON string)") and Line and Col
// count in the decoded text, since no line of the file holds that text.
type Pos struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Col    int    `json:"col"`
	Offset int    `json:"offset"`
}

// At is the position line:col of file whose byte offset is not known.
func At(file string, line, col int) Pos {
	return Pos{File: file, Line: line, Col: col, Offset: -1}
}

// IsValid reports whether the position is known.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String is FILE:LINE:COL, the form every location in errors and findings
// takes: editors and terminals open it. Parts that are not known are left
// out: LINE:COL without a file, FILE:LINE without a column, FILE alone
// without a line, and "-" when nothing is known.
func (p Pos) String() string {
	if !p.IsValid() {
		if p.File == "" {
			return "-"
		}
		return p.File
	}
	return string(p.Append(make([]byte, 0, len(p.File)+12)))
}

// Append appends p as String writes it to b, for output written a line at
// a time without a string per position.
func (p Pos) Append(b []byte) []byte {
	if !p.IsValid() {
		if p.File == "" {
			return append(b, '-')
		}
		return append(b, p.File...)
	}
	if p.File != "" {
		b = append(b, p.File...)
		b = append(b, ':')
	}
	b = strconv.AppendInt(b, int64(p.Line), 10)
	if p.Col > 0 {
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(p.Col), 10)
	}
	return b
}

// LineCol is LINE:COL without the file, for a message that points to
// another place of the same file ("first at 3:5"); "-" when unknown.
func (p Pos) LineCol() string {
	p.File = ""
	return p.String()
}

// In returns p with File set to file when p names none, so that a position
// found by a reader that does not know the file's name prints it.
func (p Pos) In(file string) Pos {
	if p.File == "" {
		p.File = file
	}
	return p
}

// Inside maps a position counted inside a text that starts at p in its file
// (a document embedded in a larger JSON file) to a position of that file:
// the text's first line starts at p's column, its other lines at column 1.
// inner's file, when it has none, becomes p's file.
func (p Pos) Inside(inner Pos) Pos {
	if !p.IsValid() || !inner.IsValid() {
		return inner
	}
	out := Pos{File: inner.File, Line: p.Line + inner.Line - 1, Col: inner.Col, Offset: -1}
	if out.File == "" {
		out.File = p.File
	}
	if inner.Line == 1 {
		out.Col = p.Col + inner.Col - 1
	}
	if p.Offset >= 0 && inner.Offset >= 0 {
		out.Offset = p.Offset + inner.Offset
	}
	return out
}
