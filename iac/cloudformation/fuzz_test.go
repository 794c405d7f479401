package cloudformation

import (
	"os"
	"testing"

	"github.com/iamwhy/iamwhy/snapshot"
)

// FuzzTemplate: any bytes decode to a template or an error, and a decoded
// template applies to an environment or fails with an error, never a panic
// or a hang (nesting, self-referring conditions and names are bounded).
func FuzzTemplate(f *testing.F) {
	for _, p := range []string{exampleTemplate, "testdata/intrinsics.yaml", "testdata/cdk.out/Orders.template.json"} {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": {"Fn::Sub": "${R.Arn}"}}}}}`))
	f.Add([]byte("Conditions:\n  A: !Condition A\nResources:\n  R: {Type: AWS::IAM::Policy, Condition: A}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tmpl, err := Decode(data, "fuzz.yaml")
		if err != nil {
			return
		}
		env := snapshot.New(snapshot.Options{})
		if _, err := Apply(env, tmpl, Options{Account: "111122223333", Parameters: map[string]string{"P": "v"}}); err != nil {
			return
		}
		_ = env.Finish()
	})
}

// FuzzParameters: a parameters file decodes or fails with an error.
func FuzzParameters(f *testing.F) {
	f.Add([]byte(`[{"ParameterKey":"A","ParameterValue":"b"}]`))
	f.Add([]byte(`{"Parameters":{"A":"b"},"Tags":{}}`))
	f.Add([]byte("A=b C=d\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = DecodeParameters(data, "p.json")
	})
}
