package trail

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// recordedS3 answers the SDK's HTTP requests with recorded S3 responses:
// two ListObjectsV2 pages, two objects and a NoSuchKey error.
type recordedS3 struct {
	t        *testing.T
	mu       sync.Mutex
	requests []string
}

func (f *recordedS3) Do(req *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.requests = append(f.requests, req.Method+" "+req.URL.Path+"?"+req.URL.RawQuery)
	f.mu.Unlock()
	respond := func(status int, file string) (*http.Response, error) {
		body, err := os.ReadFile(file)
		if err != nil {
			f.t.Fatal(err)
		}
		h := http.Header{}
		h.Set("x-amz-request-id", "4442587FB7D0A2F9")
		if strings.HasSuffix(file, ".xml") {
			h.Set("Content-Type", "application/xml")
		}
		return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(bytes.NewReader(body)),
			ContentLength: int64(len(body)), Request: req}, nil
	}
	q := req.URL.Query()
	// The bucket is in eu-west-1: requests signed for another region get
	// S3's 301 PermanentRedirect with the bucket's region.
	if !strings.Contains(req.Header.Get("Authorization"), "/eu-west-1/s3/aws4_request") {
		resp, err := respond(301, "testdata/s3/redirect.xml")
		resp.Header.Set("X-Amz-Bucket-Region", "eu-west-1")
		return resp, err
	}
	switch {
	case req.URL.Path == "/trail-bucket" || req.URL.Path == "/trail-bucket/":
		if q.Get("list-type") != "2" || q.Get("prefix") != "AWSLogs/" {
			f.t.Errorf("unexpected list request %s", req.URL)
		}
		if q.Get("continuation-token") == "" {
			return respond(200, "testdata/s3/list-page1.xml")
		}
		return respond(200, "testdata/s3/list-page2.xml")
	case strings.HasSuffix(req.URL.Path, "_a.json.gz"):
		return respond(200, "testdata/shapes/records.json.gz")
	case strings.HasSuffix(req.URL.Path, "_b.json.gz"):
		return respond(200, "testdata/shapes/records.json")
	default:
		return respond(404, "testdata/s3/nosuchkey.xml")
	}
}

// TestS3 reads an s3:// prefix through the SDK against recorded
// responses: the bucket's region found from a redirect, pagination
// followed, digest file and folder placeholder skipped, a failing
// GetObject counted with its URI.
func TestS3(t *testing.T) {
	fake := &recordedS3{t: t}
	client := s3.New(s3.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:   fake,
		UsePathStyle: true,
		Retryer:      aws.NopRetryer{},
	})
	recs, st := collect(t, []string{"s3://trail-bucket/AWSLogs/"}, Options{S3Client: client})
	if len(recs) != 5 || st.Files != 3 || st.FilesFailed != 1 || st.Skipped[SkipDigest] != 1 {
		t.Errorf("records %d, %+v", len(recs), st)
	}
	if len(st.Problems) != 1 || !strings.HasPrefix(st.Problems[0].Path, "s3://trail-bucket/AWSLogs/") ||
		!strings.Contains(st.Problems[0].Message, "NoSuchKey") {
		t.Errorf("problems = %v", st.Problems)
	}
	for _, r := range recs {
		if !strings.HasPrefix(r.Path, "s3://trail-bucket/AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/15/") {
			t.Errorf("record path %q", r.Path)
		}
	}
	if len(fake.requests) != 6 {
		t.Errorf("requests: %q", fake.requests)
	}
}

func TestParseS3URI(t *testing.T) {
	for _, tc := range []struct{ in, bucket, prefix string }{
		{"s3://b", "b", ""},
		{"s3://b/", "b", ""},
		{"s3://b/AWSLogs/o-abc/", "b", "AWSLogs/o-abc/"},
	} {
		b, p, err := ParseS3URI(tc.in)
		if err != nil || b != tc.bucket || p != tc.prefix {
			t.Errorf("ParseS3URI(%q) = %q, %q, %v", tc.in, b, p, err)
		}
	}
	for _, bad := range []string{"s3:///x", "http://b/x"} {
		if _, _, err := ParseS3URI(bad); err == nil {
			t.Errorf("ParseS3URI(%q): no error", bad)
		}
	}
}
