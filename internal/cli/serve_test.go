package cli

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// startServe runs `iamwhy serve ARGS` on a free loopback port and returns
// the address it printed; the server stops with the test.
func startServe(t *testing.T, args ...string) *url.URL {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	var errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- MainContext(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), Streams{In: strings.NewReader(""), Out: outW, Err: &errb})
		outW.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Errorf("serve did not stop")
		}
	})
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatalf("serve printed no address: %v (stderr %s)", err, errb.String())
	}
	go io.Copy(io.Discard, outR)
	raw, ok := strings.CutPrefix(strings.TrimSpace(line), "iamwhy serving ")
	if !ok {
		t.Fatalf("first line %q", line)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// get fetches a page of the server with its token.
func get(t *testing.T, u *url.URL, path string) string {
	t.Helper()
	req, err := http.NewRequest("GET", u.Scheme+"://"+u.Host+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+u.Query().Get("token"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return string(b)
}

// serve --plan: the pages decide in the planned state, so a policy known
// only after apply shows as undetermined and the plan's new role is known.
func TestServeWithPlan(t *testing.T) {
	u := startServe(t, "--plan", "../../examples/iac/plan.json")
	page := get(t, u, "/simulate?principal="+url.QueryEscape("arn:aws:iam::111122223333:role/exports/exporter")+
		"&action=s3:PutObject&resource="+url.QueryEscape("arn:aws:s3:::example-exports/q3.csv"))
	if !strings.Contains(page, `data-testid="decision">UNDETERMINED`) {
		t.Errorf("the exporter's write is undetermined in the plan; the page says otherwise")
	}
	page = get(t, u, "/simulate?principal="+url.QueryEscape("arn:aws:iam::111122223333:role/app")+
		"&action=s3:GetObject&resource="+url.QueryEscape("arn:aws:s3:::example-data/input.csv"))
	if !strings.Contains(page, `data-testid="decision">ALLOW`) {
		t.Errorf("the plan's app role reads its bucket; the page says otherwise")
	}
}
