package generate

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/athena"

	"github.com/iamwhy/iamwhy/trail/athena"
)

// athenaReplay answers each Athena operation (named by X-Amz-Target) with
// testdata/athena/<Operation>.json and keeps the query text sent.
type athenaReplay struct {
	t   *testing.T
	mu  sync.Mutex
	sql []string
}

func (r *athenaReplay) Do(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	op := strings.TrimPrefix(req.Header.Get("X-Amz-Target"), "AmazonAthena.")
	raw, _ := io.ReadAll(req.Body)
	if op == "StartQueryExecution" {
		var body struct{ QueryString string }
		if err := json.Unmarshal(raw, &body); err != nil {
			r.t.Errorf("request body: %v", err)
		}
		r.sql = append(r.sql, body.QueryString)
	}
	data, err := os.ReadFile(filepath.Join("testdata", "athena", op+".json"))
	if err != nil {
		r.t.Errorf("no recorded response for %s", op)
		return nil, err
	}
	return &http.Response{StatusCode: http.StatusOK, Request: req,
		Header: http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amzn-Requestid": {"req-1"}},
		Body:   io.NopCloser(bytes.NewReader(data))}, nil
}

// The aggregation runs in Athena; the policy is built locally from the
// rows, weighted by their counts.
func TestFromAthena(t *testing.T) {
	rp := &athenaReplay{t: t}
	api := sdk.New(sdk.Options{Region: "eu-west-1", HTTPClient: rp, RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")})
	c := athena.New(api, athena.Config{Database: "security", PollInitial: time.Millisecond})
	since := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	res, rows, err := FromAthena(context.Background(), c, AthenaQuery{Since: since}, Options{Principal: "arn:aws:iam::111122223333:role/app"})
	if err != nil {
		t.Fatal(err)
	}
	if rows.Scanned != 1048576 {
		t.Errorf("scanned %d", rows.Scanned)
	}
	if len(rp.sql) != 1 {
		t.Fatalf("%d queries", len(rp.sql))
	}
	sql := rp.sql[0]
	for _, want := range []string{"FROM cloudtrail_logs", "account = '111122223333'", "GROUP BY", "count(*) AS n",
		"eventtime >= '2026-01-01T00:00:00Z'", `"timestamp" >= '2026/01/01'`, "sessionissuer.arn) LIKE '%:role/%app'",
		"THEN responseelements END AS responseelements", "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15"} {
		if !strings.Contains(sql, want) {
			t.Errorf("query lacks %q:\n%s", want, sql)
		}
	}
	g := grants(res.Policy)
	if !slices.Equal(g["s3:GetObject"], []string{"arn:aws:s3:::data-bucket/in/a.csv"}) ||
		!slices.Equal(g["iam:PassRole@lambda.amazonaws.com"], []string{"arn:aws:iam::111122223333:role/etl-exec"}) ||
		!slices.Equal(g["ec2:CreateVpc"], []string{"arn:aws:ec2:eu-west-1:111122223333:vpc/*"}) ||
		g["s3:DeleteObject"] != nil || g["s3:DeleteBucket"] != nil {
		t.Errorf("grants %v", g)
	}
	if res.Events.Read != nil || res.Events.OfPrincipal != 1211 || res.Events.Counted != 1206 || res.Events.NotCovered != 3 {
		t.Errorf("events %+v", res.Events)
	}
	if len(res.NotCovered) != 1 || res.NotCovered[0].Count != 3 {
		t.Errorf("not covered %+v", res.NotCovered)
	}
	if !res.Verification.Verified {
		t.Errorf("%+v", res.Verification)
	}
}

func TestAthenaQueryRejects(t *testing.T) {
	g, _ := New(Options{Principal: "arn:aws:iam::111122223333:user/alice"})
	if _, err := (AthenaQuery{Table: "x; DROP TABLE y"}).SQL(g); err == nil {
		t.Error("table name with SQL accepted")
	}
	sql, err := (AthenaQuery{}).SQL(g)
	if err != nil || !strings.Contains(sql, "useridentity.arn = 'arn:aws:iam::111122223333:user/alice'") {
		t.Errorf("%v\n%s", err, sql)
	}
}

func FuzzRowRecord(f *testing.F) {
	f.Add("s3.amazonaws.com", `{"bucketName":"b","key":"k"}`, "arn:aws:s3:::b/k", "3", "2026-01-01T00:00:00Z")
	f.Add("", "{", "", "-1", "")
	f.Fuzz(func(t *testing.T, src, params, arns, n, ts string) {
		vals := []any{src, "GetObject", "eu-west-1", "111122223333", nil, "AwsApiCall", "true", "AssumedRole",
			"arn:aws:sts::111122223333:assumed-role/app/s", "111122223333", nil, "arn:aws:iam::111122223333:role/app",
			params, arns, nil, json.Number(n), ts, ts, "id"}
		r, count, _, _, err := rowRecord(vals)
		if err != nil {
			return
		}
		g, _ := New(Options{Principal: "arn:aws:iam::111122223333:role/app"})
		g.AddAggregate(r, count, r.Time, r.Time)
		if _, err := g.Result(nil, time.Time{}, time.Time{}); err != nil {
			var ve *VerificationError
			if !errorsAs(err, &ve) {
				t.Fatal(err)
			}
			t.Fatalf("verification failed on a fuzzed row: %v", err)
		}
	})
}

func errorsAs(err error, target **VerificationError) bool {
	v, ok := err.(*VerificationError)
	if ok {
		*target = v
	}
	return ok
}
