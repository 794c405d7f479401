package jsonenc

import (
	"encoding/json"
	"testing"
)

func TestMarshalKeepsHTML(t *testing.T) {
	b, err := Marshal(map[string]string{"s": "a < b && c > d"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"s":"a < b && c > d"}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestMerge(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want string
	}{
		{[]string{`{"a":1}`, `{"b":[2],"c":null}`}, `{"a":1,"b":[2],"c":null}`},
		{[]string{`{}`, ` {"b":2} `, `{}`}, `{"b":2}`},
		{[]string{`{}`}, `{}`},
	} {
		var in [][]byte
		for _, s := range c.in {
			in = append(in, []byte(s))
		}
		got, err := Merge(in...)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != c.want || !json.Valid(got) {
			t.Errorf("Merge(%q) = %s, want %s", c.in, got, c.want)
		}
	}
	for _, bad := range []string{`[]`, `null`, `{`, ``} {
		if _, err := Merge([]byte(bad)); err == nil {
			t.Errorf("Merge(%q): no error", bad)
		}
	}
}

func TestNullAndList(t *testing.T) {
	if Null("") != nil || *Null("x") != "x" {
		t.Error("Null")
	}
	b, _ := Marshal(struct {
		L []int `json:"l"`
	}{List[int](nil)})
	if string(b) != `{"l":[]}` {
		t.Errorf("List: %s", b)
	}
}
