package gen

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// WriteEnv writes into dir an environment (environment.yaml and one
// authorization-details file per account) of the roles whose sessions a
// trail written with the same Options.Roles holds, so that `unused` and
// `generate --env` meet every role caller of that trail. Every role has
// an inline policy for the calls the trail makes, scoped to the
// generator's resources of its account, plus actions it never calls, and
// one of a few attached policies: a customer managed policy granting by
// wildcard (dynamodb:Describe*, sqs:*, logs:*) or the AWS managed
// AmazonS3ReadOnlyAccess, so wildcard expansion and the replacement of AWS
// managed policies are both exercised. Every fifth role lacks the grant
// for secretsmanager:GetSecretValue, so some calls of the trail are not
// granted by the identity policies. Deterministic: the same roles give
// the same files.
func WriteEnv(dir string, roles int) error {
	if roles < len(accounts) {
		return fmt.Errorf("roles: %d is fewer than the %d accounts", roles, len(accounts))
	}
	type stmt = map[string]any
	doc := func(stmts ...stmt) map[string]any { return map[string]any{"Version": "2012-10-17", "Statement": stmts} }
	perAccount := map[string][]map[string]any{}
	for i := 0; i < roles; i++ {
		acct := RoleAccount(i)
		stmts := []stmt{
			{"Sid": "Data", "Effect": "Allow", "Action": []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"},
				"Resource": []string{"arn:aws:s3:::data-" + acct + "/*", "arn:aws:s3:::logs-" + acct + "/*"}},
			{"Sid": "List", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::data-" + acct},
			{"Sid": "Compute", "Effect": "Allow", "Action": []string{"ec2:DescribeInstances", "ec2:RunInstances", "ec2:TerminateInstances"}, "Resource": "*"},
			{"Sid": "Iam", "Effect": "Allow", "Action": []string{"iam:GetRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy"},
				"Resource": "arn:aws:iam::" + acct + ":role/app-role-*"},
			{"Sid": "Assume", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::" + acct + ":role/deploy-*"},
			{"Sid": "Keys", "Effect": "Allow", "Action": []string{"kms:Decrypt", "kms:Encrypt"}, "Resource": "arn:aws:kms:*:" + acct + ":key/*"},
			{"Sid": "Functions", "Effect": "Allow", "Action": []string{"lambda:InvokeFunction", "lambda:GetFunction"},
				"Resource": "arn:aws:lambda:*:" + acct + ":function:worker-*"},
			{"Sid": "Messages", "Effect": "Allow", "Action": []string{"sqs:SendMessage", "sns:Publish"},
				"Resource": []string{"arn:aws:sqs:*:" + acct + ":jobs-*", "arn:aws:sns:*:" + acct + ":alerts-*"}},
		}
		if i%5 != 0 {
			stmts = append(stmts, stmt{"Sid": "Secrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
				"Resource": "arn:aws:secretsmanager:*:" + acct + ":secret:prod/*"})
		}
		attached := map[string]any{"PolicyName": "shared", "PolicyArn": "arn:aws:iam::" + acct + ":policy/shared"}
		if i%4 == 3 {
			attached = map[string]any{"PolicyName": "AmazonS3ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}
		}
		name := RoleName(i)
		perAccount[acct] = append(perAccount[acct], map[string]any{
			"Path": "/", "RoleName": name, "RoleId": fmt.Sprintf("AROA%017d", i), "Arn": "arn:aws:iam::" + acct + ":role/" + name,
			"CreateDate":               "2025-01-01T00:00:00Z",
			"AssumeRolePolicyDocument": doc(stmt{"Effect": "Allow", "Principal": map[string]any{"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}),
			"RolePolicyList":           []map[string]any{{"PolicyName": "app", "PolicyDocument": doc(stmts...)}},
			"AttachedManagedPolicies":  []map[string]any{attached},
			"Tags":                     []map[string]any{{"Key": "owner", "Value": fmt.Sprintf("team-%d", i%7)}},
		})
	}
	shared := doc(stmt{"Effect": "Allow", "Action": []string{"dynamodb:Describe*", "dynamodb:List*", "sqs:*", "logs:*"}, "Resource": "*"})
	yaml := "version: 1\nauthorization_details:\n"
	for _, acct := range accounts {
		list := perAccount[acct]
		auth := map[string]any{"UserDetailList": []any{}, "GroupDetailList": []any{}, "RoleDetailList": list,
			"Policies": []map[string]any{{"PolicyName": "shared", "PolicyId": "ANPA" + acct, "Arn": "arn:aws:iam::" + acct + ":policy/shared",
				"Path": "/", "DefaultVersionId": "v1", "AttachmentCount": len(list), "IsAttachable": true,
				"PolicyVersionList": []map[string]any{{"Document": shared, "VersionId": "v1", "IsDefaultVersion": true}}}}}
		b, err := json.MarshalIndent(auth, "", " ")
		if err != nil {
			return err
		}
		rel := filepath.Join("accounts", acct, "authorization-details.json")
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, rel), b, 0o644); err != nil {
			return err
		}
		yaml += "  - " + filepath.ToSlash(rel) + "\n"
	}
	return os.WriteFile(filepath.Join(dir, "environment.yaml"), []byte(yaml), 0o644)
}
