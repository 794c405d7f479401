package awsdecode

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/iamwhy/iamwhy/denial"
)

// recorded is an HTTP client for the SDK that answers every request with a
// recorded STS response and keeps the request for inspection.
type recorded struct {
	status int
	body   []byte
	req    *http.Request
	form   url.Values
}

func (r *recorded) Do(req *http.Request) (*http.Response, error) {
	r.req = req
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	r.form, err = url.ParseQuery(string(b))
	if err != nil {
		return nil, err
	}
	return &http.Response{
		StatusCode: r.status,
		Header:     http.Header{"Content-Type": {"text/xml"}, "X-Amzn-Requestid": {"6f1b9c2e-8a3d-4f5e-9b7a-0c1d2e3f4a5b"}},
		Body:       io.NopCloser(bytes.NewReader(r.body)),
		Request:    req,
	}, nil
}

func client(t *testing.T, status int, file string) (*sts.Client, *recorded) {
	t.Helper()
	body, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorded{status: status, body: body}
	c := sts.New(sts.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:       rec,
		RetryMaxAttempts: 1,
	})
	return c, rec
}

const encodedCLI = "An error occurred (UnauthorizedOperation) when calling the GetPasswordData operation: You are not authorized to perform this operation. Encoded authorization failure message: 1Qju1r-MUd3Ls-t7y4w4lpDtgZ"

// TestDecodeMergesDecodedMessage checks the rule that the decoded message
// fills principal, action, resource and the deny kind that an EC2 message
// left out, through the real SDK request path.
func TestDecodeMergesDecodedMessage(t *testing.T) {
	c, rec := client(t, 200, "testdata/decode-response.xml")
	d, err := denial.Parse(encodedCLI, denial.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := Decode(context.Background(), c, d, denial.Options{}); err != nil {
		t.Fatal(err)
	}
	if got := rec.form.Get("Action"); got != "DecodeAuthorizationMessage" {
		t.Errorf("Action = %q", got)
	}
	if got := rec.form.Get("EncodedMessage"); got != "1Qju1r-MUd3Ls-t7y4w4lpDtgZ" {
		t.Errorf("EncodedMessage = %q", got)
	}
	if !strings.Contains(rec.req.Header.Get("Authorization"), "AKIDEXAMPLE") {
		t.Errorf("request not signed with the given credentials")
	}
	check := func(name string, got *string, want string) {
		t.Helper()
		if got == nil || *got != want {
			t.Errorf("%s = %v, want %q", name, got, want)
		}
	}
	check("principal", d.Principal, "arn:aws:sts::123837392027:assumed-role/stratus-red-team-ec2-get-password-data-role/aws-go-sdk-1688990082523310002")
	check("action", d.Action, "ec2:GetPasswordData")
	check("resource", d.Resource, "arn:aws:ec2:us-east-1:123837392027:instance/i-0a1b2c3d4e5f60718")
	check("service", d.Service, "ec2")
	check("account", d.Account, "123837392027")
	if d.Deny != denial.DenyExplicit || d.PrincipalType != denial.PrincipalAssumedRole || !d.Encoded {
		t.Errorf("deny=%s principal_type=%s encoded=%v", d.Deny, d.PrincipalType, d.Encoded)
	}
	if d.CrossAccount == nil || *d.CrossAccount {
		t.Errorf("cross_account = %v, want false", d.CrossAccount)
	}
	if d.Decoded == nil || len(d.Decoded.Conditions) != 2 || d.Decoded.Conditions[0].Key != "aws:RequestedRegion" || d.Decoded.MatchedStatements != 1 {
		t.Errorf("decoded = %+v", d.Decoded)
	}
	for _, s := range d.NextSteps {
		if strings.Contains(s, "decode-authorization-message") {
			t.Errorf("next steps still ask to decode after decoding: %q", s)
		}
	}
}

// TestDecodeAccessDenied checks that an STS error reaches the caller as the
// SDK's API error.
func TestDecodeAccessDenied(t *testing.T) {
	c, _ := client(t, 403, "testdata/decode-denied.xml")
	d, err := denial.Parse(encodedCLI, denial.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = Decode(context.Background(), c, d, denial.Options{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		t.Fatalf("err = %v, want the AccessDenied API error", err)
	}
	if d.Action != nil {
		t.Errorf("action filled after a failed decode: %v", *d.Action)
	}
}

func TestDecodeNotEncoded(t *testing.T) {
	d, err := denial.Parse("An error occurred (AccessDenied) when calling the GetObject operation: Access Denied", denial.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := client(t, 200, "testdata/decode-response.xml")
	if err := Decode(context.Background(), c, d, denial.Options{}); !errors.Is(err, ErrNotEncoded) {
		t.Fatalf("err = %v, want ErrNotEncoded", err)
	}
}
