package cloudformation

import (
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/snapshot"
)

func loadIntrinsics(t *testing.T) (*snapshot.Environment, *Result) {
	t.Helper()
	env, results, err := LoadFiles(nil, []Input{{Path: "testdata/intrinsics.yaml", Account: "111122223333", Region: "eu-west-1"}})
	if err != nil {
		t.Fatal(err)
	}
	return env, results[0]
}

func policyText(t *testing.T, r *Result, address string) *snapshot.Document {
	t.Helper()
	for _, p := range r.Policies {
		if p.Address == address {
			return p.Document
		}
	}
	t.Fatalf("no policy %s", address)
	return nil
}

// Each intrinsic function resolves as CloudFormation documents it.
func TestIntrinsics(t *testing.T) {
	_, r := loadIntrinsics(t)
	for _, tc := range []struct {
		rule, address string
		want, not     []string
	}{
		{"Fn::Sub list form with a variable from Fn::Select of a CommaDelimitedList (members trimmed); ${!x} is a literal ${x}",
			"Role.Policies[0].PolicyDocument", []string{`"arn:aws:s3:::beta/${literal}/*"`}, nil},
		{"Fn::FindInMap keyed by AWS::Region and Fn::Select of Fn::Split",
			"Role.Policies[1].PolicyDocument", []string{`"arn:aws:s3:::logs-eu/one/*"`}, nil},
		{"Fn::If with AWS::NoValue drops the element; Fn::And of a condition; Fn::GetAtt Arn of a queue named by !Sub",
			"Role.Policies[2].PolicyDocument", []string{`"sqs:SendMessage"`, `"arn:aws:sqs:eu-west-1:111122223333:jobs-dev"`}, []string{"sqs:DeleteMessage", "other"}},
		{"Fn::Or decided by its known true operand although another is unknown",
			"Role.Policies[2].PolicyDocument", []string{`"aws:SecureTransport"`}, nil},
		{"pseudo parameters AWS::Partition and AWS::AccountId from the options",
			"Role.AssumeRolePolicyDocument", []string{`"arn:aws:iam::111122223333:root"`}, nil},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			d := policyText(t, r, tc.address)
			if d.Unknown != "" {
				t.Fatalf("unknown: %s", d.Unknown)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(d.JSON), w) {
					t.Errorf("%s lacks %s:\n%s", tc.address, w, d.JSON)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(string(d.JSON), w) {
					t.Errorf("%s holds %s:\n%s", tc.address, w, d.JSON)
				}
			}
		})
	}
	for _, tc := range []struct{ rule, address, reason string }{
		{"a parameter without Default nor value is unknown, naming the template line", "NoDefaultPolicy.PolicyDocument", "intrinsics.yaml:69:60:"},
		{"a parameter without Default nor value names the parameter", "NoDefaultPolicy.PolicyDocument", "parameter NoDefault has no value"},
		{"an SSM parameter type is read at deploy", "SSMPolicy.PolicyDocument", "SSM Parameter Store"},
		{"a resource whose Condition is unknown may or may not exist", "MaybeRole.AssumeRolePolicyDocument", "whether MaybeRole.AssumeRolePolicyDocument exists is decided at deploy"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			d := policyText(t, r, tc.address)
			if !strings.Contains(d.Unknown, tc.reason) {
				t.Errorf("unknown = %q, want it to name %q", d.Unknown, tc.reason)
			}
		})
	}
}

func TestIntrinsicEnvironment(t *testing.T) {
	env, r := loadIntrinsics(t)
	if _, err := env.Principal("arn:aws:iam::111122223333:role/svc/app-dev"); err != nil {
		t.Errorf("Fn::Join of a parameter names the role, with its Path: %v", err)
	}
	if _, err := env.Principal("arn:aws:iam::111122223333:role/prod-only"); err == nil {
		t.Error("a resource whose Condition is false is created")
	}
	if _, err := env.Principal("arn:aws:iam::111122223333:role/StackNamed"); err != nil {
		t.Errorf("a role named from AWS::StackName stands in as its logical id: %v", err)
	}
	found := false
	for _, s := range r.StandIns {
		if strings.HasPrefix(s, "StackNamed: its RoleName is known only at deploy") {
			found = true
		}
	}
	if !found {
		t.Errorf("stand-ins = %q", r.StandIns)
	}
	// The role attaches a managed policy by Fn::ImportValue: any request is
	// undetermined unless an explicit deny decides.
	req := &eval.Request{Principal: "arn:aws:iam::111122223333:role/StackNamed", Action: "ec2:DescribeInstances", Resource: "*"}
	l, err := env.Layers(req)
	if err != nil {
		t.Fatal(err)
	}
	if d := eval.Decide(req, l); d.Outcome != eval.Undetermined || !strings.Contains(d.Reason, "ManagedPolicyArns[1]") {
		t.Errorf("got %v (%s), want undetermined naming StackNamed.ManagedPolicyArns[1]", d.Outcome, d.Reason)
	}
}

// A template CloudFormation would refuse is an error naming file:line:col.
func TestTemplateErrors(t *testing.T) {
	for _, tc := range []struct{ rule, text, want string }{
		{"not YAML", "Resources: [", "t.yaml: not a CloudFormation template"},
		{"no Resources", "Parameters: {}\n", "t.yaml:1:1: a template needs a Resources mapping"},
		{"a duplicate key", "{\"Resources\": {\"A\": {\"Type\": \"AWS::SNS::Topic\"}, \"A\": {\"Type\": \"AWS::SNS::Topic\"}}}", "t.yaml:1:"},
		{"a resource without Type", "Resources:\n  A: {Properties: {}}\n", "t.yaml:2:6: resource A has no Type"},
		{"Ref of nothing", "Resources:\n  A:\n    Type: AWS::IAM::Group\n    Properties: {GroupName: !Ref Missing}\n", "t.yaml:4:29: Ref Missing: no parameter or resource"},
		{"Fn::Select past the end", "Resources:\n  A:\n    Type: AWS::IAM::Group\n    Properties: {GroupName: !Select [3, [a, b]]}\n", "index 3 is past the end"},
		{"a condition that refers to itself", "Conditions:\n  C: !Not [!Condition C]\nResources:\n  A: {Type: AWS::IAM::Group, Condition: C}\n", "condition C refers to itself"},
		{"a name that depends on itself", "Resources:\n  A:\n    Type: AWS::IAM::Group\n    Properties: {GroupName: !Ref A}\n", "the name of A depends on itself"},
		{"a property of the wrong type", "Resources:\n  A:\n    Type: AWS::IAM::Role\n    Properties: {Path: [a]}\n", "t.yaml:4:24: resource A (AWS::IAM::Role): property Path"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			tmpl, err := Decode([]byte(tc.text), "t.yaml")
			if err == nil {
				_, err = Apply(snapshot.New(snapshot.Options{}), tmpl, Options{Account: "111122223333"})
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestParameterFiles(t *testing.T) {
	for _, tc := range []struct{ rule, text, key, want string }{
		{"the AWS CLI's list", `[{"ParameterKey": "Env", "ParameterValue": "prod"}]`, "Env", "prod"},
		{"a template configuration file", `{"Parameters": {"Env": "prod"}, "Tags": {"team": "x"}}`, "Env", "prod"},
		{"a mapping", "Env: prod\nSubnets: [a, b]\n", "Subnets", "a,b"},
		{"KEY=VALUE lines", "Env=prod Size=2\n# comment\n", "Size", "2"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			p, err := DecodeParameters([]byte(tc.text), "p")
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Values[tc.key]; got != tc.want {
				t.Errorf("%s = %q, want %q", tc.key, got, tc.want)
			}
		})
	}
	p, err := DecodeParameters([]byte(`[{"ParameterKey": "Env", "UsePreviousValue": true}]`), "p")
	if err != nil || !p.Previous["Env"] {
		t.Errorf("UsePreviousValue: %v %v", p, err)
	}
	if _, err := DecodeParameters([]byte(`[{"ParameterKey": "Env", "Value": "x"}]`), "p.json"); err == nil || !strings.Contains(err.Error(), "p.json:1:") {
		t.Errorf("an unknown key: %v", err)
	}
}

// A CDK cloud assembly: every stack of manifest.json, nested stages
// included, in the account and region of its environment.
func TestCloudAssembly(t *testing.T) {
	env, results, err := LoadFiles(nil, []Input{{Path: "testdata/cdk.out"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 || results[0].Account != "111122223333" || results[0].Region != "eu-west-1" {
		t.Fatalf("results: %+v", results)
	}
	req := &eval.Request{Principal: "arn:aws:iam::111122223333:role/HandlerServiceRoleFCDC14AE", Action: "s3:GetObject", Resource: "arn:aws:s3:::DataBucketE3889A50/k"}
	l, err := env.Layers(req)
	if err != nil {
		t.Fatal(err)
	}
	if d := eval.Decide(req, l); d.Outcome != eval.Allow {
		t.Errorf("CDK's default policy on its bucket: %v (%s)", d.Outcome, d.Reason)
	}
	if _, err := env.Principal("arn:aws:iam::111122223333:role/stage-api"); err != nil {
		t.Errorf("the nested stage's stack: %v", err)
	}
}

// SAM: Globals.Function's boundary and tracing reach the role SAM
// generates; a managed policy name is found whatever its path; an unknown
// policy template is a policy that exists and is not known.
func TestSAMFunction(t *testing.T) {
	env, results, err := LoadFiles(nil, []Input{{Path: "testdata/sam-globals.yaml", Account: "111122223333", Region: "eu-west-1"}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := env.Principal("arn:aws:iam::111122223333:role/WorkerRole")
	if err != nil {
		t.Fatal(err)
	}
	r := p.Role
	if r.BoundaryARN != "arn:aws:iam::111122223333:policy/boundary" {
		t.Errorf("boundary from Globals = %q", r.BoundaryARN)
	}
	var managed []string
	for _, m := range r.ManagedPolicies {
		managed = append(managed, m.ARN)
	}
	for _, want := range []string{"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess", "arn:aws:iam::aws:policy/AWSLambdaExecute",
		"arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"} {
		if !strings.Contains(strings.Join(managed, " "), want) {
			t.Errorf("managed policies %q lack %s", managed, want)
		}
	}
	if len(results[0].Unknown) != 1 || !strings.Contains(results[0].Unknown[0], "UnknownToIamwhyPolicy is not one iamwhy expands") {
		t.Errorf("unknown = %q", results[0].Unknown)
	}
	for _, tc := range []struct {
		action, resource string
		want             eval.Outcome
	}{
		{"sqs:ReceiveMessage", "arn:aws:sqs:eu-west-1:111122223333:jobs", eval.ImplicitDeny},                     // the boundary from Globals
		{"logs:PutLogEvents", "arn:aws:logs:eu-west-1:111122223333:log-group:g:log-stream:s", eval.Undetermined}, // allowed, but the unknown template could deny
	} {
		req := &eval.Request{Principal: r.ARN, Action: tc.action, Resource: tc.resource}
		l, err := env.Layers(req)
		if err != nil {
			t.Fatal(err)
		}
		d := eval.Decide(req, l)
		if d.Outcome != tc.want {
			t.Errorf("%s: got %v (%s), want %v", tc.action, d.Outcome, d.Reason, tc.want)
		}
		if d.Outcome == eval.Undetermined && !strings.Contains(d.Reason, "UnknownToIamwhyPolicy") {
			t.Errorf("%s: the reason %q does not name the template", tc.action, d.Reason)
		}
	}
	if _, err := env.Principal("arn:aws:iam::111122223333:role/PinnedRole"); err == nil {
		t.Error("a function with Role gets a generated role too")
	}
}

// JSON's \/ escape, which YAML lacks, is read.
func TestJSONSlashEscape(t *testing.T) {
	tmpl, err := Decode([]byte(`{"Resources": {"G": {"Type": "AWS::IAM::Group", "Properties": {"GroupName": "a\/b", "Path": "\\\/x\/"}}}}`), "t.json")
	if err != nil {
		t.Fatal(err)
	}
	env := snapshot.New(snapshot.Options{})
	if _, err := Apply(env, tmpl, Options{Account: "111122223333"}); err != nil {
		t.Fatal(err)
	}
	if g, ok := env.Accounts["111122223333"].Group("a/b"); !ok || g.Path != `\/x/` {
		t.Errorf("group: %+v %v", g, ok)
	}
}

// An entry of Policies that a deploy decides is an unknown inline policy;
// the role's other policies are read.
func TestUnknownPolicyEntry(t *testing.T) {
	text := `Parameters: {P: {Type: String}}
Conditions: {C: !Equals [!Ref P, x]}
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      RoleName: r
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]}
      Policies:
        - !If [C, {PolicyName: maybe, PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Deny, Action: "*", Resource: "*"}]}}, !Ref AWS::NoValue]
        - {PolicyName: read, PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: s3:GetObject, Resource: "*"}]}}
`
	tmpl, err := Decode([]byte(text), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := snapshot.New(snapshot.Options{})
	if _, err := Apply(env, tmpl, Options{Account: "111122223333"}); err != nil {
		t.Fatal(err)
	}
	if err := env.Finish(); err != nil {
		t.Fatal(err)
	}
	role, _ := env.Accounts["111122223333"].Role("r")
	if len(role.InlinePolicies) != 2 || role.InlinePolicies[0].Document.Unknown == "" || role.InlinePolicies[1].Name != "read" {
		t.Fatalf("inline policies: %+v", role.InlinePolicies)
	}
	if u := role.InlinePolicies[0].Document.Unknown; !strings.Contains(u, "R.Policies[0]") || !strings.Contains(u, "t.yaml:2:26: parameter P has no value") {
		t.Errorf("unknown = %q, want the entry and the parameter's line", u)
	}
}
