// Package reproducetest answers the AWS SDK's HTTP requests with recorded
// responses, so that reproductions and live checks are tested without AWS:
// give an *AWS as the aws.Config's HTTPClient.
package reproducetest

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// AWS is the SDK's HTTP client in tests. It answers each request with the
// file Answers names for "SERVICE.Operation" (the query-protocol services,
// whose form names the operation) or for "SERVICE", read from Dir. The
// HTTP status is the file name's three-digit part (s3.GetObject.403.xml),
// 200 without one. A request with no recorded answer fails the test:
// nothing reaches AWS.
type AWS struct {
	T       testing.TB
	Dir     string
	Answers map[string]string

	mu   sync.Mutex
	seen []Request
}

// Request is what one request asked.
type Request struct {
	Service, Operation string
	URL                string
	// AccessKey is the access key ID the request was signed with.
	AccessKey string
	// Form is the body of a query-protocol request.
	Form url.Values
}

// Requests returns the requests made, in order.
func (f *AWS) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.seen...)
}

// services are the endpoint prefixes recognised in request hosts.
var services = []string{"ec2", "ecr", "iam", "kms", "lambda", "organizations", "s3", "secretsmanager", "sns", "sqs", "sts"}

// Do answers one request.
func (f *AWS) Do(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	service := ""
	for _, s := range services {
		if strings.HasPrefix(req.URL.Host, s+".") || strings.Contains(req.URL.Host, "."+s+".") {
			service = s
			break
		}
	}
	form, _ := url.ParseQuery(string(body))
	op := form.Get("Action")
	key := ""
	if auth := req.Header.Get("Authorization"); strings.Contains(auth, "Credential=") {
		key, _, _ = strings.Cut(auth[strings.Index(auth, "Credential=")+len("Credential="):], "/")
	}
	f.mu.Lock()
	f.seen = append(f.seen, Request{Service: service, Operation: op, URL: req.URL.String(), AccessKey: key, Form: form})
	f.mu.Unlock()
	file, ok := f.Answers[service+"."+op]
	if !ok {
		file, ok = f.Answers[service]
	}
	if !ok {
		f.T.Errorf("no recorded answer for %s %s (%s)", service, op, req.URL)
		return &http.Response{StatusCode: 500, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
	}
	data, err := os.ReadFile(filepath.Join(f.Dir, file))
	if err != nil {
		f.T.Fatal(err)
	}
	status := 200
	for _, part := range strings.Split(file, ".") {
		if len(part) == 3 && part[0] >= '1' && part[0] <= '5' && strings.Trim(part, "0123456789") == "" {
			status = int(part[0]-'0')*100 + int(part[1]-'0')*10 + int(part[2]-'0')
		}
	}
	h := http.Header{}
	h.Set("X-Amzn-Requestid", "recorded-request")
	switch {
	case strings.HasSuffix(file, ".json"):
		h.Set("Content-Type", "application/json")
		if status == 403 {
			// The JSON-protocol services name the error type in a header.
			h.Set("X-Amzn-Errortype", "AccessDeniedException")
		}
	case strings.HasSuffix(file, ".xml"):
		h.Set("Content-Type", "text/xml")
	}
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(bytes.NewReader(data)), ContentLength: int64(len(data)), Request: req}, nil
}
