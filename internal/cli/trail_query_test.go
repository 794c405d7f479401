package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/iamwhy/iamwhy/internal/golden"
	"github.com/iamwhy/iamwhy/trail/athena"
)

const queryFixture = "testdata/trail_query/records.jsonl"

// guideSQL is the contract's query, verbatim.
const guideSQL = `SELECT eventtime, eventsource, eventname, useridentity, requestparameters, errorcode, errormessage
FROM cloudtrail_logs
WHERE errorcode = 'AccessDenied'
  AND eventtime > '2024-01-15T00:00:00Z'
ORDER BY eventtime DESC
LIMIT 50;`

func runQueryCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(args, Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	return out.String(), errb.String(), code
}

func queryGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "trail_query", name), []byte(got))
}

func TestTrailQueryGuideJSON(t *testing.T) {
	out, errs, code := runQueryCLI(t, "trail", "query", "--output", "json", "--sql", guideSQL, queryFixture)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// Rule: stdout is a JSON array of row objects and nothing else.
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("stdout is not a JSON array: %v\n%s", err, out)
	}
	if len(rows) != 1 || rows[0]["eventname"] != "GetObject" {
		t.Fatalf("rows %v", rows)
	}
	// STRUCT values are nested objects; JSON text columns are strings.
	ui, ok := rows[0]["useridentity"].(map[string]any)
	if !ok || ui["sessioncontext"].(map[string]any)["sessionissuer"].(map[string]any)["username"] != "dev" {
		t.Errorf("useridentity %v", rows[0]["useridentity"])
	}
	if _, ok := rows[0]["requestparameters"].(string); !ok {
		t.Errorf("requestparameters %T", rows[0]["requestparameters"])
	}
	// Keys come in column order.
	if i, j := strings.Index(out, `"eventtime"`), strings.Index(out, `"errormessage"`); i < 0 || j < i {
		t.Errorf("keys out of column order: %s", out)
	}
	if !strings.Contains(errs, "3 rows inserted") {
		t.Errorf("stderr %q", errs)
	}
	queryGolden(t, "guide.json", out)
}

func TestTrailQueryTableAndCSV(t *testing.T) {
	sql := "SELECT eventname, useridentity.arn AS arn, resources, json_extract_scalar(requestparameters, '$.bucketName') AS bucket, readonly FROM cloudtrail_logs ORDER BY eventtime"
	for _, format := range []string{"table", "csv", "json"} {
		t.Run(format, func(t *testing.T) {
			out, errs, code := runQueryCLI(t, "trail", "query", "-o", format, "--sql", sql, queryFixture)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			queryGolden(t, "values."+format, out)
		})
	}
}

func TestTrailIngestThenQuery(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"trail.duckdb", "trail.parquet"} {
		t.Run(name, func(t *testing.T) {
			db := filepath.Join(dir, name)
			_, errs, code := runQueryCLI(t, "trail", "ingest", queryFixture, "--db", db)
			if code != 0 || !strings.Contains(errs, "3 rows inserted") {
				t.Fatalf("ingest: exit %d: %s", code, errs)
			}
			// Rule: ingesting the same logs again adds nothing.
			_, errs, code = runQueryCLI(t, "trail", "ingest", queryFixture, "--db", db)
			if code != 0 || !strings.Contains(errs, "0 rows inserted, 3 already in the table") {
				t.Fatalf("second ingest: exit %d: %s", code, errs)
			}
			out, errs, code := runQueryCLI(t, "trail", "query", "-o", "json", "--db", db, "--sql", guideSQL)
			if code != 0 {
				t.Fatalf("query: exit %d: %s", code, errs)
			}
			queryGolden(t, "guide.json", out)
			if errs != "" {
				t.Errorf("querying a saved table wrote %q", errs)
			}
		})
	}
}

func TestTrailQueryErrors(t *testing.T) {
	tests := []struct {
		rule string
		args []string
		want string
	}{
		{"--sql is required", []string{"trail", "query", queryFixture}, "--sql is required"},
		{"PATHs and --db exclude each other", []string{"trail", "query", "--sql", "SELECT 1", "--db", "x", queryFixture}, "not both"},
		{"a PATH or --db is needed", []string{"trail", "query", "--sql", "SELECT 1"}, "no PATH"},
		{"outputs are table, json, csv", []string{"trail", "query", "-o", "xml", "--sql", "SELECT 1", queryFixture}, `--output "xml"`},
		{"engines are duckdb and athena", []string{"trail", "query", "--engine", "spark", "--sql", "SELECT 1", queryFixture}, `--engine "spark"`},
		{"athena takes no PATH", []string{"trail", "query", "--engine", "athena", "--sql", "SELECT 1", queryFixture}, "give no PATH"},
		{"SQL errors are reported", []string{"trail", "query", "--sql", "SELEC 1", queryFixture}, "syntax error"},
		{"a missing saved table is named", []string{"trail", "query", "--sql", "SELECT 1", "--db", "testdata/nope.duckdb"}, "testdata/nope.duckdb"},
		{"ingest formats are duckdb and parquet", []string{"trail", "ingest", queryFixture, "--db", "x", "--format", "csv"}, `--format "csv"`},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			out, errs, code := runQueryCLI(t, tt.args...)
			if code != 2 || !strings.Contains(errs, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errs, tt.want)
			}
			if out != "" && !strings.HasPrefix(out, "Usage") {
				t.Errorf("stdout %q", out)
			}
		})
	}
}

// fakeAthena answers the SDK's Athena requests (JSON 1.1 protocol) as
// Athena does for one SELECT, and records the SQL it was given. The
// SDK-level behaviour (polling, paging) is tested against recorded
// responses in package athena; this checks the wiring. No request
// reaches AWS.
type fakeAthena struct {
	t       *testing.T
	mu      sync.Mutex
	queries []string
}

func (f *fakeAthena) Do(req *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(req.Body)
	op := strings.TrimPrefix(req.Header.Get("X-Amz-Target"), "AmazonAthena.")
	if !strings.HasPrefix(req.URL.Host, "athena.") {
		f.t.Errorf("unexpected request to %s: %s", req.URL, body)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var reply any
	switch op {
	case "StartQueryExecution":
		var in struct{ QueryString string }
		_ = json.Unmarshal(body, &in)
		f.queries = append(f.queries, in.QueryString)
		reply = map[string]any{"QueryExecutionId": "q-1"}
	case "GetQueryExecution":
		st := "DML"
		if strings.HasPrefix(f.queries[len(f.queries)-1], "CREATE") {
			st = "DDL"
		}
		reply = map[string]any{"QueryExecution": map[string]any{"StatementType": st,
			"Status": map[string]any{"State": "SUCCEEDED"}, "Statistics": map[string]any{"DataScannedInBytes": 1e6}}}
	case "GetQueryResults":
		if strings.HasPrefix(f.queries[len(f.queries)-1], "CREATE") {
			reply = map[string]any{"ResultSet": map[string]any{"ResultSetMetadata": map[string]any{}}}
			break
		}
		row := func(a, b string) map[string]any {
			return map[string]any{"Data": []any{map[string]any{"VarCharValue": a}, map[string]any{"VarCharValue": b}}}
		}
		reply = map[string]any{"ResultSet": map[string]any{
			"ResultSetMetadata": map[string]any{"ColumnInfo": []any{
				map[string]any{"Name": "eventname", "Type": "varchar"}, map[string]any{"Name": "n", "Type": "bigint"}}},
			"Rows": []any{row("eventname", "n"), row("GetObject", "7")}}}
	case "StopQueryExecution":
		reply = map[string]any{}
	default:
		f.t.Errorf("unexpected Athena operation %q", op)
		reply = map[string]any{}
	}
	data, _ := json.Marshal(reply)
	h := http.Header{}
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("X-Amzn-Requestid", "fake")
	return &http.Response{StatusCode: 200, Header: h, Body: io.NopCloser(bytes.NewReader(data)), Request: req}, nil
}

func TestTrailQueryAthena(t *testing.T) {
	awsTestEnv(t)
	fake := &fakeAthena{t: t}
	var out, errb bytes.Buffer
	o := trailQueryOptions{Engine: "athena", Output: "json", SQL: "SELECT eventname, count(*) AS n FROM cloudtrail_logs GROUP BY 1",
		Athena: athenaQueryOptions{Region: "us-east-1", Database: "default", CreateTable: true, httpClient: fake,
			Table: athena.TableOptions{Bucket: "org-trail", OrgID: "o-abcdefghij", Accounts: []string{"111122223333"}}}}
	if err := runTrailQuery(context.Background(), Streams{In: strings.NewReader(""), Out: &out, Err: &errb}, o); err != nil {
		t.Fatalf("%v: %s", err, errb.String())
	}
	if want := "[\n  {\"eventname\": \"GetObject\", \"n\": 7}\n]\n"; out.String() != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
	if len(fake.queries) != 2 || !strings.Contains(fake.queries[0], "LOCATION 's3://org-trail/AWSLogs/o-abcdefghij/'") ||
		!strings.HasPrefix(fake.queries[1], "SELECT eventname") {
		t.Errorf("queries %q", fake.queries)
	}
	if !strings.Contains(errb.String(), "scanned 1.0 MB") {
		t.Errorf("stderr %q", errb.String())
	}
}

// Rule: what can be read is queried, what cannot is reported with its
// place, and the exit status is 1.
func TestTrailQueryPartlyUnreadable(t *testing.T) {
	for _, cmd := range [][]string{
		{"trail", "query", "-o", "csv", "--sql", "SELECT eventname FROM cloudtrail_logs ORDER BY 1", "testdata/trail_query/partly-bad.jsonl"},
		{"trail", "ingest", "--db", filepath.Join(t.TempDir(), "t.duckdb"), "testdata/trail_query/partly-bad.jsonl"},
	} {
		out, errs, code := runQueryCLI(t, cmd...)
		if code != 1 || !strings.Contains(errs, "partly-bad.jsonl:2:1: record 1:") || !strings.Contains(errs, "2 rows inserted") {
			t.Errorf("%s: exit %d, stderr %q", cmd[1], code, errs)
		}
		if cmd[1] == "query" && out != "eventname\nX\nY\n" {
			t.Errorf("stdout %q", out)
		}
	}
}
