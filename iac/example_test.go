package iac_test

import (
	"encoding/json"
	"fmt"

	"github.com/iamwhy/iamwhy/iac"
)

// The statement Lambda's AddPermission writes for an S3 bucket allowed to
// invoke a function, and the function's policy with it.
func ExampleLambdaPermission_Statement() {
	p := iac.LambdaPermission{StatementID: "AllowS3", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com",
		SourceARN: "arn:aws:s3:::example-uploads", SourceAccount: "111122223333"}
	fn, _ := iac.FunctionARN("aws", "eu-west-1", "111122223333", "resize", "")
	doc, _ := iac.MergeStatements(nil, []map[string]any{p.Statement("aws", fn)}, nil)
	var out struct{ Statement []map[string]any }
	_ = json.Unmarshal(doc, &out)
	s := out.Statement[0]
	fmt.Println(s["Sid"], s["Principal"], s["Resource"])
	fmt.Println(s["Condition"])
	// Output:
	// AllowS3 map[Service:s3.amazonaws.com] arn:aws:lambda:eu-west-1:111122223333:function:resize
	// map[ArnLike:map[aws:SourceArn:arn:aws:s3:::example-uploads] StringEquals:map[aws:SourceAccount:111122223333]]
}
