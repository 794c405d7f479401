package denial

import (
	"strings"
	"testing"
)

// TestPasteRepairs checks one repair of pasted text per case: each input
// is the same denial as a terminal, logger or chat would hand it over.
func TestPasteRepairs(t *testing.T) {
	const want = "arn:aws:s3:::my-bucket/path/to/object.txt"
	msg := `User: arn:aws:sts::123456789012:assumed-role/app/s is not authorized to perform: s3:GetObject on resource: "` + want + `" because no identity-based policy allows the s3:GetObject action`
	cases := []struct{ rule, in string }{
		{"an action cut by a line break is joined", strings.Replace(msg, "s3:GetObject on", "s3:Get\nObject on", 1)},
		{"a quoted ARN cut by a line break is joined", strings.Replace(msg, "to/object", "to/ob\nject", 1)},
		{"a word cut by a line break is joined", strings.Replace(msg, "authorized", "author\nized", 1)},
		{"a hyphenated word cut after its hyphen is joined", strings.Replace(msg, "identity-based", "identity-\nbased", 1)},
		{"JSON-escaped quotes are unescaped", strings.ReplaceAll(msg, `"`, `\"`)},
		{"a quoted action is read", strings.Replace(msg, "perform: s3:GetObject on", `perform: "s3:GetObject" on`, 1)},
		{"quoted principal, action and resource in a JSON field", `{"detail": "` + strings.ReplaceAll(strings.Replace(strings.Replace(msg,
			"perform: s3:GetObject on", `perform: "s3:GetObject" on`, 1), "User: arn:aws:sts::123456789012:assumed-role/app/s", `User: "arn:aws:sts::123456789012:assumed-role/app/s"`, 1), `"`, `\"`) + `"}`},
		{"surrounding quotes are removed", "'" + msg + "'"},
		{"surrounding brackets are removed", "[" + msg + "]"},
		{"a Lambda log prefix is removed", "[ERROR]\t2024-05-01T12:00:00.000Z\t0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f\t" + msg},
		{"a timestamp and level are removed", "2024-05-01 12:00:00,123 ERROR " + msg},
		{"fatal error: is removed", "fatal error: " + msg},
		{"GitHub Actions' error marker is removed", "##[error]" + msg},
		{"the message is found in a JSON field of any name", `{"level":"error","ts":1714564800,"err":"` + strings.ReplaceAll(msg, `"`, `\"`) + `"}`},
		{"the message is found in a nested JSON string", `{"body":"{\"detail\":\"` + strings.ReplaceAll(msg, `"`, `\\\"`) + `\"}"}`},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			d, err := Parse(c.in, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !d.Recognized || !eqp(d.Action, sp("s3:GetObject")) || !eqp(d.Resource, sp(want)) ||
				!eqp(d.Principal, sp("arn:aws:sts::123456789012:assumed-role/app/s")) || d.PolicyType != PolicyIdentity {
				t.Errorf("recognized %v action %v resource %v principal %v type %s", d.Recognized, str0(d.Action), str0(d.Resource), str0(d.Principal), d.PolicyType)
			}
			if len(d.Others) != 0 {
				t.Errorf("one error read as %d", 1+len(d.Others))
			}
		})
	}
}

func str0(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

// TestCodeOnlyDenials checks the errors that carry no caller sentence:
// the code or the status says access denied, and the operation gives the
// action through the catalog hook.
func TestCodeOnlyDenials(t *testing.T) {
	opAction := Options{OperationAction: func(svc, op string) (string, bool) {
		m := map[string]string{"s3/HeadObject": "s3:GetObject", "/HeadObject": "s3:GetObject", "ec2/DescribeInstances": "ec2:DescribeInstances", "s3/GetObject": "s3:GetObject"}
		a, ok := m[svc+"/"+op]
		return a, ok
	}}
	cases := []struct {
		rule, in, code, action string
		typ                    PolicyType
	}{
		{"boto's bodiless 403 on HeadObject", "An error occurred (403) when calling the HeadObject operation: Forbidden", "403", "s3:GetObject", PolicyUnknown},
		{"S3's bare Access Denied names S3", "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied", "AccessDenied", "s3:GetObject", PolicyUnknown},
		{"UnauthorizedOperation is EC2's", "An error occurred (UnauthorizedOperation) when calling the DescribeInstances operation: You are not authorized to perform this operation.", "UnauthorizedOperation", "ec2:DescribeInstances", PolicyUnknown},
		{"VpceAccessDenied names the VPC endpoint policy", "An error occurred (VpceAccessDenied) when calling the GetObject operation: Access Denied", "VpceAccessDenied", "s3:GetObject", PolicyVPCEndpoint},
		{"Go SDK v2 Forbidden on HeadObject", "operation error S3: HeadObject, https response error StatusCode: 403, RequestID: X, HostID: Y, api error Forbidden: Forbidden", "Forbidden", "s3:GetObject", PolicyUnknown},
		{"Java SDK v2 status-only 403", "software.amazon.awssdk.services.s3.model.S3Exception: null (Service: S3, Status Code: 403, Request ID: X)\n\tat software.amazon.awssdk.services.s3.DefaultS3Client.headObject(DefaultS3Client.java:5)", "", "s3:GetObject", PolicyUnknown},
		{".NET's 403 Forbidden", "Amazon.S3.AmazonS3Exception: Forbidden ---> Amazon.Runtime.Internal.HttpErrorResponseException: The remote server returned an error: (403) Forbidden.", "Forbidden", "", PolicyUnknown},
		{".NET's HEAD 403 with no body", "Amazon.S3.AmazonS3Exception: Error making request with Error Code Forbidden and Http Status Code Forbidden. No further error information was returned by the service.", "Forbidden", "", PolicyUnknown},
		{"JavaScript SDK v3 HEAD 403", "S3ServiceException [Forbidden]: UnknownError\n    at throwDefaultError (/var/task/node_modules/@smithy/smithy-client/dist-cjs/index.js:838:20) {\n  '$fault': 'client',\n  '$metadata': { httpStatusCode: 403 }", "Forbidden", "", PolicyUnknown},
		{"JavaScript SDK v2 error object", "{ [Forbidden: null] message: null, code: 'Forbidden', region: null, statusCode: 403, retryable: false }", "Forbidden", "", PolicyUnknown},
		{"AccessDeniedException alone", `{"__type":"AccessDeniedException"}`, "AccessDeniedException", "", PolicyUnknown},
		{"KMS's exception inside a Lambda error", `{"errorType":"KMSAccessDeniedException","errorMessage":"Lambda was unable to decrypt the environment variables because KMS access was denied."}`, "KMSAccessDeniedException", "", PolicyUnknown},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			d, err := Parse(c.in, opAction)
			if err != nil {
				t.Fatal(err)
			}
			if !d.Recognized || str0(d.ErrorCode) != strOr(c.code) || str0(d.Action) != strOr(c.action) || d.PolicyType != c.typ {
				t.Errorf("recognized %v code %s action %s type %s", d.Recognized, str0(d.ErrorCode), str0(d.Action), d.PolicyType)
			}
			if d.Principal != nil {
				t.Errorf("principal guessed: %s", *d.Principal)
			}
		})
	}
}

func strOr(s string) string {
	if s == "" {
		return "<nil>"
	}
	return s
}

// TestSeveralErrors checks that a paste with several errors reads each on
// its own: the first at the top, the rest in Others, repeats dropped and
// no field taken from another error.
func TestSeveralErrors(t *testing.T) {
	in := "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied\n" +
		"An error occurred (AccessDeniedException) when calling the GetSecretValue operation: User: arn:aws:sts::123456789012:assumed-role/app/i-1 is not authorized to perform: secretsmanager:GetSecretValue on resource: prod/db because no identity-based policy allows the secretsmanager:GetSecretValue action\n" +
		"An error occurred (AccessDeniedException) when calling the GetSecretValue operation: User: arn:aws:sts::123456789012:assumed-role/app/i-1 is not authorized to perform: secretsmanager:GetSecretValue on resource: prod/db because no identity-based policy allows the secretsmanager:GetSecretValue action\n"
	d, err := Parse(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Others) != 1 {
		t.Fatalf("%d others, want 1 (the repeat dropped)", len(d.Others))
	}
	if d.Principal != nil || d.PolicyType != PolicyUnknown || str0(d.ErrorCode) != "AccessDenied" {
		t.Errorf("first error took fields of the second: principal %s type %s code %s", str0(d.Principal), d.PolicyType, str0(d.ErrorCode))
	}
	o := d.Others[0]
	if str0(o.Action) != "secretsmanager:GetSecretValue" || str0(o.ErrorCode) != "AccessDeniedException" || len(o.NextSteps) == 0 {
		t.Errorf("second error: action %s code %s steps %d", str0(o.Action), str0(o.ErrorCode), len(o.NextSteps))
	}
	// One error wrapped over two lines stays one error.
	d, _ = Parse("An error occurred (AccessDenied) when calling the AssumeRole operation:\nUser: arn:aws:iam::123456789012:user/a is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/r", Options{})
	if len(d.Others) != 0 || str0(d.ErrorCode) != "AccessDenied" || str0(d.Action) != "sts:AssumeRole" {
		t.Errorf("wrapped error split: others %d code %s action %s", len(d.Others), str0(d.ErrorCode), str0(d.Action))
	}
}

// TestNotDeniedHints checks that errors that are no authorization failure
// say what they are.
func TestNotDeniedHints(t *testing.T) {
	for in, want := range map[string]string{
		"An error occurred (ExpiredToken) when calling the GetCallerIdentity operation: The security token included in the request is expired":                                   "session token) have expired",
		"An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: The security token included in the request is invalid.":                          "does not know the access key",
		"software.amazon.awssdk.services.s3.model.S3Exception: The AWS Access Key Id you provided does not exist in our records. (Service: S3, Status Code: 403, Request ID: X)": "InvalidAccessKeyId",
		"An error occurred (SignatureDoesNotMatch) when calling the ListBuckets operation: The request signature we calculated does not match the signature you provided.":       "signature is wrong",
	} {
		d, err := Parse(in, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if d.Recognized || d.Reason == nil || !strings.Contains(*d.Reason, want) {
			t.Errorf("%q: recognized %v reason %s", in, d.Recognized, str0(d.Reason))
		}
	}
}

// TestResourcePolicyNamesTheRole checks that a next step telling what to
// put in a resource-based policy names the role, not the session.
func TestResourcePolicyNamesTheRole(t *testing.T) {
	d, _ := Parse("User: arn:aws:sts::111122223333:assumed-role/app-role/i-0abc is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::b/k\" because no resource-based policy allows the s3:GetObject action", Options{})
	steps := strings.Join(d.NextSteps, "\n")
	if !strings.Contains(steps, "add an Allow for the role arn:aws:iam::111122223333:role/app-role") {
		t.Errorf("steps do not name the role ARN:\n%s", steps)
	}
}

// TestOtherServiceForms checks the message forms of services that do not
// use IAM's sentence.
func TestOtherServiceForms(t *testing.T) {
	d, _ := Parse("Principal [arn:aws:sts::123456789012:assumed-role/pipeline/1] is not allowed to execute [codepipeline:StartPipelineExecution] on resource [arn:aws:codepipeline:us-east-1:123456789012:p]", Options{})
	if !d.Recognized || str0(d.Action) != "codepipeline:StartPipelineExecution" || str0(d.Resource) != "arn:aws:codepipeline:us-east-1:123456789012:p" || d.PrincipalType != PrincipalAssumedRole {
		t.Errorf("codepipeline form: %v %s %s %s", d.Recognized, str0(d.Action), str0(d.Resource), d.PrincipalType)
	}
	d, _ = Parse("Not authorized to access resource arn:aws:iot:us-east-1:123456789012:thing/t", Options{})
	if !d.Recognized || str0(d.Resource) != "arn:aws:iot:us-east-1:123456789012:thing/t" {
		t.Errorf("not authorized to access resource: %v %s", d.Recognized, str0(d.Resource))
	}
	d, _ = Parse("Not authorized to access resource ARN arn:aws:iot:us-east-1:123456789012:thing/t", Options{})
	if !d.Recognized || str0(d.Resource) != "arn:aws:iot:us-east-1:123456789012:thing/t" {
		t.Errorf("not authorized to access resource ARN: %v %s", d.Recognized, str0(d.Resource))
	}
	d, _ = Parse("User: arn:aws:iam::123456789012:user/u is not authorized to perform: iam:GetRole on resource: role my-role because no identity-based policy allows the iam:GetRole action", Options{})
	if str0(d.Resource) != "role my-role" {
		t.Errorf("legacy resource name: %s", str0(d.Resource))
	}
	d, _ = Parse("User: arn:aws:iam::123456789012:user/u is not authorized to perform: iam:ListRoles on resource: * because no identity-based policy allows the iam:ListRoles action", Options{})
	if str0(d.Resource) != "*" {
		t.Errorf("resource * lost: %s", str0(d.Resource))
	}
	d, _ = Parse("User: arn:aws:iam::123456789012:user/u is not authorized to access this resource with access key AKIAIOSFODNN7EXAMPLE", Options{})
	if !d.Recognized || d.AccessKeyID != "AKIAIOSFODNN7EXAMPLE" || d.Resource != nil || !strings.Contains(strings.Join(d.NextSteps, " "), "get-access-key-info") {
		t.Errorf("access key: %v %q %s", d.Recognized, d.AccessKeyID, str0(d.Resource))
	}
}

// TestBracketedLogLineIsText: a paste that starts with a bracket but is a
// log line, not JSON, is read as text: an error that is not a denial is
// "not recognised" (exit 3), never a JSON syntax error (exit 2).
func TestBracketedLogLineIsText(t *testing.T) {
	d, err := Parse("[ERROR] Runtime.UserCodeSyntaxError: SyntaxError: invalid syntax (app.py, line 3)", Options{})
	if err != nil || d.Recognized {
		t.Fatalf("got %+v, %v; want a text read that is not a denial", d, err)
	}
	for _, in := range []string{"[1, 2", "[true, fals", `{"Records": [`} {
		if _, err := Parse(in, Options{}); err == nil || !strings.Contains(err.Error(), "invalid JSON") {
			t.Errorf("Parse(%q): %v, want a JSON syntax error", in, err)
		}
	}
}

// Two errors whose lines are exactly as long as each other are two
// errors, not one message hard-wrapped at that width: the resources stay
// apart and the second is in Others.
func TestSameLengthErrorsAreNotAWrap(t *testing.T) {
	line := func(role string) string {
		return "An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:sts::111122223333:assumed-role/a/b is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444455556666:role/" + role
	}
	d, err := Parse(line("x")+"\n"+line("y"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if str0(d.Resource) != "arn:aws:iam::444455556666:role/x" || len(d.Others) != 1 || str0(d.Others[0].Resource) != "arn:aws:iam::444455556666:role/y" {
		t.Errorf("resource %s, %d others", str0(d.Resource), len(d.Others))
	}
	// A real wrap at the same width is still joined.
	msg := line("a-role-with-a-long-name-that-the-terminal-cuts")
	wrapped := msg[:100] + "\n" + msg[100:200] + "\n" + msg[200:]
	d, _ = Parse(wrapped, Options{})
	if str0(d.Resource) != "arn:aws:iam::444455556666:role/a-role-with-a-long-name-that-the-terminal-cuts" || len(d.Others) != 0 {
		t.Errorf("wrapped: resource %s, %d others", str0(d.Resource), len(d.Others))
	}
}

// Node.js prints a JavaScript SDK v3 service exception whose name is the
// code as "CLASS [CODE]: message".
func TestInspectedErrorCode(t *testing.T) {
	d, _ := Parse("S3ServiceException [AccessDenied]: Access Denied", Options{})
	if !d.Recognized || str0(d.ErrorCode) != "AccessDenied" {
		t.Errorf("recognized %v, code %s", d.Recognized, str0(d.ErrorCode))
	}
	for _, in := range []string{"SomeException [not a code]: x", "SomeException [AccessDenied] no colon"} {
		if c := inspectedErrorCode(in); c != "" {
			t.Errorf("%q: code %q", in, c)
		}
	}
}
