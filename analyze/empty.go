package analyze

import (
	"bytes"
	"encoding/json"
	"sort"

	"github.com/iamwhy/iamwhy/policy"
)

// emptyConditions finds "Condition": {} and operator blocks that name no
// key ("StringEquals": {}) in a document that parsed. AWS accepts both and
// both test nothing, so they only mislead a reader. The policy model keeps
// no trace of them, so the JSON is scanned again for their positions.
func emptyConditions(data []byte, res *Result, stmts []policy.Statement) {
	if !hasEmptyObject(data) {
		return
	}
	s := &emptyScan{dec: json.NewDecoder(bytes.NewReader(data)), lines: newLineIndex(data), res: res, stmts: stmts, stmt: -1}
	s.value(nil)
}

type emptyScan struct {
	dec   *json.Decoder
	lines lineIndex
	res   *Result
	stmts []policy.Statement
	stmt  int // index of the statement being read
}

// value reads one JSON value at path (object keys, "[]" for array items).
func (s *emptyScan) value(path []string) bool {
	tok, err := s.dec.Token()
	if err != nil {
		return false
	}
	switch tok {
	case json.Delim('{'):
		start := s.dec.InputOffset() - 1
		if isStatement(path) {
			s.stmt++
		}
		if !s.dec.More() {
			s.empty(path, start)
		}
		for s.dec.More() {
			k, err := s.dec.Token()
			key, ok := k.(string)
			if err != nil || !ok || !s.value(append(path, key)) {
				return false
			}
		}
		_, err = s.dec.Token()
		return err == nil
	case json.Delim('['):
		for s.dec.More() {
			if !s.value(append(path, "[]")) {
				return false
			}
		}
		_, err = s.dec.Token()
		return err == nil
	}
	return true
}

// isStatement: the object at path is a statement ("Statement": {...} or
// an item of "Statement": [...]).
func isStatement(path []string) bool {
	n := len(path)
	return n == 1 && path[0] == "Statement" || n == 2 && path[0] == "Statement" && path[1] == "[]"
}

func (s *emptyScan) empty(path []string, off int64) {
	n := len(path)
	if n < 2 {
		return
	}
	label := ""
	if s.stmt >= 0 && s.stmt < len(s.stmts) {
		label = s.stmts[s.stmt].Label()
	}
	switch {
	case path[n-1] == "Condition" && isStatement(path[:n-1]):
		s.res.add("EMPTY_CONDITION_BLOCK", s.lines.pos(off), label, "the Condition block is empty: it tests nothing; remove it")
	case n >= 3 && path[n-2] == "Condition" && isStatement(path[:n-2]):
		s.res.add("EMPTY_CONDITION_BLOCK", s.lines.pos(off), label, "the %s block names no condition key: it tests nothing; remove it", path[n-1])
	}
}

// lineIndex turns byte offsets into line:column (1-based, columns in
// bytes, as package policy counts them).
type lineIndex []int64 // offsets at which lines start

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, b := range data {
		if b == '\n' {
			idx = append(idx, int64(i+1))
		}
	}
	return idx
}

func (l lineIndex) pos(off int64) policy.Pos {
	i := sort.Search(len(l), func(i int) bool { return l[i] > off }) - 1
	return policy.Pos{Line: i + 1, Col: int(off-l[i]) + 1}
}

// hasEmptyObject reports whether the text has a '{' followed, after
// whitespace, by '}': without one there is nothing to find (most
// documents), and the rescan is skipped.
func hasEmptyObject(data []byte) bool {
	for i := 0; i < len(data); i++ {
		if data[i] != '{' {
			continue
		}
		j := i + 1
		for j < len(data) && (data[j] == ' ' || data[j] == '\t' || data[j] == '\n' || data[j] == '\r') {
			j++
		}
		if j < len(data) && data[j] == '}' {
			return true
		}
	}
	return false
}
