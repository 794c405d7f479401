package eval

import (
	"testing"

	"github.com/iamwhy/iamwhy/policy"
)

// TestRepositoryPolicyWithoutResource: an Amazon ECR repository policy names
// no resource (policy.ResourceElementRule cites the pages); its statements
// apply to the repository it is attached to, so a cross-account pull it
// allows is allowed with the caller's own identity policy.
func TestRepositoryPolicyWithoutResource(t *testing.T) {
	repo, err := ParseAndCompile("repository policy", []byte(`{"Version":"2012-10-17","Statement":[{"Sid":"AllowPull","Effect":"Allow",
		"Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}`), policy.TypeResource)
	if err != nil {
		t.Fatal(err)
	}
	id := mustPolicy(t, "id", policy.TypeIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:BatchGetImage","Resource":"*"}]}`)
	const image = "arn:aws:ecr:eu-west-1:111122223333:repository/app"
	for _, tc := range []struct {
		action string
		want   Outcome
	}{{"ecr:BatchGetImage", Allow}, {"ecr:PutImage", ImplicitDeny}} {
		d := Decide(&Request{Principal: "arn:aws:iam::444455556666:role/ci", Action: tc.action, Resource: image, Context: &Context{}},
			&Layers{Identity: []*Policy{id}, Resource: repo})
		if d.Outcome != tc.want {
			t.Errorf("%s: %v, want %v (%s)", tc.action, d.Outcome, tc.want, d.Reason)
		}
	}
}
