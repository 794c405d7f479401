// Package collecttest answers the AWS SDK's HTTP requests with recorded
// responses, so that collection is tested without AWS: give Client as the
// aws.Config's HTTPClient.
package collecttest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Client is the SDK's HTTP client in tests: it answers each request with
// the response recorded under Dir/ACCOUNT/ for its operation. The
// account is read from the request's access key (AKIA + account + TEST),
// so calls made with assumed-role credentials get that account's answers.
// Files are named SERVICE.OPERATION[.KEY][.STATUS].(json|xml), KEY naming
// the request's target (a bucket, a parent id, a policy id, a page marker).
// A request with no recording fails the test: nothing reaches AWS.
type Client struct {
	// T receives an error for each request that has no recording.
	T testing.TB
	// Dir holds one directory of recordings per account.
	Dir string

	mu    sync.Mutex
	calls []string
}

// Calls returns "ACCOUNT SERVICE.OPERATION[.KEY]" for every request made.
func (f *Client) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// Do answers one request.
func (f *Client) Do(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	account := "unknown"
	if auth := req.Header.Get("Authorization"); auth != "" {
		if i := strings.Index(auth, "Credential="); i >= 0 && len(auth) >= i+11+16 {
			account = auth[i+11+4 : i+11+16]
		}
	}
	service, op, key := route(req, body)
	name := service + "." + op
	if key != "" {
		name += "." + key
	}
	f.mu.Lock()
	f.calls = append(f.calls, account+" "+name)
	f.mu.Unlock()
	for _, status := range []string{"", ".404", ".400"} {
		for _, ext := range []string{".json", ".xml"} {
			p := filepath.Join(f.Dir, account, name+status+ext)
			data, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			code := 200
			if status != "" {
				fmt.Sscanf(status[1:], "%d", &code)
			}
			h := http.Header{}
			h.Set("X-Amzn-Requestid", "fake-"+op)
			switch {
			case ext == ".xml":
				h.Set("Content-Type", "text/xml")
			case req.Header.Get("X-Amz-Target") != "":
				h.Set("Content-Type", "application/x-amz-json-1.1")
			default:
				h.Set("Content-Type", "application/json")
			}
			if code != 200 && service == "lambda" {
				h.Set("X-Amzn-Errortype", "ResourceNotFoundException")
			}
			return &http.Response{
				StatusCode: code, Status: http.StatusText(code), Header: h, Request: req,
				Body: io.NopCloser(bytes.NewReader(data)), ContentLength: int64(len(data)),
			}, nil
		}
	}
	f.T.Errorf("unrecorded AWS request: account %s %s (%s %s)", account, name, req.Method, req.URL)
	return &http.Response{StatusCode: 500, Status: "500", Header: http.Header{}, Request: req,
		Body: io.NopCloser(strings.NewReader(`{"__type":"InternalFailure","message":"unrecorded"}`))}, nil
}

// route names a request's service, operation and key.
func route(req *http.Request, body []byte) (service, op, key string) {
	host := req.URL.Host
	if t := req.Header.Get("X-Amz-Target"); t != "" {
		prefix, op, _ := strings.Cut(t, ".")
		var in map[string]any
		_ = json.Unmarshal(body, &in)
		str := func(k string) string { s, _ := in[k].(string); return s }
		switch prefix {
		case "AWSOrganizationsV20161128":
			service = "organizations"
			switch op {
			case "ListAccountsForParent", "ListOrganizationalUnitsForParent":
				key = str("ParentId")
			case "ListPoliciesForTarget":
				key = str("TargetId") + "." + str("Filter")
			case "DescribePolicy":
				key = str("PolicyId")
			}
		case "TrentService":
			service = "kms"
		case "AmazonSQS":
			service = "sqs"
		case "secretsmanager":
			service = "secretsmanager"
		case "AmazonEC2ContainerRegistry_V20150921":
			service = "ecr"
		default:
			service = prefix
		}
		return service, op, key
	}
	if strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		form, _ := url.ParseQuery(string(body))
		service = strings.SplitN(host, ".", 2)[0]
		op = form.Get("Action")
		if service == "iam" && form.Get("Marker") != "" {
			key = form.Get("Marker")
		}
		return service, op, key
	}
	if strings.HasPrefix(host, "lambda.") {
		p := strings.TrimPrefix(req.URL.Path, "/2015-03-31/functions/")
		if p == "" || p == req.URL.Path {
			return "lambda", "ListFunctions", ""
		}
		fn := strings.TrimSuffix(p, "/policy")
		if i := strings.LastIndex(fn, ":function:"); i >= 0 {
			fn = fn[i+len(":function:"):]
		}
		if u, err := url.PathUnescape(fn); err == nil {
			fn = u
		}
		if i := strings.LastIndex(fn, ":function:"); i >= 0 {
			fn = fn[i+len(":function:"):]
		}
		return "lambda", "GetPolicy", fn
	}
	if i := strings.Index(host, ".s3-control."); i > 0 {
		// S3 Control: ACCOUNT.s3-control.REGION.amazonaws.com/v20180820/...
		p := strings.TrimPrefix(req.URL.Path, "/v20180820/")
		switch {
		case p == "configuration/publicAccessBlock":
			return "s3control", "GetPublicAccessBlock", ""
		case p == "accesspoint":
			return "s3control", "ListAccessPoints", ""
		case strings.HasPrefix(p, "accesspoint/") && strings.HasSuffix(p, "/policy"):
			return "s3control", "GetAccessPointPolicy", strings.TrimSuffix(strings.TrimPrefix(p, "accesspoint/"), "/policy")
		case strings.HasPrefix(p, "accesspoint/"):
			return "s3control", "GetAccessPoint", strings.TrimPrefix(p, "accesspoint/")
		}
		return "s3control", "unknown", p
	}
	if strings.Contains(host, "s3.") {
		bucket := ""
		if i := strings.Index(host, ".s3."); i > 0 {
			bucket = host[:i]
		}
		q := req.URL.Query()
		switch {
		case bucket == "":
			return "s3", "ListBuckets", ""
		case q.Has("policy"):
			return "s3", "GetBucketPolicy", bucket
		case q.Has("publicAccessBlock"):
			return "s3", "GetPublicAccessBlock", bucket
		case q.Has("location"):
			return "s3", "GetBucketLocation", bucket
		case q.Has("ownershipControls"):
			return "s3", "GetBucketOwnershipControls", bucket
		case q.Has("acl"):
			return "s3", "GetBucketAcl", bucket
		}
		return "s3", "unknown", bucket
	}
	return host, req.Method + " " + req.URL.Path, ""
}
