package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// mcpPipe runs `iamwhy mcp ARGS` on a pair of pipes and speaks raw
// newline-delimited JSON-RPC to it, as an MCP client on stdio does.
type mcpPipe struct {
	t    *testing.T
	in   *io.PipeWriter
	out  *bufio.Reader
	done chan int
	id   int
}

func startMCP(t *testing.T, args ...string) *mcpPipe {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	var stderr bytes.Buffer
	p := &mcpPipe{t: t, in: inW, out: bufio.NewReaderSize(outR, 1<<20), done: make(chan int, 1)}
	go func() {
		code := Main(append([]string{"mcp"}, args...), Streams{In: inR, Out: outW, Err: &stderr})
		outW.Close()
		p.done <- code
	}()
	t.Cleanup(func() {
		inW.Close()
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			t.Errorf("mcp server did not stop when its input closed")
		}
	})
	p.request("initialize", map[string]any{
		"protocolVersion": "2025-06-18",
		"capabilities":    map[string]any{},
		"clientInfo":      map[string]any{"name": "test", "version": "0"},
	})
	p.send(map[string]any{"jsonrpc": "2.0", "method": "notifications/initialized"})
	return p
}

func (p *mcpPipe) send(msg any) {
	p.t.Helper()
	b, err := json.Marshal(msg)
	if err != nil {
		p.t.Fatal(err)
	}
	if _, err := p.in.Write(append(b, '\n')); err != nil {
		p.t.Fatal(err)
	}
}

// rpcReply is a JSON-RPC response.
type rpcReply struct {
	ID     int             `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// request sends one request and returns its response (skipping any
// notification the server sends in between).
func (p *mcpPipe) request(method string, params any) rpcReply {
	p.t.Helper()
	p.id++
	p.send(map[string]any{"jsonrpc": "2.0", "id": p.id, "method": method, "params": params})
	for {
		line, err := p.out.ReadBytes('\n')
		if err != nil {
			p.t.Fatalf("reading the reply to %s: %v", method, err)
		}
		var r rpcReply
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(line, &probe); err != nil {
			p.t.Fatalf("the server wrote a line that is not JSON: %q", line)
		}
		if _, ok := probe["id"]; !ok {
			continue
		}
		if err := json.Unmarshal(line, &r); err != nil {
			p.t.Fatal(err)
		}
		if r.ID != p.id {
			p.t.Fatalf("reply id %d, want %d", r.ID, p.id)
		}
		return r
	}
}

// toolResult is a tools/call result.
type toolResult struct {
	Content []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"`
	StructuredContent map[string]any `json:"structuredContent"`
	IsError           bool           `json:"isError"`
}

func (p *mcpPipe) call(tool string, args any) (toolResult, *rpcReply) {
	p.t.Helper()
	r := p.request("tools/call", map[string]any{"name": tool, "arguments": args})
	if r.Error != nil {
		return toolResult{}, &r
	}
	var res toolResult
	if err := json.Unmarshal(r.Result, &res); err != nil {
		p.t.Fatal(err)
	}
	return res, nil
}

// cliJSON runs the same question as a command and returns its JSON.
func cliJSON(t *testing.T, stdin string, args ...string) map[string]any {
	t.Helper()
	var out, errb bytes.Buffer
	Main(args, Streams{In: strings.NewReader(stdin), Out: &out, Err: &errb})
	var v map[string]any
	dec := json.NewDecoder(&out)
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("iamwhy %s: not JSON: %v (stderr %s)", strings.Join(args, " "), err, errb.String())
	}
	return v
}

func jsonEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Errorf("%s: the tool's JSON differs from the CLI's:\n tool %s\n  cli %s", what, g, w)
	}
}

const mcpS3Denial = `An error occurred (AccessDenied) when calling the GetObject operation: User: arn:aws:sts::111122223333:assumed-role/app/fn is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::cfg/app.json" because no resource-based policy allows the s3:GetObject action`

func TestMCPToolsList(t *testing.T) {
	p := startMCP(t)
	r := p.request("tools/list", map[string]any{})
	if r.Error != nil {
		t.Fatal(r.Error.Message)
	}
	var res struct {
		Tools []struct {
			Name        string         `json:"name"`
			InputSchema map[string]any `json:"inputSchema"`
			Annotations map[string]any `json:"annotations"`
		} `json:"tools"`
	}
	if err := json.Unmarshal(r.Result, &res); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range res.Tools {
		names = append(names, tl.Name)
		if tl.InputSchema["type"] != "object" {
			t.Errorf("%s: input schema type %v", tl.Name, tl.InputSchema["type"])
		}
		if tl.Annotations["readOnlyHint"] != true {
			t.Errorf("%s: not marked read-only", tl.Name)
		}
	}
	got := strings.Join(names, ",")
	for _, want := range []string{"explain", "diagnose", "simulate", "who_can", "can", "lint", "trail_denied", "generate", "access_diff", "unused", "trust", "drift"} {
		if !strings.Contains(","+got+",", ","+want+",") {
			t.Errorf("tools/list lacks %s (got %s)", want, got)
		}
	}
}

func TestMCPToolsAnswerAsTheCLI(t *testing.T) {
	p := startMCP(t, "--env", "../../examples/env", "--trail", "../../trail/testdata/shapes/lines.jsonl")
	policyDoc := map[string]any{"Version": "2012-10-17", "Statement": []any{
		map[string]any{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::cfg/*"},
	}}
	policyText, _ := json.Marshal(policyDoc)
	const alice = "arn:aws:sts::111122223333:assumed-role/developer/alice"
	cases := []struct {
		tool  string
		args  map[string]any
		stdin string
		cli   []string
	}{
		{"explain", map[string]any{"message": mcpS3Denial}, mcpS3Denial, []string{"explain", "-o", "json", "-"}},
		{"lint", map[string]any{"policy": policyDoc}, string(policyText), []string{"lint", "--output", "json", "--policy-type", "identity", "-"}},
		{"lint", map[string]any{"policy": string(policyText), "policy_type": "identity"}, string(policyText), []string{"lint", "--output", "json", "--policy-type", "identity", "-"}},
		{"diagnose", map[string]any{"principal": alice, "action": "iam:CreateRole", "resource": "arn:aws:iam::111122223333:role/app/new-role",
			"context": map[string]any{"aws:RequestedRegion": "us-east-1"}}, "",
			[]string{"diagnose", "--output", "json", "--env", "../../examples/env", "--principal", alice, "--action", "iam:CreateRole",
				"--resource", "arn:aws:iam::111122223333:role/app/new-role", "--context", "aws:RequestedRegion=us-east-1"}},
		{"simulate", map[string]any{"principal": alice, "action": "iam:CreateRole", "resource": "arn:aws:iam::111122223333:role/app/new-role",
			"context": map[string]any{"aws:RequestedRegion": "us-east-1"}}, "",
			[]string{"simulate", "--output", "json", "--env", "../../examples/env", "--principal", alice, "--action", "iam:CreateRole",
				"--resource", "arn:aws:iam::111122223333:role/app/new-role", "--context", "aws:RequestedRegion=us-east-1"}},
		{"who_can", map[string]any{"action": "s3:GetObject", "resource": "arn:aws:s3:::example-data-config/app/settings.json"}, "",
			[]string{"who-can", "--output", "json", "--env", "../../examples/env", "s3:GetObject", "arn:aws:s3:::example-data-config/app/settings.json"}},
		{"can", map[string]any{"principal": alice, "services": []any{"s3"}}, "",
			[]string{"can", "--output", "json", "--env", "../../examples/env", "--service", "s3", alice}},
		{"trail_denied", map[string]any{}, "", []string{"trail", "denied", "--output", "json", "../../trail/testdata/shapes/lines.jsonl"}},
	}
	for _, tc := range cases {
		t.Run(tc.tool, func(t *testing.T) {
			res, rpcErr := p.call(tc.tool, tc.args)
			if rpcErr != nil {
				t.Fatalf("JSON-RPC error %d: %s", rpcErr.Error.Code, rpcErr.Error.Message)
			}
			if res.IsError {
				t.Fatalf("tool error: %+v", res.Content)
			}
			want := cliJSON(t, tc.stdin, tc.cli...)
			jsonEqual(t, tc.tool+" structuredContent", res.StructuredContent, want)
			if len(res.Content) != 1 || res.Content[0].Type != "text" {
				t.Fatalf("content: %+v", res.Content)
			}
			var text map[string]any
			if err := json.Unmarshal([]byte(res.Content[0].Text), &text); err != nil {
				t.Fatalf("text content is not the JSON: %v", err)
			}
		})
	}
}

func TestMCPSimulateWithPolicies(t *testing.T) {
	p := startMCP(t)
	deny := map[string]any{"Version": "2012-10-17", "Statement": []any{
		map[string]any{"Sid": "DenyOutsideEU", "Effect": "Deny", "Action": "*", "Resource": "*",
			"Condition": map[string]any{"StringNotEquals": map[string]any{"aws:RequestedRegion": []any{"eu-west-1"}}}},
	}}
	allowAll := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": "*", "Resource": "*"}}}
	identity := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*"}}}
	for _, tc := range []struct {
		region, want string
	}{{"eu-west-1", "allow"}, {"us-east-1", "explicit-deny"}} {
		res, rpcErr := p.call("simulate", map[string]any{
			"principal": "arn:aws:iam::111122223333:user/ops", "action": "ec2:DescribeInstances",
			"context":  map[string]any{"aws:RequestedRegion": tc.region},
			"policies": map[string]any{"identity": []any{identity}, "scp": []any{[]any{allowAll}, []any{allowAll, deny}}},
		})
		if rpcErr != nil {
			t.Fatalf("%s: JSON-RPC error: %s", tc.region, rpcErr.Error.Message)
		}
		got := fmt.Sprint(res.StructuredContent["decision"])
		if got == "<nil>" {
			// The decision may sit in a list of results.
			b, _ := json.Marshal(res.StructuredContent)
			if !strings.Contains(string(b), `"`+tc.want+`"`) {
				t.Errorf("%s: want %s in %s", tc.region, tc.want, b)
			}
			continue
		}
		if !strings.EqualFold(got, tc.want) {
			t.Errorf("%s: decision %s, want %s", tc.region, got, tc.want)
		}
	}
}

func TestMCPBadArgumentsAreJSONRPCErrors(t *testing.T) {
	p := startMCP(t)
	for _, tc := range []struct {
		name, tool string
		args       any
		want       string
	}{
		{"missing required", "explain", map[string]any{}, "message"},
		{"empty message", "explain", map[string]any{"message": "  "}, "message is required"},
		{"unknown argument", "explain", map[string]any{"message": "x", "bogus": 1}, "bogus"},
		{"wrong type", "explain", map[string]any{"message": 42}, "message"},
		{"bad policy type", "lint", map[string]any{"policy": map[string]any{}, "policy_type": "nope"}, "policy_type"},
		{"policy not JSON", "lint", map[string]any{"policy": "/etc/passwd"}, "not a JSON policy document"},
		{"policy a number", "lint", map[string]any{"policy": 3}, "policy"},
		{"no environment", "who_can", map[string]any{"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}, "without an environment"},
		{"no trail", "trail_denied", map[string]any{}, "without a trail"},
		{"bad context", "simulate", map[string]any{"principal": "arn:aws:iam::111122223333:user/u", "action": "s3:GetObject",
			"context": map[string]any{"aws:SourceIp": map[string]any{}}, "policies": map[string]any{}}, "context"},
		{"command rejects input", "simulate", map[string]any{"principal": "arn:aws:iam::111122223333:user/u", "action": "s3:GetObject",
			"policies": map[string]any{"identity": []any{map[string]any{"Version": "2012-10-17", "Statement": "nope"}}}}, ""},
		{"unknown tool", "no_such_tool", map[string]any{}, "unknown tool"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, rpcErr := p.call(tc.tool, tc.args)
			if rpcErr == nil {
				t.Fatalf("want a JSON-RPC error")
			}
			if rpcErr.Error.Code != -32602 {
				t.Errorf("code %d, want -32602 (invalid params)", rpcErr.Error.Code)
			}
			if rpcErr.Error.Message == "" || !strings.Contains(rpcErr.Error.Message, tc.want) {
				t.Errorf("message %q, want it to mention %q", rpcErr.Error.Message, tc.want)
			}
		})
	}
	// The server is still up after every bad call.
	if res, rpcErr := p.call("explain", map[string]any{"message": mcpS3Denial}); rpcErr != nil || res.StructuredContent["recognized"] != true {
		t.Fatalf("after bad calls: %+v %+v", res, rpcErr)
	}
}

func TestMCPRefusesAWSWithoutAllowAWS(t *testing.T) {
	var out, errb bytes.Buffer
	code := MainContext(context.Background(), []string{"mcp", "--trail", "s3://bucket/AWSLogs/"}, Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	if code != 2 || !strings.Contains(errb.String(), "--allow-aws") {
		t.Fatalf("exit %d, stderr %q: want exit 2 naming --allow-aws", code, errb.String())
	}
}

func TestMCPBadEnvironmentStopsAtStart(t *testing.T) {
	var out, errb bytes.Buffer
	code := Main([]string{"mcp", "--env", "testdata/no-such-env"}, Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	if code != 2 {
		t.Fatalf("exit %d, want 2 (stderr %q)", code, errb.String())
	}
}

// A plan given to the server is the environment every tool decides in:
// the role the plan creates reads its bucket, and a policy known only
// after apply leaves a decision undetermined, as `iamwhy simulate --plan`
// says.
func TestMCPPlanIsTheToolsEnvironment(t *testing.T) {
	p := startMCP(t, "--plan", "../../examples/iac/plan.json")
	for _, tc := range []struct {
		principal, action, resource, want string
	}{
		{"arn:aws:iam::111122223333:role/app", "s3:GetObject", "arn:aws:s3:::example-data/input.csv", "allow"},
		{"arn:aws:iam::111122223333:role/app", "s3:DeleteObject", "arn:aws:s3:::example-data/input.csv", "explicit-deny"},
		{"arn:aws:iam::111122223333:role/exports/exporter", "s3:PutObject", "arn:aws:s3:::example-exports/q3.csv", "undetermined"},
	} {
		res, rpcErr := p.call("simulate", map[string]any{"principal": tc.principal, "action": tc.action, "resource": tc.resource})
		if rpcErr != nil {
			t.Fatalf("%s: JSON-RPC error: %s", tc.action, rpcErr.Error.Message)
		}
		want := cliJSON(t, "", "simulate", "--output", "json", "--plan", "../../examples/iac/plan.json",
			"--principal", tc.principal, "--action", tc.action, "--resource", tc.resource)
		jsonEqual(t, tc.action, res.StructuredContent, want)
		b, _ := json.Marshal(res.StructuredContent)
		if !strings.Contains(string(b), `"decision":"`+tc.want+`"`) {
			t.Errorf("%s %s: want decision %s in %s", tc.principal, tc.action, tc.want, b)
		}
	}
}

// The drift tool answers as `iamwhy drift A B --map M` does, exit status 1
// (differences) included, and a server without two environments refuses
// it with a clear error.
func TestMCPDrift(t *testing.T) {
	ex := "../../examples/drift/"
	p := startMCP(t, "--env", ex+"staging", "--drift-env", ex+"prod", "--drift-map", ex+"map.yaml")
	res, rpcErr := p.call("drift", map[string]any{})
	if rpcErr != nil {
		t.Fatalf("JSON-RPC error: %s", rpcErr.Error.Message)
	}
	want := cliJSON(t, "", "drift", "--output", "json", "--map", ex+"map.yaml", ex+"staging", ex+"prod")
	jsonEqual(t, "drift", res.StructuredContent, want)
	if diffs, _ := res.StructuredContent["differences"].([]any); len(diffs) == 0 {
		t.Errorf("no differences between the example's staging and production")
	}
	q := startMCP(t, "--env", ex+"staging")
	if _, rpcErr := q.call("drift", map[string]any{}); rpcErr == nil || !strings.Contains(rpcErr.Error.Message, "--drift-env") {
		t.Errorf("drift without a second environment: %+v", rpcErr)
	}
}

func TestDriftFlagsAreCheckedAtStart(t *testing.T) {
	ex := "../../examples/drift/"
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no --env", []string{"--drift-env", ex + "prod"}, "needs --env"},
		{"map alone", []string{"--env", ex + "staging", "--drift-map", ex + "map.yaml"}, "needs --drift-env"},
		{"bad second environment", []string{"--env", ex + "staging", "--drift-env", "testdata/no-such-env"}, "no-such-env"},
	} {
		for _, cmd := range [][]string{{"mcp"}, {"serve", "--addr", "127.0.0.1:0"}} {
			var out, errb bytes.Buffer
			code := Main(append(cmd, tc.args...), Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
			if code != 2 || !strings.Contains(errb.String(), tc.want) {
				t.Errorf("%s %s: exit %d, stderr %q; want exit 2 naming %q", cmd, tc.name, code, errb.String(), tc.want)
			}
		}
	}
}
