package terraform

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/iamwhy/iamwhy/snapshot"
)

// benchPlan writes a plan that creates n roles, each with a trust policy,
// an inline policy and a bucket with a bucket policy: the shape of a
// large platform module's plan.
func benchPlan(b *testing.B, n int) []byte {
	b.Helper()
	type change struct {
		Actions      []string       `json:"actions"`
		Before       any            `json:"before"`
		After        map[string]any `json:"after"`
		AfterUnknown map[string]any `json:"after_unknown"`
	}
	type rc struct {
		Address  string `json:"address"`
		Mode     string `json:"mode"`
		Type     string `json:"type"`
		Name     string `json:"name"`
		Provider string `json:"provider_name"`
		Change   change `json:"change"`
	}
	var rcs []rc
	add := func(typ, name string, after map[string]any, unknown ...string) {
		u := map[string]any{"id": true}
		for _, k := range unknown {
			u[k] = true
		}
		rcs = append(rcs, rc{Address: typ + "." + name, Mode: "managed", Type: typ, Name: name,
			Provider: "registry.terraform.io/hashicorp/aws", Change: change{Actions: []string{"create"}, After: after, AfterUnknown: u}})
	}
	for i := 0; i < n; i++ {
		role, bucket := fmt.Sprintf("app-%d", i), fmt.Sprintf("example-data-%d", i)
		add("aws_iam_role", fmt.Sprintf("r%d", i), map[string]any{"name": role, "path": "/",
			"assume_role_policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`},
			"arn", "unique_id")
		add("aws_iam_role_policy", fmt.Sprintf("p%d", i), map[string]any{"name": "read", "role": role,
			"policy": fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::%s/*"},{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:eu-west-1:111122223333:q-%d"}]}`, bucket, i)})
		add("aws_s3_bucket", fmt.Sprintf("b%d", i), map[string]any{"bucket": bucket}, "arn", "policy")
		add("aws_s3_bucket_policy", fmt.Sprintf("bp%d", i), map[string]any{"bucket": bucket,
			"policy": fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::%s/*"}]}`, bucket)})
	}
	data, err := json.Marshal(map[string]any{"format_version": "1.2", "terraform_version": "1.9.8", "resource_changes": rcs})
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkApplyPlan decodes and applies a plan of 1,000 roles (4,000
// resources: roles, inline policies, buckets, bucket policies) over an
// empty environment.
func BenchmarkApplyPlan(b *testing.B) {
	data := benchPlan(b, 1000)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		plan, err := Decode(data, "plan.json")
		if err != nil {
			b.Fatal(err)
		}
		env := snapshot.New(snapshot.Options{})
		if _, err := Apply(env, plan, "plan.json", Options{Account: "111122223333", Region: "eu-west-1"}); err != nil {
			b.Fatal(err)
		}
		env.Finish()
		if i == 0 {
			if got := len(Policies(env, "plan.json")); got != 3000 {
				b.Fatalf("%d policies, want 3000", got)
			}
		}
	}
}
