package catalog

import (
	"strings"
	"testing"
)

func TestFindActions(t *testing.T) {
	c := Default()
	names := func(s *ActionSearch) []string {
		var out []string
		for _, a := range s.Actions {
			out = append(out, a.Action)
		}
		return out
	}
	// Several patterns: the union, in the catalog's order, each once.
	s, err := c.FindActions(ActionQuery{Patterns: []string{"s3:GetObject", "iam:GetRole", "s3:getobject"}})
	if err != nil || strings.Join(names(s), ",") != "iam:GetRole,s3:GetObject" {
		t.Fatalf("union: %v %v", names(s), err)
	}
	// A resource keeps the actions that work on its type.
	s, err = c.FindActions(ActionQuery{Patterns: []string{"s3:Get*"}, Resource: "arn:aws:s3:::b/k", AccessLevels: []AccessLevel{AccessRead}})
	if err != nil || len(s.Actions) == 0 || s.Resource == nil || len(s.Resource.Types) != 1 || s.Resource.Types[0].Name != "object" {
		t.Fatalf("resource: %+v %v", s, err)
	}
	for _, a := range s.Actions {
		if a.Action == "s3:GetBucketPolicy" || a.AccessLevel != "Read" {
			t.Errorf("%s (%s) does not work on an object at the Read level", a.Action, a.AccessLevel)
		}
	}
	// An empty result says why.
	s, _ = c.FindActions(ActionQuery{Patterns: []string{"GetObject", "nosuchsvc:Get*"}})
	if len(s.Actions) != 0 || len(s.Hints) != 2 {
		t.Fatalf("hints %q", s.Hints)
	}
	if _, err := c.FindActions(ActionQuery{Resource: "my-bucket"}); err == nil {
		t.Fatal("a resource that is not an ARN is an error")
	}
	s, _ = c.FindActions(ActionQuery{Patterns: []string{"s3:GetObject"}, Details: true})
	if len(s.Actions) != 1 || len(s.Actions[0].ResourceTypes) == 0 || s.Actions[0].Description == "" {
		t.Fatalf("details %+v", s.Actions)
	}
}
