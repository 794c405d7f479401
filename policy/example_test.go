package policy_test

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/iamwhy/iamwhy/policy"
)

func ExampleParse() {
	doc := `{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "ReadReports",
    "Effect": "Allow",
    "Action": ["s3:GetObject", "s3:ListBucket"],
    "Resource": "arn:aws:s3:::reports/*",
    "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}
  }]
}`
	p, err := policy.ParseString(doc, policy.Options{Type: policy.TypeIdentity, Source: "reports.json"})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := p.Statements[0]
	fmt.Println(s.Label(), s.Effect, "at", s.Pos)
	for _, a := range s.Action.Values {
		fmt.Println(" action", a.Text, "at", a.Pos)
	}
	c := s.Conditions[0]
	fmt.Println(" condition", c.Operator, c.Key, c.Values[0].Text, "at", c.KeyPos)

	// The same statement with a Principal is not an identity-based policy.
	_, err = policy.ParseString(`{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}}`,
		policy.Options{Type: policy.TypeIdentity, Source: "bad.json"})
	fmt.Println(err)
	// Output:
	// ReadReports Allow at reports.json:3:17
	//  action s3:GetObject at reports.json:6:16
	//  action s3:ListBucket at reports.json:6:32
	//  condition StringEquals aws:RequestedRegion eu-west-1 at reports.json:8:36
	// bad.json:1:35: Principal is not allowed in an identity-based policy
}

// A policy written in YAML (here an SCP inline in an organisation file)
// keeps the YAML file's positions, in the model and in errors.
func ExampleParseYAML() {
	var file yaml.Node
	_ = yaml.Unmarshal([]byte(`policies:
  p-region:
    Version: 2012-10-17
    Statement:
      - Effect: Dny
        Action: "*"
        Resource: "*"
`), &file)
	scp := file.Content[0].Content[1].Content[1] // policies.p-region
	_, err := policy.ParseYAML(scp, policy.Options{Type: policy.TypeSCP, Source: "organization.yaml"})
	fmt.Println(err)
	// Output:
	// organization.yaml:5:9: Effect must be "Allow" or "Deny" (case-sensitive), not "Dny"
}

// The output of `aws iam get-policy-version` holds the document: Unwrap
// finds it, and its positions are those of the file.
func ExampleUnwrap() {
	out := []byte(`{"PolicyVersion": {
  "Document": {"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]},
  "VersionId": "v3", "IsDefaultVersion": true}}`)
	w, err := policy.Unwrap(out, "get-policy-version.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := policy.Parse(w.Text, w.Options(policy.TypeIdentity))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(w.Member, w.Encoding, "at", w.Start)
	fmt.Println("statement at", p.Statements[0].Pos)
	// Output:
	// PolicyVersion.Document object at get-policy-version.json:2:15
	// statement at get-policy-version.json:3:19
}
