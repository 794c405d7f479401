package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestWhoCanOwner: each user and role answer names its owner tag
// (--owner-tag), null for none; the text says no_owner.
func TestWhoCanOwner(t *testing.T) {
	args := []string{"who-can", "sts:AssumeRole", "arn:aws:iam::111122223333:role/developer", "--env", "../../examples/env"}
	var out, errb bytes.Buffer
	Main(append(args, "--owner-tag", "team", "-o", "json"), Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	var r struct {
		Answers []struct {
			Principal string  `json:"principal"`
			Owner     *string `json:"owner"`
		} `json:"answers"`
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s %s", err, out.String(), errb.String())
	}
	found := false
	for _, a := range r.Answers {
		if a.Principal == "arn:aws:iam::111122223333:user/alice" {
			found = a.Owner != nil && *a.Owner == "payments"
		}
	}
	if !found || !strings.Contains(out.String(), `"owner": null`) {
		t.Errorf("alice's owner is not payments, or no answer has a null owner: %s", out.String())
	}
	out.Reset()
	Main(args, Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	if !strings.Contains(out.String(), "  owner: no_owner\n") {
		t.Errorf("text lacks the no_owner column: %s", out.String())
	}
}
