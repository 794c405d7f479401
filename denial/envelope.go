package denial

import (
	"strings"
)

// parseText reads free text: it undoes line wrapping, finds the SDK or CLI
// wrapper around the message (which carries the error code, the operation
// and sometimes the service), and reads the message. It reports whether
// the text is an access-denied error.
func parseText(text string, d *Denial) bool {
	return parseLine(unwrapLines(text), d)
}

// parseLine reads one repaired, unwrapped line of text.
func parseLine(line string, d *Denial) bool {
	msg, code := unwrapEnvelope(line, d)
	if code == "" {
		code = inspectedErrorCode(line)
	}
	if code != "" && d.ErrorCode == nil {
		d.ErrorCode = strp(normalizeCode(code))
	}
	recognized := parseMessage(msg, d)
	if d.ErrorCode != nil && isAccessDeniedCode(*d.ErrorCode) {
		recognized = true
	}
	if !recognized && forbiddenStatus(line, msg, d) {
		recognized = true
	}
	if d.ErrorCode != nil && strings.EqualFold(*d.ErrorCode, "VpceAccessDenied") && d.PolicyType == "" {
		// The code itself names the layer: a VPC endpoint policy.
		d.PolicyType = PolicyVPCEndpoint
	}
	if recognized && d.Operation == nil {
		if op := sdkStackOperation(line); op != "" {
			d.Operation = strp(op)
		}
	}
	if recognized && d.Service == nil {
		if p := sdkClassService(line); p != "" {
			d.Service = strp(p)
		}
	}
	return recognized
}

// inspectedErrorCode reads the code of an error as Node.js prints one
// whose name differs from its class: "S3ServiceException [AccessDenied]:
// Access Denied" (the JavaScript SDK v3's service exceptions); "" when the
// line has no such form.
func inspectedErrorCode(line string) string {
	i := strings.Index(line, "Exception [")
	if i < 0 {
		return ""
	}
	rest := line[i+len("Exception ["):]
	j := strings.Index(rest, "]:")
	if j <= 0 || !isCodeToken(rest[:j]) {
		return ""
	}
	return rest[:j]
}

// sdkClassService finds the service in an SDK's package names:
// "software.amazon.awssdk.services.s3." (Java v2),
// "com.amazonaws.services.s3." (Java v1), "aws.sdk.kotlin.services.s3."
// (Kotlin). Only service IDs serviceIDPrefix knows are accepted.
func sdkClassService(line string) string {
	for _, pkg := range []string{"software.amazon.awssdk.services.", "com.amazonaws.services.", "aws.sdk.kotlin.services."} {
		i := strings.Index(line, pkg)
		if i < 0 {
			continue
		}
		rest := line[i+len(pkg):]
		if j := strings.IndexByte(rest, '.'); j > 0 {
			if p, ok := serviceIDPrefix(rest[:j]); ok {
				return p
			}
		}
	}
	return ""
}

// forbiddenStatus recognises a 403 that carries no error body: S3 answers
// HEAD requests (HeadObject, HeadBucket) with a status only
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html),
// which the SDKs print as "(403) ... : Forbidden" (boto), "Forbidden:
// null" (JavaScript v2), "null (Service: S3, Status Code: 403, ...)"
// (Java v2), "Service returned error code 403: Forbidden" (Kotlin) or
// "(403) Forbidden" or "Error making request with Error Code Forbidden and
// Http Status Code Forbidden" (.NET), "Forbidden: UnknownError" with
// "httpStatusCode: 403" in its $metadata (JavaScript v3). The status is
// then the only evidence; the code stays what the SDK printed.
func forbiddenStatus(line, msg string, d *Denial) bool {
	m := strings.TrimSpace(strings.TrimRight(msg, "."))
	lm := asciiLower(m)
	code := ""
	if d.ErrorCode != nil {
		code = *d.ErrorCode
	}
	switch {
	case code == "403" && (lm == "forbidden" || lm == ""):
		return true
	case code == "" && (lm == "forbidden" || lm == "forbidden: null" || lm == "null" || lm == "") && status403(line):
		d.ErrorCode = strp("Forbidden")
		if lm == "null" || lm == "" {
			d.ErrorCode = nil
		}
		return true
	}
	lower := asciiLower(line)
	for _, p := range []string{"service returned error code 403", "http 403 forbidden", "(403) forbidden", "403 forbidden",
		"error code forbidden and http status code forbidden", "[forbidden]: unknownerror", "forbidden: unknownerror"} {
		if strings.Contains(lower, p) && (code == "" || code == "403" || strings.EqualFold(code, "forbidden")) {
			if d.ErrorCode == nil {
				d.ErrorCode = strp("Forbidden")
			}
			return true
		}
	}
	return false
}

// status403 reports whether an SDK's details name HTTP status 403.
func status403(line string) bool {
	lower := asciiLower(line)
	return strings.Contains(lower, "status code: 403") || strings.Contains(lower, "statuscode: 403") ||
		strings.Contains(lower, "statuscode: 403,") || strings.Contains(lower, "status: 403") ||
		strings.Contains(lower, "httpstatuscode: 403")
}

// sdkStackOperation finds the API operation in an SDK's stack trace or
// class names when the error text names none: Kotlin's
// "HeadObjectOperationDeserializer", Java v2's "DefaultS3Client.headObject(".
func sdkStackOperation(line string) string {
	if i := strings.Index(line, "OperationDeserializer"); i > 0 {
		j := i
		for j > 0 && isAlnum(line[j-1]) {
			j--
		}
		if op := line[j:i]; op != "" && op[0] >= 'A' && op[0] <= 'Z' {
			return op
		}
	}
	if i := strings.Index(line, "Client."); i > 0 && strings.Contains(line[:i], "Default") {
		rest := line[i+len("Client."):]
		j := 0
		for j < len(rest) && isAlnum(rest[j]) {
			j++
		}
		if j > 0 && j < len(rest) && rest[j] == '(' && rest[0] >= 'a' && rest[0] <= 'z' {
			return strings.ToUpper(rest[:1]) + rest[1:j]
		}
	}
	return ""
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// unwrapEnvelope finds the error wrapper in one unwrapped line and returns
// the message inside it and the error code it names. Known wrappers:
//
//	AWS CLI / boto:  An error occurred (CODE) when calling the OP operation: MSG
//	Go SDK v2:       operation error SVC: OP, https response error StatusCode: 403, RequestID: ..., api error CODE: MSG
//	Java SDK:        [Class: ]MSG (Service: SVC; Status Code: 403; Error Code: CODE; Request ID: ...)
//	JS SDK v3, Go SDK v1, Terraform: CODE: MSG [status code: 403, request id: ...]
func unwrapEnvelope(line string, d *Denial) (msg, code string) {
	lower := asciiLower(line)

	// AWS CLI and boto3/botocore ClientError.
	if i := strings.Index(line, "An error occurred ("); i >= 0 {
		rest := line[i+len("An error occurred ("):]
		if j := strings.IndexByte(rest, ')'); j > 0 {
			code = rest[:j]
			rest = rest[j+1:]
			if strings.HasPrefix(rest, " when calling the ") {
				op := nextToken(rest[len(" when calling the "):])
				if op != "" {
					d.Operation = strp(op)
				}
			}
			if k := strings.Index(rest, ": "); k >= 0 {
				rest = rest[k+2:]
			} else {
				rest = ""
			}
			d.Format = "aws-cli"
			if strings.Contains(lower, "botocore") || strings.Contains(lower, "clienterror") {
				d.Format = "boto"
			}
			return trimSDKTrailers(rest), code
		}
	}

	// AWS SDK for Go v2 (smithy OperationError wrapping a ResponseError).
	if i := strings.Index(line, "operation error "); i >= 0 {
		rest := line[i+len("operation error "):]
		if j := strings.Index(rest, ": "); j > 0 {
			svc := rest[:j]
			rest = rest[j+2:]
			if k := strings.IndexByte(rest, ','); k > 0 {
				d.Operation = strp(rest[:k])
			}
			if p, ok := serviceIDPrefix(svc); ok {
				d.Service = strp(p)
			}
			d.Format = "go-sdk-v2"
			if k := strings.Index(rest, "api error "); k >= 0 {
				rest = rest[k+len("api error "):]
				if c := strings.Index(rest, ": "); c > 0 && !strings.Contains(rest[:c], " ") {
					return trimSDKTrailers(rest[c+2:]), rest[:c]
				}
				return trimSDKTrailers(rest), ""
			}
			return trimSDKTrailers(rest), ""
		}
	}

	// JavaScript SDK v2 error objects as util.inspect prints them:
	// "{ [AccessDenied: Access Denied] message: 'Access Denied', code:
	// 'AccessDenied', ..., statusCode: 403, ... }".
	if c, ok := quotedField(line, "code: '"); ok && isCodeToken(c) {
		d.Format = "js-sdk-v2"
		if m, ok := quotedField(line, "message: '"); ok {
			return m, c
		}
		return "", c
	}

	// The AWS SDK for Java v1 before 1.9: "Status Code: 403, AWS Service:
	// Amazon S3, AWS Request ID: ..., AWS Error Code: AccessDenied, AWS
	// Error Message: Access Denied".
	if i := strings.Index(line, "AWS Error Code: "); i >= 0 {
		c := strings.TrimRight(nextToken(line[i+len("AWS Error Code: "):]), ",;")
		if j := strings.Index(line, "AWS Service: "); j >= 0 {
			svc := line[j+len("AWS Service: "):]
			if k := strings.IndexByte(svc, ','); k >= 0 {
				svc = svc[:k]
			}
			if p, ok := serviceIDPrefix(svc); ok {
				d.Service = strp(p)
			}
		}
		msg := ""
		if j := strings.Index(line, "AWS Error Message: "); j >= 0 {
			msg = line[j+len("AWS Error Message: "):]
			if k := strings.IndexAny(msg, "\"'"); k >= 0 {
				msg = msg[:k]
			}
		}
		d.Format = "java-sdk-v1"
		return strings.TrimSpace(msg), c
	}

	// Swift and other SDKs print the response header naming the code.
	if i := strings.Index(line, "x-amzn-ErrorType: "); i >= 0 {
		c := nextToken(line[i+len("x-amzn-ErrorType: "):])
		if k := strings.IndexByte(c, ':'); k >= 0 {
			c = c[:k]
		}
		c = strings.TrimRight(c, ",;")
		if isCodeToken(c) {
			d.Format = "http-header"
			msg := line
			if m, ok := quotedField(line, "message: Optional(\""); ok {
				msg = m
			}
			return msg, c
		}
	}

	// AWS SDK for Java v1 and v2.
	if i := strings.LastIndex(line, " (Service: "); i >= 0 {
		details := line[i+len(" (Service: "):]
		svc := details
		if j := strings.IndexAny(svc, ";,"); j >= 0 {
			svc = svc[:j]
		}
		if p, ok := serviceIDPrefix(svc); ok {
			d.Service = strp(p)
		}
		if j := strings.Index(details, "Error Code: "); j >= 0 {
			code = strings.TrimRight(nextToken(details[j+len("Error Code: "):]), ";,)")
		}
		body := line[:i]
		// Drop the exception class: "com.amazonaws.services.s3.model.AmazonS3Exception: MSG".
		// The last "pkg.Class: " prefix is the SDK's (a wrapper such as
		// java.nio.file.AccessDeniedException may come first).
		if j := lastClassPrefix(body); j >= 0 {
			start := strings.LastIndexByte(body[:j], ' ') + 1
			cls := body[start : j+len("Exception")]
			if code == "" {
				simple := cls[strings.LastIndexByte(cls, '.')+1:]
				if isAccessDeniedCode(simple) {
					code = simple
				}
			}
			body = body[j+len("Exception: "):]
		}
		d.Format = "java-sdk"
		return strings.TrimSpace(body), code
	}

	// "CODE: MSG" at the start (JS SDK v3 error name, Go SDK v1, the
	// Terraform and CDK renderings), possibly after "Error: ".
	s := line
	for _, p := range []string{"Error: ", "error: ", "ERROR: ", "Exception: "} {
		s = strings.TrimPrefix(s, p)
	}
	if c := strings.Index(s, ": "); c > 0 && isCodeToken(s[:c]) {
		d.Format = "code-prefixed"
		return trimSDKTrailers(s[c+2:]), s[:c]
	}
	// An access-denied code somewhere in the text ("... in S3 bucket:
	// AccessDenied: User ..."), as Terraform prints it.
	for _, c := range []string{"AccessDeniedException: ", "AccessDenied: ", "UnauthorizedOperation: ", "AuthorizationError: "} {
		if i := strings.Index(line, c); i >= 0 {
			d.Format = "code-prefixed"
			return trimSDKTrailers(line[i+len(c):]), strings.TrimSuffix(c, ": ")
		}
	}
	return line, ""
}

// quotedField returns the text after key up to the closing quote that key
// opened (its last character).
func quotedField(line, key string) (string, bool) {
	i := strings.Index(line, key)
	if i < 0 {
		return "", false
	}
	q := key[len(key)-1]
	rest := line[i+len(key):]
	j := strings.IndexByte(rest, q)
	if j < 0 {
		return "", false
	}
	return rest[:j], true
}

// isCodeToken reports whether s looks like an AWS error code or exception
// name: one word of letters, digits and dots, such as AccessDenied,
// AccessDeniedException or Client.UnauthorizedOperation.
func isCodeToken(s string) bool {
	if s == "" || len(s) > 80 {
		return false
	}
	if s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	// Dotted names are codes only with CloudTrail's and S3's prefixes
	// (Client.UnauthorizedOperation, KMS.NotFoundException); others are
	// class names such as Amazon.S3.AmazonS3Exception.
	if i := strings.IndexByte(s, '.'); i >= 0 {
		switch s[:i+1] {
		case "Client.", "Server.", "KMS.":
		default:
			return false
		}
	}
	lc := strings.ToLower(s)
	return strings.HasSuffix(lc, "exception") || strings.HasSuffix(lc, "error") ||
		strings.HasSuffix(lc, "denied") || strings.HasSuffix(lc, "operation") ||
		strings.HasSuffix(lc, "forbidden") || isAccessDeniedCode(s)
}

// trimSDKTrailers removes what SDKs append after the message: the Go SDK
// v1 "status code: 403, request id: ..." and a Java details block.
func trimSDKTrailers(s string) string {
	lower := asciiLower(s)
	for _, t := range []string{" status code: ", " (service: "} {
		if i := strings.Index(lower, t); i >= 0 {
			s, lower = s[:i], lower[:i]
		}
	}
	return strings.TrimSpace(s)
}

// serviceIDs maps SDK service IDs and Java client names (lower-cased,
// without spaces) to IAM service prefixes where the two differ; an ID not
// listed whose lower-cased form is itself a common prefix is accepted by
// serviceIDPrefix.
var serviceIDs = map[string]string{
	"s3":                         "s3",
	"amazons3":                   "s3",
	"s3control":                  "s3",
	"kms":                        "kms",
	"awskms":                     "kms",
	"sts":                        "sts",
	"awssecuritytokenservice":    "sts",
	"iam":                        "iam",
	"amazonidentitymanagement":   "iam",
	"ec2":                        "ec2",
	"amazonec2":                  "ec2",
	"sqs":                        "sqs",
	"amazonsqs":                  "sqs",
	"sns":                        "sns",
	"amazonsns":                  "sns",
	"dynamodb":                   "dynamodb",
	"amazondynamodbv2":           "dynamodb",
	"lambda":                     "lambda",
	"awslambda":                  "lambda",
	"secretsmanager":             "secretsmanager",
	"awssecretsmanager":          "secretsmanager",
	"ssm":                        "ssm",
	"awssimplesystemsmanagement": "ssm",
	"cloudwatchlogs":             "logs",
	"awslogs":                    "logs",
	"cloudwatch":                 "cloudwatch",
	"amazoncloudwatch":           "cloudwatch",
	"ecr":                        "ecr",
	"organizations":              "organizations",
	"cloudtrail":                 "cloudtrail",
	"sfn":                        "states",
	"eventbridge":                "events",
	"cloudwatchevents":           "events",
	"apigateway":                 "apigateway",
	"costexplorer":               "ce",
	"bedrock":                    "bedrock",
	"bedrockruntime":             "bedrock",
	"athena":                     "athena",
	"glue":                       "glue",
	"kinesis":                    "kinesis",
	"firehose":                   "firehose",
	"ecs":                        "ecs",
	"eks":                        "eks",
	"rds":                        "rds",
	"route53":                    "route53",
	"cloudformation":             "cloudformation",
	"codecommit":                 "codecommit",
	"codedeploy":                 "codedeploy",
	"sagemaker":                  "sagemaker",
	"acm":                        "acm",
}

// serviceIDPrefix maps an SDK service ID ("S3", "Secrets Manager",
// "CloudWatch Logs") or Java client name ("Amazon S3", "AWSKMS") to the IAM
// service prefix. IDs it does not know give false: the prefix is not
// guessed.
func serviceIDPrefix(id string) (string, bool) {
	key := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(id), " ", ""))
	p, ok := serviceIDs[key]
	return p, ok
}

// eventSourcePrefix maps a CloudTrail eventSource (s3.amazonaws.com) to the
// IAM service prefix. For almost every service the two agree; the known
// exceptions are listed.
func eventSourcePrefix(src string) string {
	host := strings.TrimSuffix(strings.TrimSuffix(src, ".amazonaws.com.cn"), ".amazonaws.com")
	if host == "" || strings.ContainsAny(host, "./: ") {
		return ""
	}
	switch host {
	case "monitoring":
		return "cloudwatch"
	case "email":
		return "ses"
	}
	return host
}

// lastClassPrefix returns the index of the last "Exception: " in s that
// ends a dotted Java class name, or -1.
func lastClassPrefix(s string) int {
	for end := len(s); ; {
		j := strings.LastIndex(s[:end], "Exception: ")
		if j < 0 {
			return -1
		}
		start := strings.LastIndexByte(s[:j], ' ') + 1
		if strings.Contains(s[start:j], ".") {
			return j
		}
		end = j
	}
}
