package analyze_test

import (
	"fmt"

	"github.com/iamwhy/iamwhy/analyze"
	"github.com/iamwhy/iamwhy/policy"
)

func ExampleLint() {
	doc := []byte(`{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "iam:PassRole"], "Resource": "*"}
  ]
}`)
	res := analyze.Lint(doc, analyze.LintOptions{Type: policy.TypeIdentity, Source: "app.json"})
	for _, f := range res.Findings {
		fmt.Printf("%s:%d:%d %s %s\n", res.Source, f.Line, f.Col, f.Severity, f.IssueCode)
	}
	// Output:
	// app.json:4:52 SECURITY_WARNING PASS_ROLE_WITH_STAR_IN_RESOURCE
	// app.json:4:81 SUGGESTION RESOURCE_STAR
}
