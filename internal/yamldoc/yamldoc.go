// Package yamldoc holds iamwhy's rules for YAML documents read with
// yaml.v3 into nodes (check files, environments, organisation files,
// records): a key given twice in one mapping is an error, as it is in
// policy documents (JSON would silently keep one of them), and aliases may
// not expand a document past a bound (a file of a few hundred bytes whose
// anchors refer to each other expands to gigabytes: the "billion laughs").
package yamldoc

import (
	"fmt"

	"github.com/iamwhy/iamwhy/policy"
	"gopkg.in/yaml.v3"
)

// MaxExpanded bounds the size of a document once every alias is replaced
// by what it refers to, counted as the length of every scalar plus one per
// node (about the bytes of the expanded text). Real check files and
// environments use few aliases; 32 MiB is far more than any expands to.
const MaxExpanded = 32 << 20

// Error is a problem at a place in the document.
type Error struct {
	Line, Col int
	Msg       string
}

func (e *Error) Error() string { return e.Pos().String() + ": " + e.Msg }

// Pos is where the problem is (without the file, which the caller knows).
func (e *Error) Pos() policy.Pos { return policy.At("", e.Line, e.Col) }

// Check returns the first duplicate key of any mapping in the tree under n
// (in document order), or an error when aliases expand the tree past
// MaxExpanded.
func Check(n *yaml.Node) error {
	if err := duplicates(n); err != nil {
		return err
	}
	return CheckAliases(n)
}

func duplicates(n *yaml.Node) error {
	if n == nil || n.Kind == yaml.AliasNode {
		return nil // the anchored node is checked where it is written
	}
	if n.Kind == yaml.MappingNode {
		var seen map[string]*yaml.Node
		if len(n.Content) > 16 {
			seen = make(map[string]*yaml.Node, len(n.Content)/2)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind == yaml.ScalarNode && k.Value != "<<" {
				var prev *yaml.Node
				if seen != nil {
					prev = seen[k.Value]
					if prev == nil {
						seen[k.Value] = k
					}
				} else {
					// Few keys: a scan is cheaper than a map.
					for j := 0; j < i; j += 2 {
						if o := n.Content[j]; o.Kind == yaml.ScalarNode && o.Value == k.Value {
							prev = o
							break
						}
					}
				}
				if prev != nil {
					return &Error{Line: k.Line, Col: k.Column, Msg: fmt.Sprintf("key %q given twice (first at %s)", k.Value, policy.At("", prev.Line, prev.Column).LineCol())}
				}
			}
		}
	}
	for _, c := range n.Content {
		if err := duplicates(c); err != nil {
			return err
		}
	}
	return nil
}

// CheckAliases returns an error when the tree under n, with every alias
// expanded, is larger than MaxExpanded. It counts without
// expanding (each node's expanded size is computed once).
func CheckAliases(n *yaml.Node) error {
	if !hasAlias(n, 0) {
		return nil
	}
	memo := map[*yaml.Node]int64{}
	var size func(n *yaml.Node, depth int) int64
	size = func(n *yaml.Node, depth int) int64 {
		if n == nil {
			return 0
		}
		if depth > 10_000 {
			return MaxExpanded + 1 // an alias cycle: refuse
		}
		if v, ok := memo[n]; ok {
			return v
		}
		total := 1 + int64(len(n.Value))
		if n.Kind == yaml.AliasNode {
			total += size(n.Alias, depth+1)
		}
		for _, c := range n.Content {
			total += size(c, depth+1)
			if total > MaxExpanded {
				break
			}
		}
		if total > MaxExpanded {
			total = MaxExpanded + 1
		}
		memo[n] = total
		return total
	}
	if size(n, 0) > MaxExpanded {
		return &Error{Line: n.Line, Col: n.Column, Msg: fmt.Sprintf("YAML aliases make the document larger than %d MiB once expanded: refused", MaxExpanded>>20)}
	}
	return nil
}

func hasAlias(n *yaml.Node, depth int) bool {
	if n == nil || depth > 10_000 {
		return n != nil
	}
	if n.Kind == yaml.AliasNode {
		return true
	}
	for _, c := range n.Content {
		if hasAlias(c, depth+1) {
			return true
		}
	}
	return false
}
