// Package gen writes synthetic CloudTrail logs for benchmarks: realistic
// records (several services, IAM users, role sessions and AWS services as
// callers, request parameters, resources, TLS details, about 2% access
// denied and 3% other errors, 1-2 KB each) laid out as a trail delivers
// them to S3: AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/
// <account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<random>.json.gz, each a
// gzip-compressed {"Records": [...]} object.
//
// The output is deterministic for a given Options.Seed. Run
// `go run ./trail/internal/gen/gentrail -out DIR -size 2GB` to write a set.
package gen

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Options say what to generate.
type Options struct {
	// Dir receives the AWSLogs tree.
	Dir string
	// Bytes is the approximate uncompressed size to write.
	Bytes int64
	// RecordsPerFile is the number of records per file (default 1000,
	// about 1.5 MB uncompressed, in the range CloudTrail writes).
	RecordsPerFile int
	// Seed makes the output reproducible.
	Seed uint64
	// DeniedPercent is the share of access-denied records (default 2).
	DeniedPercent float64
	// Roles is the number of roles whose sessions make the role calls,
	// spread over the accounts (role i in accounts[i%3], named
	// RoleName(i)); 0 keeps 40 roles per account, app-role-0 to
	// app-role-39, the set the older benchmarks were measured on.
	// WriteEnv writes an environment of the same roles.
	Roles int
}

// Result describes what was written.
type Result struct {
	Files, Records, Denied int64
	Bytes, Compressed      int64 // uncompressed and on-disk sizes
}

var (
	accounts = []string{"111122223333", "444455556666", "777788889999"}
	regions  = []string{"us-east-1", "eu-west-1", "ap-southeast-2"}
)

// Generate writes the set; it is single-threaded and deterministic.
func Generate(o Options) (Result, error) {
	if o.RecordsPerFile <= 0 {
		o.RecordsPerFile = 1000
	}
	if o.DeniedPercent == 0 {
		o.DeniedPercent = 2
	}
	if o.Roles != 0 && o.Roles < len(accounts) {
		return Result{}, fmt.Errorf("roles: %d is fewer than the %d accounts; give 0 or at least %d", o.Roles, len(accounts), len(accounts))
	}
	g := &generator{rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)), opts: o}
	var res Result
	t := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	var raw bytes.Buffer
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.DefaultCompression)
	for res.Bytes < o.Bytes {
		acct := accounts[int(res.Files)%len(accounts)]
		region := regions[int(res.Files/int64(len(accounts)))%len(regions)]
		raw.Reset()
		raw.WriteString(`{"Records":[`)
		for i := 0; i < o.RecordsPerFile; i++ {
			if i > 0 {
				raw.WriteByte(',')
			}
			t = t.Add(time.Duration(g.rng.IntN(400)) * time.Millisecond)
			denied := g.appendRecord(&raw, acct, region, t)
			res.Records++
			if denied {
				res.Denied++
			}
		}
		raw.WriteString(`]}`)
		gz.Reset()
		zw.Reset(&gz)
		if _, err := zw.Write(raw.Bytes()); err != nil {
			return res, err
		}
		if err := zw.Close(); err != nil {
			return res, err
		}
		dir := filepath.Join(o.Dir, "AWSLogs", acct, "CloudTrail", region, t.Format("2006/01/02"))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return res, err
		}
		name := fmt.Sprintf("%s_CloudTrail_%s_%s_%s.json.gz", acct, region, t.Format("20060102T1504Z"), g.token(16))
		if err := os.WriteFile(filepath.Join(dir, name), gz.Bytes(), 0o644); err != nil {
			return res, err
		}
		res.Files++
		res.Bytes += int64(raw.Len())
		res.Compressed += int64(gz.Len())
	}
	return res, nil
}

type generator struct {
	rng  *rand.Rand
	opts Options
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func (g *generator) token(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[g.rng.IntN(len(alnum))]
	}
	return string(b)
}

func (g *generator) uuid() string {
	const hex = "0123456789abcdef"
	b := make([]byte, 36)
	for i := range b {
		switch i {
		case 8, 13, 18, 23:
			b[i] = '-'
		default:
			b[i] = hex[g.rng.IntN(16)]
		}
	}
	return string(b)
}

// call is one kind of API call the generator writes.
type call struct {
	source, name, action string
	readOnly             bool
	params               func(g *generator, acct, region string) (params, resource string)
	otherError           string // a realistic non-denial error for this call
}

var calls = []call{
	{"s3.amazonaws.com", "GetObject", "s3:GetObject", true, func(g *generator, acct, region string) (string, string) {
		b, k := "data-"+acct, fmt.Sprintf("reports/2025/%04d/part-%05d.parquet", g.rng.IntN(400), g.rng.IntN(99999))
		return fmt.Sprintf(`{"bucketName":"%s","Host":"%s.s3.%s.amazonaws.com","key":"%s","x-id":"GetObject"}`, b, b, region, k), "arn:aws:s3:::" + b + "/" + k
	}, "NoSuchKey"},
	{"s3.amazonaws.com", "PutObject", "s3:PutObject", false, func(g *generator, acct, region string) (string, string) {
		b, k := "logs-"+acct, fmt.Sprintf("app/%s/%d.log", g.token(6), g.rng.IntN(1e6))
		return fmt.Sprintf(`{"bucketName":"%s","Host":"%s.s3.%s.amazonaws.com","key":"%s","x-amz-server-side-encryption":"aws:kms"}`, b, b, region, k), "arn:aws:s3:::" + b + "/" + k
	}, "SlowDown"},
	{"ec2.amazonaws.com", "DescribeInstances", "ec2:DescribeInstances", true, func(g *generator, acct, region string) (string, string) {
		return `{"instancesSet":{},"filterSet":{"items":[{"name":"tag:Environment","valueSet":{"items":[{"value":"production"}]}}]}}`, ""
	}, "RequestLimitExceeded"},
	{"ec2.amazonaws.com", "RunInstances", "ec2:RunInstances", false, func(g *generator, acct, region string) (string, string) {
		return fmt.Sprintf(`{"instancesSet":{"items":[{"imageId":"ami-0%s","minCount":1,"maxCount":1}]},"instanceType":"m5.large","blockDeviceMapping":{},"monitoring":{"enabled":false},"disableApiTermination":false,"subnetId":"subnet-0%s"}`, g.token(16), g.token(16)), ""
	}, "Client.InsufficientInstanceCapacity"},
	{"iam.amazonaws.com", "GetRole", "iam:GetRole", true, func(g *generator, acct, region string) (string, string) {
		r := fmt.Sprintf("app-role-%d", g.rng.IntN(40))
		return fmt.Sprintf(`{"roleName":"%s"}`, r), "arn:aws:iam::" + acct + ":role/" + r
	}, "NoSuchEntityException"},
	{"iam.amazonaws.com", "PutRolePolicy", "iam:PutRolePolicy", false, func(g *generator, acct, region string) (string, string) {
		r := fmt.Sprintf("app-role-%d", g.rng.IntN(40))
		return fmt.Sprintf(`{"roleName":"%s","policyName":"inline-%d","policyDocument":"{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\"], \"Resource\": \"arn:aws:s3:::data-%s/*\"}]\n}"}`, r, g.rng.IntN(9), acct), "arn:aws:iam::" + acct + ":role/" + r
	}, "MalformedPolicyDocumentException"},
	{"sts.amazonaws.com", "AssumeRole", "sts:AssumeRole", false, func(g *generator, acct, region string) (string, string) {
		r := fmt.Sprintf("arn:aws:iam::%s:role/deploy-%d", acct, g.rng.IntN(12))
		return fmt.Sprintf(`{"roleArn":"%s","roleSessionName":"session-%s","durationSeconds":3600}`, r, g.token(8)), r
	}, "RegionDisabledException"},
	{"kms.amazonaws.com", "Decrypt", "kms:Decrypt", true, func(g *generator, acct, region string) (string, string) {
		k := fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", region, acct, g.uuid())
		return fmt.Sprintf(`{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","encryptionContext":{"aws:lambda:FunctionArn":"arn:aws:lambda:%s:%s:function:worker-%d"}}`, region, acct, g.rng.IntN(30)), k
	}, "InvalidCiphertextException"},
	{"lambda.amazonaws.com", "Invoke", "lambda:InvokeFunction", false, func(g *generator, acct, region string) (string, string) {
		f := fmt.Sprintf("arn:aws:lambda:%s:%s:function:worker-%d", region, acct, g.rng.IntN(30))
		return fmt.Sprintf(`{"functionName":"%s","invocationType":"RequestResponse"}`, f), f
	}, "TooManyRequestsException"},
	{"dynamodb.amazonaws.com", "DescribeTable", "dynamodb:DescribeTable", true, func(g *generator, acct, region string) (string, string) {
		tb := fmt.Sprintf("orders-%d", g.rng.IntN(8))
		return fmt.Sprintf(`{"tableName":"%s"}`, tb), fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", region, acct, tb)
	}, "ResourceNotFoundException"},
	{"secretsmanager.amazonaws.com", "GetSecretValue", "secretsmanager:GetSecretValue", true, func(g *generator, acct, region string) (string, string) {
		s := fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:prod/db-%d-%s", region, acct, g.rng.IntN(6), g.token(6))
		return fmt.Sprintf(`{"secretId":"%s"}`, s), s
	}, "ResourceNotFoundException"},
	{"logs.amazonaws.com", "CreateLogStream", "logs:CreateLogStream", false, func(g *generator, acct, region string) (string, string) {
		lg := fmt.Sprintf("/aws/lambda/worker-%d", g.rng.IntN(30))
		return fmt.Sprintf(`{"logGroupName":"%s","logStreamName":"2025/03/01/[$LATEST]%s"}`, lg, g.token(32)), fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", region, acct, lg)
	}, "ResourceAlreadyExistsException"},
	{"sqs.amazonaws.com", "SendMessage", "sqs:SendMessage", false, func(g *generator, acct, region string) (string, string) {
		q := fmt.Sprintf("jobs-%d", g.rng.IntN(5))
		return fmt.Sprintf(`{"queueUrl":"https://sqs.%s.amazonaws.com/%s/%s","messageBody":"HIDDEN_DUE_TO_SECURITY_REASONS"}`, region, acct, q), fmt.Sprintf("arn:aws:sqs:%s:%s:%s", region, acct, q)
	}, "AWS.SimpleQueueService.NonExistentQueue"},
	{"sns.amazonaws.com", "Publish", "sns:Publish", false, func(g *generator, acct, region string) (string, string) {
		tp := fmt.Sprintf("arn:aws:sns:%s:%s:alerts-%d", region, acct, g.rng.IntN(4))
		return fmt.Sprintf(`{"topicArn":"%s","messageAttributes":{}}`, tp), tp
	}, "InvalidParameter"},
}

// deniedCode is the error code each service writes for a denial.
func deniedCode(source string) string {
	switch source {
	case "ec2.amazonaws.com":
		return "Client.UnauthorizedOperation"
	case "s3.amazonaws.com", "sts.amazonaws.com", "iam.amazonaws.com", "sqs.amazonaws.com":
		return "AccessDenied"
	case "sns.amazonaws.com":
		return "AuthorizationError"
	}
	return "AccessDeniedException"
}

// principal returns userIdentity JSON and the caller ARN.
func (g *generator) principal(acct string) (string, string) {
	switch n := g.rng.IntN(100); {
	case n < 55:
		role := fmt.Sprintf("app-role-%d", g.rng.IntN(40))
		if g.opts.Roles > 0 {
			role = RoleName(g.roleIndex(acct))
		}
		sess := fmt.Sprintf("i-0%s", g.token(16))
		arn := fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", acct, role, sess)
		return fmt.Sprintf(`{"type":"AssumedRole","principalId":"AROA%s:%s","arn":"%s","accountId":"%s","accessKeyId":"ASIA%s","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROA%s","arn":"arn:aws:iam::%s:role/%s","accountId":"%s","userName":"%s"},"webIdFederationData":{},"attributes":{"creationDate":"2025-03-01T00:00:00Z","mfaAuthenticated":"false"},"ec2RoleDelivery":"2.0"}}`,
			g.token(17), sess, arn, acct, g.token(16), g.token(17), acct, role, acct, role), arn
	case n < 85:
		user := fmt.Sprintf("dev-%d", g.rng.IntN(25))
		arn := fmt.Sprintf("arn:aws:iam::%s:user/%s", acct, user)
		return fmt.Sprintf(`{"type":"IAMUser","principalId":"AIDA%s","arn":"%s","accountId":"%s","accessKeyId":"AKIA%s","userName":"%s"}`,
			g.token(17), arn, acct, g.token(16), user), arn
	case n < 99:
		svc := []string{"lambda.amazonaws.com", "ec2.amazonaws.com", "cloudformation.amazonaws.com"}[g.rng.IntN(3)]
		return fmt.Sprintf(`{"type":"AWSService","invokedBy":"%s"}`, svc), svc
	default:
		arn := "arn:aws:iam::" + acct + ":root"
		return fmt.Sprintf(`{"type":"Root","principalId":"%s","arn":"%s","accountId":"%s","accessKeyId":"ASIA%s","sessionContext":{"attributes":{"creationDate":"2025-03-01T00:00:00Z","mfaAuthenticated":"true"}}}`,
			acct, arn, acct, g.token(16)), arn
	}
}

// RoleName is the name of role i of Options.Roles.
func RoleName(i int) string { return fmt.Sprintf("app-role-%d", i) }

// RoleAccount is the account of role i of Options.Roles.
func RoleAccount(i int) string { return accounts[i%len(accounts)] }

// roleIndex draws one of the Options.Roles roles of acct: indices i with
// i%len(accounts) equal to the account's position.
func (g *generator) roleIndex(acct string) int {
	a := 0
	for i, x := range accounts {
		if x == acct {
			a = i
		}
	}
	n := (g.opts.Roles - a + len(accounts) - 1) / len(accounts) // roles of this account
	return a + len(accounts)*g.rng.IntN(n)
}

var userAgents = []string{
	"aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/s3#1.58.2",
	"Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#5.10.219-208.866.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.4 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.144",
	"aws-cli/2.17.13 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#s3.cp",
	"console.amazonaws.com",
	"AWS Internal",
}

// appendRecord writes one record and reports whether it is a denial.
func (g *generator) appendRecord(b *bytes.Buffer, acct, region string, t time.Time) bool {
	c := calls[g.rng.IntN(len(calls))]
	ident, callerARN := g.principal(acct)
	params, resource := c.params(g, acct, region)
	roll := g.rng.Float64() * 100
	denied := roll < g.opts.DeniedPercent
	other := !denied && roll < g.opts.DeniedPercent+3
	var buf []byte
	buf = append(buf, `{"eventVersion":"1.09","userIdentity":`...)
	buf = append(buf, ident...)
	buf = append(buf, `,"eventTime":"`...)
	buf = t.AppendFormat(buf, "2006-01-02T15:04:05Z")
	buf = append(buf, `","eventSource":"`...)
	buf = append(buf, c.source...)
	buf = append(buf, `","eventName":"`...)
	buf = append(buf, c.name...)
	buf = append(buf, `","awsRegion":"`...)
	buf = append(buf, region...)
	buf = append(buf, `","sourceIPAddress":"`...)
	buf = fmt.Appendf(buf, "%d.%d.%d.%d", 10+g.rng.IntN(190), g.rng.IntN(256), g.rng.IntN(256), 1+g.rng.IntN(254))
	buf = append(buf, `","userAgent":"`...)
	buf = append(buf, userAgents[g.rng.IntN(len(userAgents))]...)
	buf = append(buf, '"')
	switch {
	case denied:
		buf = append(buf, `,"errorCode":"`...)
		buf = append(buf, deniedCode(c.source)...)
		buf = append(buf, `","errorMessage":"`...)
		why := []string{"because no identity-based policy allows the %s action",
			"with an explicit deny in a service control policy",
			"because no resource-based policy allows the %s action"}[g.rng.IntN(3)]
		if strings.Contains(why, "%s") {
			why = fmt.Sprintf(why, c.action)
		}
		res := resource
		if res == "" {
			res = "*"
		}
		buf = fmt.Appendf(buf, "User: %s is not authorized to perform: %s on resource: %s %s", callerARN, c.action, res, why)
		buf = append(buf, '"')
	case other:
		buf = append(buf, `,"errorCode":"`...)
		buf = append(buf, c.otherError...)
		buf = append(buf, `","errorMessage":"The request failed: `...)
		buf = append(buf, c.otherError...)
		buf = append(buf, '"')
	}
	buf = append(buf, `,"requestParameters":`...)
	buf = append(buf, params...)
	if denied || other {
		buf = append(buf, `,"responseElements":null`...)
	} else {
		buf = fmt.Appendf(buf, `,"responseElements":{"requestId":"%s","x-amz-id-2":"%s"}`, g.uuid(), g.token(60))
	}
	buf = fmt.Appendf(buf, `,"requestID":"%s","eventID":"%s","readOnly":%t`, g.uuid(), g.uuid(), c.readOnly)
	if resource != "" {
		buf = fmt.Appendf(buf, `,"resources":[{"accountId":"%s","type":"AWS::Generic","ARN":"%s"}]`, acct, resource)
	}
	buf = append(buf, `,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"`...)
	buf = append(buf, acct...)
	buf = append(buf, `","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"`...)
	buf = append(buf, c.source[:len(c.source)-len(".amazonaws.com")]...)
	buf = append(buf, '.')
	buf = append(buf, region...)
	buf = append(buf, `.amazonaws.com"}}`...)
	b.Write(buf)
	return denied
}
