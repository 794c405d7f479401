package check

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/internal/casegen"
)

// parseBothWays parses data with the fast case reader and without it.
func parseBothWays(t *testing.T, path string, data []byte) (fast, nodes *File, fastErr, nodesErr error) {
	t.Helper()
	defer func() { fastJSONCases = true }()
	fastJSONCases = true
	fast, fastErr = Parse(path, bytes.Clone(data))
	fastJSONCases = false
	nodes, nodesErr = Parse(path, bytes.Clone(data))
	return
}

// sameParse reports how two parses of one file differ, or "".
func sameParse(fast, nodes *File, fastErr, nodesErr error) string {
	if (fastErr == nil) != (nodesErr == nil) || fastErr != nil && fastErr.Error() != nodesErr.Error() {
		return "errors differ: fast " + errString(fastErr) + ", nodes " + errString(nodesErr)
	}
	if fastErr != nil {
		return ""
	}
	if len(fast.Cases) != len(nodes.Cases) {
		return "numbers of cases differ"
	}
	for i := range fast.Cases {
		if !reflect.DeepEqual(fast.Cases[i], nodes.Cases[i]) {
			return "case " + nodes.Cases[i].Name + " differs"
		}
	}
	if !reflect.DeepEqual(fast.Policies, nodes.Policies) || !reflect.DeepEqual(fast.Environment, nodes.Environment) {
		return "header differs"
	}
	return ""
}

func errString(err error) string {
	if err == nil {
		return "none"
	}
	return err.Error()
}

// TestFastCaseMatchesNodes: the fast reader of JSON cases reads every case
// into the Case the node tree gives, with the same errors, on the realistic
// cases and on cases it must give up (escapes, non-string values, unknown
// keys, layers not seen before, errors).
func TestFastCaseMatchesNodes(t *testing.T) {
	var b bytes.Buffer
	if err := casegen.WriteJSON(&b, 300); err != nil {
		t.Fatal(err)
	}
	head := `{"version": 1, "policies": {"p": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}, "q": "q.json"},` + "\n" + `"cases": [` + "\n"
	base := `"principal": "arn:aws:iam::111122223333:role/r", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "layers": {"identity": ["p"]}, "expect": "allow"`
	variants := []string{
		base,
		`"principal": "arn:aws:iam::111122223333:role/r", "action": ["s3:GetObject", "s3:PutObject"], "resource": ["arn:aws:s3:::b/k", "arn:aws:s3:::b/é"], "layers": {"identity": ["p"], "scp": [["p"], ["p", "p"]], "rcp": [], "resource": null, "boundary": "p"}, "expect": "deny"`,
		base + `, "context": {"aws:SourceIp": "10.0.0.1", "aws:SecureTransport": true, "aws:MultiFactorAuthPresent": false, "aws:TagKeys": ["a", "b"], "aws:CalledVia": []}`,
		base + `, "context": {"aws:SourceIp": "10.0.0.1", "AWS:SOURCEIP": "10.0.0.2"}`,
		base + `, "context": {"aws:SourceIp": null}`,
		base + `, "context": {"aws:EpochTime": 1700000000}`,
		base + `, "context": {"k\u00e9": "v\n"}`,
		base + `, "context": null, "resource_account": null, "management_account": "111122223333", "description": "d"`,
		base + `, "resource_account": 111122223333`,
		base + `, "description": {"any": ["thing"]}`,
		base + `, "unknown": 1`,
		base + `, "expect": "deny"`,
		`"principal": "p", "action": [], "resource": "r", "layers": {"identity": ["p"]}, "expect": "allow"`,
		`"principal": "p", "action": "a", "resource": "r", "layers": {"identity": ["p"]}, "expect": "maybe"`,
		`"principal": "p", "action": "a", "resource": "r", "layers": {"identity": ["nope"]}, "expect": "allow"`,
		`"principal": "p", "action": "a", "resource": "r", "layers": {"identity": ["q"]}, "expect": "allow"`,
		`"principal": "p", "action": "a", "resource": "r", "layers": {"identity": [{"Statement": []}]}, "expect": "allow"`,
		`"principal": "p", "action": "a", "resource": "r", "layers": {"block_public_access": true, "identity": ["p"]}, "expect": "allow"`,
		`"principal": "p", "action": "a", "resource": "r", "layers": {"identity": ["p"], "identity": ["p"]}, "expect": "allow"`,
		`"principal": "p", "action": "a", "resource": "r", "layers": {"identity": ["p"]}`,
		`"principal": "p", "action": "a", "resource": "r", "layers": {}, "expect": "allow"`,
		`"principal": "p", "action": "a", "resource": "r", "layers": {"scp": [[[["p"]]]]}, "expect": "allow"`,
		`"principal": "p", "action": "a", "resource": "r", "layers": "p", "expect": "allow"`,
		`"principal": "p", "action": "a", "resource": "r", "expect": "allow"`,
		`"principal": ["p"], "action": "a", "resource": "r", "expect": "allow"`,
		`"principal": "p\"q", "action": "a", "resource": "r", "expect": "allow", "expect": "deny"`,
	}
	var cases []string
	for i, v := range variants {
		// Each variant twice, so the second meets layers the first made.
		for j := 0; j < 2; j++ {
			cases = append(cases, "{"+`"name": "v`+string(rune('a'+i))+string(rune('0'+j))+`", `+v+"}")
		}
	}
	docs := [][]byte{b.Bytes(), []byte(head + strings.Join(cases, ",\n") + "\n]}")}
	// Each variant alone, so its error is the file's.
	for i := range cases {
		docs = append(docs, []byte(head+cases[i]+", "+cases[i]+"]}"))
		docs = append(docs, []byte(head+`{"name": "x", `+base+"}, "+cases[i]+"]}"))
	}
	for _, doc := range docs {
		fast, nodes, fe, ne := parseBothWays(t, "f.json", doc)
		if d := sameParse(fast, nodes, fe, ne); d != "" {
			t.Errorf("%s\n%s", d, doc)
		}
	}
}

// FuzzFastCase: on any JSON check file, the fast reader of cases and the
// node tree read the same cases or report the same error.
func FuzzFastCase(f *testing.F) {
	f.Add([]byte(`{"version": 1, "policies": {"p": {"Statement": []}}, "cases": [{"name": "a", "principal": "p", "action": ["a", "b"], "resource": "r", "context": {"k": "v", "l": ["x"], "m": true}, "layers": {"identity": ["p"], "scp": [["p"]]}, "expect": "allow"}, {"name": "b", "principal": "p", "action": "a", "resource": "r", "layers": {"identity": ["p"], "scp": [["p"]]}, "expect": "deny"}]}`))
	f.Add([]byte("{\"policies\": {\"p\": {}},\r\n\"cases\": [{\"name\": \"\u00e9\", \"principal\": \"p\", \"action\": \"a\", \"resource\": \"r\", \"layers\": null, \"expect\": \"allow\"}]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, nodes, fe, ne := parseBothWays(t, "f.json", data)
		if d := sameParse(fast, nodes, fe, ne); d != "" {
			t.Fatal(d)
		}
	})
}

// TestFastYAMLCasesMatchNodes: a large YAML file read chunk by chunk
// straight into cases gives the cases and the errors of the plain path,
// also when one case somewhere has an error or is outside the fast subset.
func TestFastYAMLCasesMatchNodes(t *testing.T) {
	var b bytes.Buffer
	if err := casegen.WriteYAML(&b, 3000); err != nil {
		t.Fatal(err)
	}
	doc := b.String()
	if len(doc) < parallelParseMin {
		t.Fatalf("%d bytes: too small for the parallel path", len(doc))
	}
	defer func() { fastYAMLCases, fastYAMLDirect = true, true }()
	fastYAMLCases = true
	fast, fe := Parse("f.yaml", []byte(doc))
	fastYAMLCases = false
	nodes, ne := Parse("f.yaml", []byte(doc))
	if d := sameParse(fast, nodes, fe, ne); d != "" {
		t.Error(d)
	}
	fastYAMLCases = true
	// The edits on a smaller file, read by the chunked reader whatever
	// its size: when it accepts a file, it reads what yaml.v3 reads.
	b.Reset()
	if err := casegen.WriteYAML(&b, 300); err != nil {
		t.Fatal(err)
	}
	doc = b.String()
	if _, ok := parseSplitYAML([]byte(doc)); !ok {
		t.Fatal("the chunked reader gave up the generated file")
	}
	both := func(data string) {
		t.Helper()
		if d := yamlReadersDiffer(data); d != "" {
			t.Error(d)
		}
	}
	both(doc)
	// Edits of one case, near the start, the middle and the end.
	edits := [][2]string{
		{"    expect: allow\n", "    expect: maybe\n"},
		{"    expect: allow\n", "    expect: allow\n    expect: deny\n"},
		{"    expect: allow\n", "    expect: allow\n    extra: 1\n"},
		{"    action: s3:GetObject\n", "    action: []\n"},
		{"  - name: case 1", "  - name: case 0"},
		{"    expect: allow\n", "    expect: &a allow\n"},
		{"      aws:SecureTransport: \"true\"\n", "      aws:SecureTransport: \"true\"\n      AWS:SECURETRANSPORT: x\n"},
		{"      identity: [app-", "      identity: [{Statement: []}, app-"},
		// Forms the direct reader leaves to the nodes, and forms it reads.
		{"    expect: allow\n", "    expect: allow # why\n    # a comment\n\n    description: 'd'\n    management_account: ~\n"},
		{"    expect: allow\n", "    expect: allow\n    description: [a, {b: c}]\n"},
		{"    expect: allow\n", "    expect:\n"},
		{"    expect: allow\n", "    expect: \"allow\"\n"},
		{"    resource_account: \"111122223333\"\n", "    resource_account: 111122223333\n"},
		{"    resource_account: \"111122223333\"\n", "    resource_account:\n"},
		{"    resource_account: \"111122223333\"\n", "    resource_account: null\n"},
		{"    action: s3:GetObject\n", "    action: [s3:GetObject, 's3:Put*', \"s3:List*\"]\n"},
		{"    action: s3:GetObject\n", "    action:\n      - s3:GetObject\n"},
		{"    action: s3:GetObject\n", "    action: [s3:GetObject, [s3:PutObject]]\n"},
		{"    context:\n", "    context: # keys\n"},
		{"    context:\n", "    context: {aws:SourceIp: 10.0.0.1}\n    x:\n"},
		{"      aws:SecureTransport: \"true\"\n", "      aws:SecureTransport: true\n      aws:TagKeys: [a, 'b']\n      aws:CalledVia: []\n"},
		{"      aws:SecureTransport: \"true\"\n", "      aws:SecureTransport:\n"},
		{"      aws:SecureTransport: \"true\"\n", "      aws:SecureTransport: ~\n"},
		{"      aws:SecureTransport: \"true\"\n", "      aws:SecureTransport: [[a]]\n"},
		{"      aws:SecureTransport: \"true\"\n", "      aws:SecureTransport: 2024-01-01\n"},
		{"      aws:SecureTransport: \"true\"\n", "       aws:SecureTransport: \"true\"\n"},
		{"    layers:\n", "    layers: # which\n"},
		{"    layers:\n", "    layers: null\n    layerz:\n"},
		{"      identity: [app-", "      identity: [~, app-"},
		{"      identity: [app-", "      identity: ['null', app-"},
		{"      identity: [app-", "      boundary: analyst\n      identity: [app-"},
		{"      identity: [app-", "      identity: [app-1, app-"},
		{"      identity: [app-", "      identity: [nope, app-"},
		{"      identity: [app-", "      identity:\n      - app-"},
		{"      rcp: [[org-only-rcp]]\n", "      rcp: [[[[[org-only-rcp]]]]]\n"},
		{"      rcp: [[org-only-rcp]]\n", "      rcp:\n"},
		{"      rcp: [[org-only-rcp]]\n", "      rcp: []\n      scp: []\n"},
		{"  - name: case 1", "  -   name: case 1"},
		{"  - name: case 1", "  - name: case 1: more"},
		{"  - name: case 1", "  - name: \"case 1\""},
		{"  - name: case 1", "  - name:case 1"},
	}
	for k, e := range edits {
		for _, at := range editPositions(k, []int{0, len(doc) / 2, len(doc) - 2000}) {
			i := strings.Index(doc[at:], e[0])
			if i < 0 {
				continue
			}
			i += at
			both(doc[:i] + e[1] + doc[i+len(e[0]):])
		}
	}
}

// TestSplitJSONCasesMatchNodes: a large JSON file read in two halves gives
// the cases and the errors of one reader, whatever case holds an error or
// a form the fast reader leaves to the nodes, before or after the split.
func TestSplitJSONCasesMatchNodes(t *testing.T) {
	var b bytes.Buffer
	if err := casegen.WriteJSON(&b, 3000); err != nil {
		t.Fatal(err)
	}
	doc := b.String()
	if len(doc) < parallelParseMin+64<<10 {
		t.Fatalf("%d bytes: too small to be split", len(doc))
	}
	if h := splitJSONCases(&File{}, []byte(doc), strings.Index(doc, `"cases"`)); h == nil {
		t.Fatal("no split")
	} else {
		h.wait()
	}
	both := func(data string) {
		t.Helper()
		fast, nodes, fe, ne := parseBothWays(t, "f.json", []byte(data))
		if d := sameParse(fast, nodes, fe, ne); d != "" {
			t.Error(d)
		}
	}
	both(doc)
	edits := [][2]string{
		{`"expect":"allow"`, `"expect":"maybe"`},
		{`"expect":"allow"`, `"expect":"allow","expect":"deny"`},
		{`"expect":"allow"`, `"expect":"allow","x":1`},
		{`"name":"case 1"`, `"name":"case 0"`},
		{`"expect":"allow"`, `"expect":"allow","description":{"a":[1]}`},
		{`"expect":"allow"}`, `"expect":"allow"`},
		{`"action":"s3:GetObject"`, `"action":"s3:Get\u004fbject"`},
		{`"action":"s3:GetObject"`, `"action":"s3:GetObject`},
		{"\n", "\r\n"},
	}
	for k, e := range edits {
		for _, at := range editPositions(k, []int{0, len(doc)/2 - 3000, len(doc)/2 + 500, len(doc) - 3000}) {
			i := strings.Index(doc[at:], e[0])
			if i < 0 {
				continue
			}
			i += at
			both(doc[:i] + e[1] + doc[i+len(e[0]):])
		}
	}
	// The name of a case of the second half given again in the first.
	last := doc[strings.LastIndex(doc, `"name":"`):]
	name := last[:strings.Index(last[len(`"name":"`):], `"`)+len(`"name":"`)+1]
	both(strings.Replace(doc, `"name":"case 5"`, name, 1))
}

// yamlReadersDiffer reads a YAML check file with yaml.v3 and, when the
// chunked reader accepts it, with that reader, reading cases straight
// from the text and from the fast subset's nodes; it reports how they
// differ, or "".
func yamlReadersDiffer(data string) string {
	defer func() { fastYAMLDirect = true }()
	want, err := parse("f.yaml", []byte(data), nil)
	for _, direct := range []bool{true, false} {
		fastYAMLDirect = direct
		got, ok := parseSplitYAML([]byte(data))
		if !ok {
			continue
		}
		if d := sameParse(got, want, nil, err); d != "" {
			return fmt.Sprintf("direct %v: %s", direct, d)
		}
	}
	return ""
}

// editPositions gives the positions the k-th edit of a comparison is made
// at: all of them, or under the race detector one of them in turn (so each
// position still meets several edits).
func editPositions(k int, at []int) []int {
	if raceEnabled {
		return at[k%len(at) : k%len(at)+1]
	}
	return at
}
