// Package casegen writes the same set of realistic check cases in three
// forms, for timing `iamwhy check` against another simulator on identical
// input:
//
//	go run ./internal/casegen/gencases -n 20000 -out /tmp/cases
//
// (WriteAll) writes cases.yaml and cases.json (check files, spec/check-file.md) and
// anchor.json, a JSON array of {"name", "expect", "simulation"} where
// simulation is the input of @cloud-copilot/iam-simulate's runSimulation.
//
// The cases are what a CI suite of a multi-account organisation holds:
// role sessions in two accounts calling S3, DynamoDB, SQS, KMS and STS;
// identity policies with region, source-IP and tag conditions; a bucket
// policy granting another account of the organisation; two levels of SCPs
// (FullAWSAccess at the root, a region guardrail on the OU) and an RCP.
// About one case in ten expects an explicit deny, one in ten an implicit
// deny, and one in twenty states a wrong expectation, so failing cases and
// their explanations are part of every run.
package casegen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

const (
	appAccount   = "111122223333"
	dataAccount  = "444455556666"
	orgID        = "o-a1b2c3d4e5"
	roles        = 20
	allowRegion1 = "us-east-1"
	allowRegion2 = "eu-west-1"
)

type stmt = map[string]any
type doc = map[string]any

func policyDoc(stmts ...stmt) doc {
	list := make([]any, len(stmts))
	for i, s := range stmts {
		list[i] = s
	}
	return doc{"Version": "2012-10-17", "Statement": list}
}

// appPolicy is the identity policy of role app-i.
func appPolicy(i int) doc {
	return policyDoc(
		stmt{"Sid": "ReadWriteOwnBucket", "Effect": "Allow",
			"Action":    []any{"s3:GetObject", "s3:PutObject", "s3:ListBucket"},
			"Resource":  []any{fmt.Sprintf("arn:aws:s3:::app-%d-data", i), fmt.Sprintf("arn:aws:s3:::app-%d-data/*", i)},
			"Condition": doc{"StringEquals": doc{"aws:RequestedRegion": []any{allowRegion1, allowRegion2}}}},
		stmt{"Sid": "ReadSharedData", "Effect": "Allow", "Action": "s3:GetObject",
			"Resource": "arn:aws:s3:::shared-datasets/*"},
		stmt{"Sid": "TableAccess", "Effect": "Allow",
			"Action":    []any{"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"},
			"Resource":  fmt.Sprintf("arn:aws:dynamodb:*:%s:table/app-%d-*", appAccount, i),
			"Condition": doc{"IpAddress": doc{"aws:SourceIp": []any{"10.0.0.0/8", "192.168.0.0/16"}}}},
		stmt{"Sid": "Queue", "Effect": "Allow", "Action": []any{"sqs:SendMessage", "sqs:ReceiveMessage"},
			"Resource": fmt.Sprintf("arn:aws:sqs:*:%s:app-%d-*", appAccount, i)},
		stmt{"Sid": "TaggedKeys", "Effect": "Allow", "Action": []any{"kms:Decrypt", "kms:GenerateDataKey"},
			"Resource":  fmt.Sprintf("arn:aws:kms:*:%s:key/*", appAccount),
			"Condition": doc{"StringEquals": doc{"aws:ResourceTag/app": fmt.Sprintf("app-%d", i)}}},
		stmt{"Sid": "NoDeletes", "Effect": "Deny", "Action": []any{"s3:DeleteObject", "s3:DeleteBucket", "dynamodb:DeleteTable"},
			"Resource": "*"},
	)
}

// namedPolicies are the check file's policies: section.
func namedPolicies() map[string]doc {
	p := map[string]doc{}
	for i := 0; i < roles; i++ {
		p[fmt.Sprintf("app-%d", i)] = appPolicy(i)
	}
	p["analyst"] = policyDoc(stmt{"Sid": "ReadShared", "Effect": "Allow", "Action": []any{"s3:GetObject", "s3:ListBucket"},
		"Resource": []any{"arn:aws:s3:::shared-datasets", "arn:aws:s3:::shared-datasets/*"}})
	p["shared-bucket"] = policyDoc(
		stmt{"Sid": "OrgRead", "Effect": "Allow", "Principal": doc{"AWS": fmt.Sprintf("arn:aws:iam::%s:root", dataAccount)},
			"Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-datasets/*",
			"Condition": doc{"StringEquals": doc{"aws:PrincipalOrgID": orgID}}},
		stmt{"Sid": "TLSOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
			"Resource":  []any{"arn:aws:s3:::shared-datasets", "arn:aws:s3:::shared-datasets/*"},
			"Condition": doc{"Bool": doc{"aws:SecureTransport": "false"}}},
	)
	p["app-key"] = policyDoc(stmt{"Sid": "EnableIAMPolicies", "Effect": "Allow",
		"Principal": doc{"AWS": fmt.Sprintf("arn:aws:iam::%s:root", appAccount)}, "Action": "kms:*", "Resource": "*"})
	p["full-access"] = policyDoc(stmt{"Effect": "Allow", "Action": "*", "Resource": "*"})
	p["region-guardrail"] = policyDoc(stmt{"Sid": "DenyOtherRegions", "Effect": "Deny",
		"NotAction": []any{"iam:*", "sts:*", "organizations:*", "support:*"}, "Resource": "*",
		"Condition": doc{"StringNotEquals": doc{"aws:RequestedRegion": []any{allowRegion1, allowRegion2}}}})
	p["org-only-rcp"] = policyDoc(stmt{"Sid": "OrgOnly", "Effect": "Deny", "Principal": "*", "Action": []any{"s3:*", "sqs:*", "kms:*"},
		"Resource": "*",
		"Condition": doc{"StringNotEqualsIfExists": doc{"aws:PrincipalOrgID": orgID},
			"BoolIfExists": doc{"aws:PrincipalIsAWSService": "false"}}})
	return p
}

// genCase is one case in a neutral form both writers use.
type genCase struct {
	Name            string
	Principal       string
	Action          string
	Resource        string
	ResourceAccount string
	Context         map[string]any
	Identity        []string
	ResourcePolicy  string
	Expect          string // allow, implicit-deny, explicit-deny
	Stated          string // the expectation written (wrong for some cases)
}

func makeCase(n int) genCase {
	i := n % roles
	role := fmt.Sprintf("arn:aws:sts::%s:assumed-role/app-%d/session-%d", appAccount, i, n%97)
	region := []string{allowRegion1, allowRegion2}[n%2]
	c := genCase{Name: fmt.Sprintf("case %d", n), Principal: role, Identity: []string{fmt.Sprintf("app-%d", i)},
		ResourceAccount: appAccount,
		Context:         map[string]any{"aws:RequestedRegion": region, "aws:SecureTransport": "true", "aws:PrincipalOrgID": orgID}}
	switch n % 10 {
	case 0, 1:
		c.Action, c.Resource, c.Expect = "s3:GetObject", fmt.Sprintf("arn:aws:s3:::app-%d-data/reports/%d.csv", i, n), "allow"
	case 2:
		c.Action, c.Resource, c.Expect = "s3:PutObject", fmt.Sprintf("arn:aws:s3:::app-%d-data/in/%d.json", i, n), "allow"
	case 3:
		c.Action = "dynamodb:Query"
		c.Resource = fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/app-%d-orders", region, appAccount, i)
		c.Context["aws:SourceIp"] = fmt.Sprintf("10.%d.%d.7", n%200, n%250)
		c.Expect = "allow"
	case 4:
		c.Action = "dynamodb:GetItem"
		c.Resource = fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/app-%d-orders", region, appAccount, i)
		c.Context["aws:SourceIp"] = fmt.Sprintf("203.0.113.%d", n%250) // outside the allowed ranges
		c.Expect = "implicit-deny"
	case 5:
		c.Action, c.Resource = "sqs:SendMessage", fmt.Sprintf("arn:aws:sqs:%s:%s:app-%d-jobs", region, appAccount, i)
		c.Expect = "allow"
	case 6:
		c.Action, c.Resource = "kms:Decrypt", fmt.Sprintf("arn:aws:kms:%s:%s:key/0000-%04d", region, appAccount, n%10000)
		c.Context["aws:ResourceTag/app"] = fmt.Sprintf("app-%d", i)
		c.ResourcePolicy = "app-key" // the key policy delegates to IAM policies
		c.Expect = "allow"
	case 7:
		c.Action, c.Resource = "s3:DeleteObject", fmt.Sprintf("arn:aws:s3:::app-%d-data/old/%d", i, n)
		c.Expect = "explicit-deny"
	case 8:
		// Outside the allowed regions: the OU guardrail denies.
		c.Context["aws:RequestedRegion"] = "ap-southeast-2"
		c.Action, c.Resource, c.Expect = "s3:GetObject", fmt.Sprintf("arn:aws:s3:::app-%d-data/k%d", i, n), "explicit-deny"
	case 9:
		// Another account of the organisation reads the shared bucket
		// through its bucket policy.
		c.Principal = fmt.Sprintf("arn:aws:sts::%s:assumed-role/analyst/s%d", dataAccount, n%31)
		c.Identity = []string{"analyst"}
		c.Action, c.Resource = "s3:GetObject", fmt.Sprintf("arn:aws:s3:::shared-datasets/%d/part.parquet", n)
		c.ResourceAccount = appAccount
		c.ResourcePolicy = "shared-bucket"
		c.Expect = "allow"
		if n%20 == 19 {
			c.Context["aws:PrincipalOrgID"] = "o-zzzzzzzzzz" // outside the organisation: the RCP denies
			c.Expect = "explicit-deny"
		}
	}
	c.Stated = c.Expect
	if n%20 == 13 { // a wrong expectation: the case fails and is explained
		c.Stated = map[string]string{"allow": "deny", "implicit-deny": "allow", "explicit-deny": "allow"}[c.Expect]
	}
	return c
}

// WriteAll writes cases.yaml, cases.json and anchor.json with n cases into
// dir.
func WriteAll(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, w := range []struct {
		name  string
		write func(io.Writer, int) error
	}{{"cases.yaml", WriteYAML}, {"cases.json", WriteJSON}, {"anchor.json", WriteAnchor}} {
		f, err := os.Create(filepath.Join(dir, w.name))
		if err != nil {
			return err
		}
		bw := bufio.NewWriterSize(f, 1<<20)
		err = w.write(bw, n)
		if ferr := bw.Flush(); err == nil {
			err = ferr
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func layersOf(c genCase) map[string]any {
	l := map[string]any{"identity": c.Identity,
		"scp": [][]string{{"full-access"}, {"full-access", "region-guardrail"}},
		"rcp": [][]string{{"org-only-rcp"}}}
	if c.ResourcePolicy != "" {
		l["resource"] = c.ResourcePolicy
	}
	return l
}

func caseMap(c genCase) map[string]any {
	return map[string]any{"name": c.Name, "principal": c.Principal, "action": c.Action, "resource": c.Resource,
		"resource_account": c.ResourceAccount, "context": c.Context, "layers": layersOf(c), "expect": c.Stated}
}

// WriteJSON writes the check file as JSON, one case per line, the way a
// generator or a CI tool emits it.
func WriteJSON(f io.Writer, n int) error {
	var b strings.Builder
	pol, _ := json.Marshal(namedPolicies())
	fmt.Fprintf(&b, "{\"version\": 1,\n\"policies\": %s,\n\"cases\": [\n", pol)
	for i := 0; i < n; i++ {
		line, _ := json.Marshal(caseMap(makeCase(i)))
		b.Write(line)
		if i+1 < n {
			b.WriteString(",")
		}
		b.WriteString("\n")
		if b.Len() > 1<<20 {
			if _, err := io.WriteString(f, b.String()); err != nil {
				return err
			}
			b.Reset()
		}
	}
	b.WriteString("]}\n")
	_, err := io.WriteString(f, b.String())
	return err
}

// WriteYAML writes the check file as a person writes YAML: block style,
// flow lists for short values.
func WriteYAML(f io.Writer, n int) error {
	var b strings.Builder
	b.WriteString("version: 1\npolicies:\n")
	pols := namedPolicies()
	for _, name := range sortedKeys(pols) {
		js, _ := json.Marshal(pols[name])
		fmt.Fprintf(&b, "  %s: %s\n", name, js) // JSON is a YAML flow mapping
	}
	b.WriteString("cases:\n")
	for i := 0; i < n; i++ {
		c := makeCase(i)
		fmt.Fprintf(&b, "  - name: %s\n    principal: %s\n    action: %s\n    resource: %s\n    resource_account: \"%s\"\n    context:\n",
			c.Name, c.Principal, c.Action, c.Resource, c.ResourceAccount)
		for _, k := range sortedKeys(c.Context) {
			fmt.Fprintf(&b, "      %s: \"%s\"\n", k, c.Context[k])
		}
		fmt.Fprintf(&b, "    layers:\n      identity: [%s]\n", strings.Join(c.Identity, ", "))
		if c.ResourcePolicy != "" {
			fmt.Fprintf(&b, "      resource: %s\n", c.ResourcePolicy)
		}
		fmt.Fprintf(&b, "      scp: [[full-access], [full-access, region-guardrail]]\n      rcp: [[org-only-rcp]]\n    expect: %s\n", c.Stated)
		if b.Len() > 1<<20 {
			if _, err := io.WriteString(f, b.String()); err != nil {
				return err
			}
			b.Reset()
		}
	}
	_, err := io.WriteString(f, b.String())
	return err
}

// WriteAnchor writes the cases as @cloud-copilot/iam-simulate simulations.
func WriteAnchor(f io.Writer, n int) error {
	pols := namedPolicies()
	named := func(names ...string) []any {
		out := []any{}
		for _, nm := range names {
			out = append(out, map[string]any{"name": nm, "policy": pols[nm]})
		}
		return out
	}
	if _, err := io.WriteString(f, "[\n"); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		c := makeCase(i)
		sim := map[string]any{
			"identityPolicies": named(c.Identity...),
			"serviceControlPolicies": []any{
				map[string]any{"orgIdentifier": "r-root", "policies": named("full-access")},
				map[string]any{"orgIdentifier": "ou-workloads", "policies": named("full-access", "region-guardrail")},
			},
			"resourceControlPolicies": []any{
				map[string]any{"orgIdentifier": "r-root", "policies": named("org-only-rcp")},
			},
			"request": map[string]any{"action": c.Action, "principal": c.Principal,
				"resource":         map[string]any{"resource": c.Resource, "accountId": c.ResourceAccount},
				"contextVariables": c.Context},
		}
		if c.ResourcePolicy != "" {
			sim["resourcePolicy"] = pols[c.ResourcePolicy]
		}
		line, _ := json.Marshal(map[string]any{"name": c.Name, "expect": c.Stated, "simulation": sim})
		sep := ",\n"
		if i+1 == n {
			sep = "\n]\n"
		}
		if _, err := io.WriteString(f, string(line)+sep); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
