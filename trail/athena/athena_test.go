package athena

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/athena"

	"github.com/iamwhy/iamwhy/internal/golden"
)

// replay is an HTTP client for the SDK that answers each Athena operation
// (named by the X-Amz-Target header of the JSON 1.1 protocol) with the
// recorded responses in a directory, <Operation>.<n>.json in turn, or
// <Operation>.json every time. It keeps the requests for checking.
type replay struct {
	t   *testing.T
	dir string

	mu       sync.Mutex
	calls    map[string]int
	requests []call
}

type call struct {
	op   string
	body map[string]any
}

func (r *replay) Do(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	op := strings.TrimPrefix(req.Header.Get("X-Amz-Target"), "AmazonAthena.")
	if req.Header.Get("Authorization") == "" {
		r.t.Errorf("%s: request not signed", op)
	}
	raw, _ := io.ReadAll(req.Body)
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		r.t.Errorf("%s: request body %q: %v", op, raw, err)
	}
	r.requests = append(r.requests, call{op, body})
	if r.calls == nil {
		r.calls = map[string]int{}
	}
	r.calls[op]++
	data, err := os.ReadFile(filepath.Join(r.dir, fmt.Sprintf("%s.%d.json", op, r.calls[op])))
	if errors.Is(err, os.ErrNotExist) {
		data, err = os.ReadFile(filepath.Join(r.dir, op+".json"))
	}
	if err != nil {
		r.t.Errorf("no recorded response for call %d of %s", r.calls[op], op)
		return nil, err
	}
	status := http.StatusOK
	if bytes.Contains(data, []byte(`"__type"`)) {
		status = http.StatusBadRequest
	}
	return &http.Response{
		StatusCode: status,
		Header:     http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amzn-Requestid": {"req-1"}},
		Body:       io.NopCloser(bytes.NewReader(data)),
		Request:    req,
	}, nil
}

func newTestClient(t *testing.T, dir string, cfg Config) (*Client, *replay) {
	rp := &replay{t: t, dir: filepath.Join("testdata", dir)}
	api := sdk.New(sdk.Options{
		Region:           "eu-west-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:       rp,
		RetryMaxAttempts: 1,
	})
	c := New(api, cfg)
	var slept []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		slept = append(slept, d)
		return ctx.Err()
	}
	t.Cleanup(func() {
		for i := 1; i < len(slept); i++ {
			if slept[i] < slept[i-1] || slept[i] > c.cfg.PollMax {
				t.Errorf("poll intervals %v do not back off up to %v", slept, c.cfg.PollMax)
			}
		}
	})
	return c, rp
}

func TestExecuteStreamsPages(t *testing.T) {
	cfg := Config{Database: "security", Workgroup: "security", OutputLocation: "s3://athena-results-example/", PageSize: 2}
	c, rp := newTestClient(t, "select", cfg)
	res, err := c.Execute(context.Background(), "SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, col := range res.Columns() {
		cols = append(cols, col.Name+":"+col.Type)
	}
	if got := strings.Join(cols, ","); got != "eventtime:varchar,eventname:varchar,useridentity:row,errorcode:varchar,n:bigint,ro:boolean" {
		t.Errorf("columns %s", got)
	}
	var rows []string
	for res.Next() {
		b, _ := json.Marshal(res.Values())
		rows = append(rows, string(b))
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	// The header row of the first page is dropped; NULL is nil; bigint and
	// boolean are typed; row values stay Athena's text.
	want := []string{
		`["2024-01-16T09:30:00Z","GetObject","{type=AssumedRole, principalid=AROAEXAMPLE:alice, arn=arn:aws:sts::111122223333:assumed-role/dev/alice}","AccessDenied",3,true]`,
		`["2024-01-15T22:01:07Z","AssumeRole","{type=IAMUser, principalid=AIDAEXAMPLE, arn=arn:aws:iam::111122223333:user/bob}",null,1,false]`,
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows\n%s\nwant\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	if res.Scanned != 52428800 || res.Elapsed != 2350*time.Millisecond {
		t.Errorf("statistics %d %v", res.Scanned, res.Elapsed)
	}
	var ops []string
	for _, c := range rp.requests {
		ops = append(ops, c.op)
	}
	if got := strings.Join(ops, " "); got != "StartQueryExecution GetQueryExecution GetQueryExecution GetQueryExecution GetQueryResults GetQueryResults" {
		t.Errorf("calls %s", got)
	}
	start := rp.requests[0].body
	ctxIn, _ := start["QueryExecutionContext"].(map[string]any)
	resCfg, _ := start["ResultConfiguration"].(map[string]any)
	if start["QueryString"] != "SELECT 1" || start["WorkGroup"] != "security" || ctxIn["Database"] != "security" ||
		resCfg["OutputLocation"] != "s3://athena-results-example/" {
		t.Errorf("StartQueryExecution body %v", start)
	}
	page2 := rp.requests[5].body
	if page2["NextToken"] != "TOKEN-PAGE-2" || page2["MaxResults"] != float64(2) {
		t.Errorf("second GetQueryResults body %v", page2)
	}
}

func TestExecuteFailedQuery(t *testing.T) {
	c, _ := newTestClient(t, "failed", Config{})
	_, err := c.Execute(context.Background(), "SELECT * FROM cloudtrail_logs")
	var qe *QueryError
	if !errors.As(err, &qe) {
		t.Fatalf("got %v, want a QueryError", err)
	}
	if qe.State != "FAILED" || !strings.Contains(err.Error(), "TABLE_NOT_FOUND") || !strings.Contains(err.Error(), "type 1301") {
		t.Errorf("error %v", err)
	}
}

func TestExecuteStopsQueryWhenCancelled(t *testing.T) {
	c, rp := newTestClient(t, "cancel", Config{})
	ctx, cancel := context.WithCancel(context.Background())
	c.sleep = func(context.Context, time.Duration) error {
		cancel()
		return context.Canceled
	}
	_, err := c.Execute(ctx, "SELECT 1")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	last := rp.requests[len(rp.requests)-1]
	if last.op != "StopQueryExecution" || last.body["QueryExecutionId"] != "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111" {
		t.Errorf("last call %+v, want StopQueryExecution", last)
	}
}

func TestExecuteStartError(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "StartQueryExecution.json"),
		[]byte(`{"__type":"InvalidRequestException","Message":"line 1:8: mismatched input","AthenaErrorCode":"INVALID_INPUT"}`), 0o644)
	rp := &replay{t: t, dir: dir}
	api := sdk.New(sdk.Options{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "s", ""), HTTPClient: rp, RetryMaxAttempts: 1})
	_, err := New(api, Config{}).Execute(context.Background(), "SELECT 1 FRM")
	if err == nil || !strings.Contains(err.Error(), "InvalidRequestException") || !strings.Contains(err.Error(), "mismatched input") {
		t.Errorf("got %v", err)
	}
}

func TestCreateTableSQL(t *testing.T) {
	got, err := CreateTableSQL(TableOptions{
		Bucket: "org-trail-logs", Prefix: "/trails/", OrgID: "o-exampleorgid",
		Accounts: []string{"111122223333", "444455556666"}, Regions: []string{"us-east-1", "eu-west-1"},
		StartDate: "2023/06/01",
	})
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "create_table.sql"), []byte(got))
	// Without accounts the account partition is injected.
	inj, err := CreateTableSQL(TableOptions{Bucket: "trail-bucket"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"'projection.account.type'='injected'", "LOCATION 's3://trail-bucket/AWSLogs/'", "'projection.timestamp.range'='2020/01/01,NOW'", "us-west-2"} {
		if !strings.Contains(inj, want) {
			t.Errorf("DDL lacks %s", want)
		}
	}
}

func TestCreateTableSQLRejects(t *testing.T) {
	tests := []struct {
		rule string
		o    TableOptions
	}{
		{"bucket names follow S3 rules", TableOptions{Bucket: "Bad_Bucket"}},
		{"accounts are 12 digits", TableOptions{Bucket: "b-1", Accounts: []string{"1234"}}},
		{"regions look like regions", TableOptions{Bucket: "b-1", Regions: []string{"us-east-1'; DROP"}}},
		{"organisation IDs start with o-", TableOptions{Bucket: "b-1", OrgID: "x-123"}},
		{"start date is yyyy/MM/dd", TableOptions{Bucket: "b-1", StartDate: "2024-01-01"}},
		{"quotes cannot enter the prefix", TableOptions{Bucket: "b-1", Prefix: "a'b"}},
		{"table names are plain identifiers", TableOptions{Bucket: "b-1", Table: "x`y"}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			if _, err := CreateTableSQL(tt.o); err == nil {
				t.Error("accepted")
			}
		})
	}
}
