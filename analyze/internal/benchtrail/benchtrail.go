// Package benchtrail writes synthetic CloudTrail logs and an environment
// of many roles for the benchmarks of generate and unused: role sessions
// calling a few services on many resources, 2% access denied, in gzip
// files of 1,000 records laid out as a trail delivers them.
package benchtrail

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

// Account is the account of every role and record.
const Account = "111122223333"

// RoleARN is the ARN of role i.
func RoleARN(i int) string { return fmt.Sprintf("arn:aws:iam::%s:role/app-%d", Account, i) }

var calls = []struct{ source, name, data string }{
	{"s3.amazonaws.com", "GetObject", "Data"},
	{"s3.amazonaws.com", "PutObject", "Data"},
	{"s3.amazonaws.com", "ListObjectsV2", "Data"},
	{"sqs.amazonaws.com", "SendMessage", "Data"},
	{"dynamodb.amazonaws.com", "DescribeTable", "Management"},
	{"lambda.amazonaws.com", "Invoke", "Data"},
	{"iam.amazonaws.com", "GetRole", "Management"},
	{"sts.amazonaws.com", "GetCallerIdentity", "Management"},
	{"kms.amazonaws.com", "Decrypt", "Management"},
}

// Write writes records records by roles roles into dir and returns the
// number of files.
func Write(dir string, records, roles int) (int, error) {
	rng := rand.New(rand.NewPCG(1, 2))
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	files := 0
	for n := 0; n < records; files++ {
		day := filepath.Join(dir, "AWSLogs", Account, "CloudTrail", "eu-west-1", t.Format("2006/01/02"))
		if err := os.MkdirAll(day, 0o755); err != nil {
			return files, err
		}
		f, err := os.Create(filepath.Join(day, fmt.Sprintf("%s_CloudTrail_eu-west-1_%s_%06d.json.gz", Account, t.Format("20060102T1504Z"), files)))
		if err != nil {
			return files, err
		}
		zw := gzip.NewWriter(f)
		var recs []map[string]any
		for i := 0; i < 1000 && n < records; i, n = i+1, n+1 {
			t = t.Add(time.Duration(rng.IntN(2000)) * time.Millisecond)
			role := rng.IntN(roles)
			c := calls[rng.IntN(len(calls))]
			recs = append(recs, record(rng, n, role, c.source, c.name, c.data, t))
		}
		if err := json.NewEncoder(zw).Encode(map[string]any{"Records": recs}); err != nil {
			return files, err
		}
		if err := zw.Close(); err != nil {
			return files, err
		}
		if err := f.Close(); err != nil {
			return files, err
		}
	}
	return files, nil
}

func record(rng *rand.Rand, n, role int, source, name, category string, t time.Time) map[string]any {
	roleName := fmt.Sprintf("app-%d", role)
	r := map[string]any{
		"eventVersion": "1.09", "eventTime": t.Format(time.RFC3339), "eventSource": source, "eventName": name,
		"awsRegion": "eu-west-1", "sourceIPAddress": "203.0.113.10", "userAgent": "aws-sdk-go-v2/1.30",
		"eventID": fmt.Sprintf("00000000-0000-4000-8000-%012d", n), "eventType": "AwsApiCall",
		"eventCategory": category, "recipientAccountId": Account, "readOnly": name != "PutObject" && name != "SendMessage" && name != "Invoke",
		"tlsDetails": map[string]any{"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256"},
		"userIdentity": map[string]any{"type": "AssumedRole", "principalId": "AROAEXAMPLE:s",
			"arn": fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/s-%d", Account, roleName, rng.IntN(5)), "accountId": Account,
			"accessKeyId": "ASIAEXAMPLE", "sessionContext": map[string]any{
				"sessionIssuer": map[string]any{"type": "Role", "arn": RoleARN(role), "accountId": Account, "userName": roleName},
				"attributes":    map[string]any{"creationDate": "2026-01-01T00:00:00Z", "mfaAuthenticated": "false"}}},
	}
	bucket := fmt.Sprintf("data-%d", role%50)
	key := fmt.Sprintf("in/%d.csv", rng.IntN(200))
	switch source + " " + name {
	case "s3.amazonaws.com GetObject", "s3.amazonaws.com PutObject":
		r["requestParameters"] = map[string]any{"bucketName": bucket, "key": key}
		r["resources"] = []map[string]any{{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::" + bucket + "/" + key},
			{"type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::" + bucket, "accountId": Account}}
	case "s3.amazonaws.com ListObjectsV2":
		r["requestParameters"] = map[string]any{"bucketName": bucket, "prefix": "in/"}
		r["resources"] = []map[string]any{{"type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::" + bucket, "accountId": Account}}
	case "sqs.amazonaws.com SendMessage":
		r["requestParameters"] = map[string]any{"queueUrl": fmt.Sprintf("https://sqs.eu-west-1.amazonaws.com/%s/jobs-%d", Account, role%20)}
	case "dynamodb.amazonaws.com DescribeTable":
		r["requestParameters"] = map[string]any{"tableName": fmt.Sprintf("orders-%d", role%10)}
	case "lambda.amazonaws.com Invoke":
		fn := fmt.Sprintf("arn:aws:lambda:eu-west-1:%s:function:fn-%d", Account, role%30)
		r["requestParameters"] = map[string]any{"functionName": fn}
		r["resources"] = []map[string]any{{"type": "AWS::Lambda::Function", "ARN": fn, "accountId": Account}}
	case "iam.amazonaws.com GetRole":
		r["requestParameters"] = map[string]any{"roleName": roleName}
	case "kms.amazonaws.com Decrypt":
		r["resources"] = []map[string]any{{"type": "AWS::KMS::Key", "ARN": fmt.Sprintf("arn:aws:kms:eu-west-1:%s:key/k-%d", Account, role%5), "accountId": Account}}
	}
	if rng.IntN(100) < 2 {
		r["errorCode"] = "AccessDenied"
		r["errorMessage"] = "User: " + r["userIdentity"].(map[string]any)["arn"].(string) + " is not authorized to perform: " + name
	}
	return r
}

// WriteEnv writes an environment of roles roles (environment.yaml and its
// authorization details) into dir, each role with an inline policy for the
// calls Write makes and a managed policy with more than it uses.
func WriteEnv(dir string, roles int) error {
	doc := func(stmts ...map[string]any) map[string]any {
		return map[string]any{"Version": "2012-10-17", "Statement": stmts}
	}
	managed := doc(map[string]any{"Effect": "Allow", "Action": []string{"dynamodb:Describe*", "dynamodb:List*", "sqs:*"}, "Resource": "*"})
	var list []map[string]any
	for i := 0; i < roles; i++ {
		inline := doc(
			map[string]any{"Effect": "Allow", "Action": []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}, "Resource": fmt.Sprintf("arn:aws:s3:::data-%d/*", i%50)},
			map[string]any{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": fmt.Sprintf("arn:aws:s3:::data-%d", i%50)},
			map[string]any{"Effect": "Allow", "Action": []string{"lambda:InvokeFunction", "iam:GetRole", "kms:Decrypt", "kms:Encrypt"}, "Resource": "*"})
		list = append(list, map[string]any{"Path": "/", "RoleName": fmt.Sprintf("app-%d", i), "RoleId": fmt.Sprintf("AROA%016d", i),
			"Arn": RoleARN(i), "CreateDate": "2025-01-01T00:00:00Z",
			"AssumeRolePolicyDocument": doc(map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}),
			"RolePolicyList":           []map[string]any{{"PolicyName": "inline", "PolicyDocument": inline}},
			"AttachedManagedPolicies":  []map[string]any{{"PolicyName": "shared", "PolicyArn": "arn:aws:iam::" + Account + ":policy/shared"}},
			"Tags":                     []map[string]any{{"Key": "owner", "Value": fmt.Sprintf("team-%d", i%7)}}})
	}
	auth := map[string]any{"UserDetailList": []any{}, "GroupDetailList": []any{}, "RoleDetailList": list,
		"Policies": []map[string]any{{"PolicyName": "shared", "PolicyId": "ANPASHARED", "Arn": "arn:aws:iam::" + Account + ":policy/shared", "Path": "/",
			"DefaultVersionId": "v1", "AttachmentCount": roles, "IsAttachable": true,
			"PolicyVersionList": []map[string]any{{"Document": managed, "VersionId": "v1", "IsDefaultVersion": true}}}}}
	b, err := json.Marshal(auth)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "authorization-details.json"), b, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "environment.yaml"), []byte("version: 1\nauthorization_details:\n  - authorization-details.json\n"), 0o644)
}
