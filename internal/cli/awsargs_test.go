package cli

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// The AWS CLI's shorthand for one ContextEntry, as its documentation
// writes it (cli-usage-shorthand.html, the aws iam simulate-* examples),
// and what is not shorthand.
func TestContextEntryShorthand(t *testing.T) {
	for _, tc := range []struct {
		rule string
		in   string
		want contextEntry
		err  string
	}{
		{"the simulate-custom-policy example: single-quoted values",
			"ContextKeyName='aws:CurrentTime',ContextKeyValues='2019-04-25T11:00:00Z',ContextKeyType=date",
			contextEntry{"aws:CurrentTime", []string{"2019-04-25T11:00:00Z"}, "date"}, ""},
		{"plain words", "ContextKeyName=aws:SourceIp,ContextKeyValues=1.2.3.4,ContextKeyType=ip",
			contextEntry{"aws:SourceIp", []string{"1.2.3.4"}, "ip"}, ""},
		{"keys in any order", "ContextKeyType=ip,ContextKeyValues=1.2.3.4,ContextKeyName=aws:SourceIp",
			contextEntry{"aws:SourceIp", []string{"1.2.3.4"}, "ip"}, ""},
		{"comma-separated values run to the next KEY=",
			"ContextKeyName=aws:TagKeys,ContextKeyValues=team,env,cost-centre,ContextKeyType=stringList",
			contextEntry{"aws:TagKeys", []string{"team", "env", "cost-centre"}, "stringList"}, ""},
		{"comma-separated values at the end", "ContextKeyName=aws:TagKeys,ContextKeyType=stringList,ContextKeyValues=team,env",
			contextEntry{"aws:TagKeys", []string{"team", "env"}, "stringList"}, ""},
		{"an explicit list", "ContextKeyName=aws:TagKeys,ContextKeyValues=[team, env],ContextKeyType=stringList",
			contextEntry{"aws:TagKeys", []string{"team", "env"}, "stringList"}, ""},
		{"double quotes keep commas and spaces", `ContextKeyName=aws:UserAgent,ContextKeyValues="a, b",ContextKeyType=string`,
			contextEntry{"aws:UserAgent", []string{"a, b"}, "string"}, ""},
		{"escaped quote inside quotes", `ContextKeyName=k:x,ContextKeyValues='it\'s'`,
			contextEntry{"k:x", []string{"it's"}, ""}, ""},
		{`\, escapes a comma in a word`, `ContextKeyName=k:x,ContextKeyValues=a\,b`,
			contextEntry{"k:x", []string{"a,b"}, ""}, ""},
		{"= inside a first value (base64 padding)", "ContextKeyName=k:bin,ContextKeyValues=aGk=,ContextKeyType=binary",
			contextEntry{"k:bin", []string{"aGk="}, "binary"}, ""},
		{"spaces around separators", "ContextKeyName = aws:SourceIp , ContextKeyValues = 1.2.3.4",
			contextEntry{"aws:SourceIp", []string{"1.2.3.4"}, ""}, ""},
		{"an unknown key is an error, never a silent key", "ContextKeyName=aws:SourceIp,ContextKeyValue=1.2.3.4", contextEntry{}, `unknown key "ContextKeyValue"`},
		{"lower-case keys are not the API's names", "contextkeyname=aws:SourceIp,contextkeyvalues=1.2.3.4", contextEntry{}, "unknown key"},
		{"a key given twice", "ContextKeyName=a:b,ContextKeyName=c:d", contextEntry{}, "ContextKeyName given twice"},
		{"KEY=VALUE of --context is not shorthand", "aws:SourceIp=1.2.3.4", contextEntry{}, "want '=' after aws"},
		{"a value with an unquoted space", "ContextKeyName=k:x,ContextKeyValues=a b", contextEntry{}, "want ','"},
		{"an unclosed quote", "ContextKeyName='k:x", contextEntry{}, "not closed"},
		{"an unclosed list", "ContextKeyName=k:x,ContextKeyValues=[a,b", contextEntry{}, "want ',' or ']' in the list"},
		{"a name with two values", "ContextKeyName=[a,b]", contextEntry{}, "ContextKeyName takes one value"},
		{"nothing after =", "ContextKeyName=", contextEntry{}, "want a value"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			got, err := contextEntryShorthand(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("%q: err = %v, want one with %q (got %+v)", tc.in, err, tc.err, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("%q: %v", tc.in, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%q = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}

// The checks of an entry's values against ContextKeyType, and the JSON
// form; each bad entry is an error naming it.
func TestParseContextEntries(t *testing.T) {
	for _, tc := range []struct {
		rule string
		in   []string
		want []contextEntry
		err  string
	}{
		{"the JSON form: a list", []string{`[{"ContextKeyName":"aws:SourceIp","ContextKeyValues":["1.2.3.4"],"ContextKeyType":"ip"}]`},
			[]contextEntry{{"aws:SourceIp", []string{"1.2.3.4"}, "ip"}}, ""},
		{"the JSON form: one object", []string{`{"ContextKeyName":"aws:SourceIp","ContextKeyValues":["10.0.0.0/8"],"ContextKeyType":"ip"}`},
			[]contextEntry{{"aws:SourceIp", []string{"10.0.0.0/8"}, "ip"}}, ""},
		{"file://", []string{"file://testdata/simulate/context-entries.json"},
			[]contextEntry{{"aws:SourceIp", []string{"203.0.113.7"}, "ip"}, {"aws:TagKeys", []string{"team", "env"}, "stringList"}}, ""},
		{"fileb://", []string{"fileb://testdata/simulate/context-entries.json"},
			[]contextEntry{{"aws:SourceIp", []string{"203.0.113.7"}, "ip"}, {"aws:TagKeys", []string{"team", "env"}, "stringList"}}, ""},
		{"several values, one entry each", []string{"ContextKeyName=aws:SourceIp,ContextKeyValues=1.2.3.4,ContextKeyType=ip",
			"ContextKeyName=aws:MultiFactorAuthPresent,ContextKeyValues=true,ContextKeyType=boolean"},
			[]contextEntry{{"aws:SourceIp", []string{"1.2.3.4"}, "ip"}, {"aws:MultiFactorAuthPresent", []string{"true"}, "boolean"}}, ""},
		{"a JSON field the API does not have", []string{`[{"ContextKeyName":"a:b","ContextKeyValues":["x"],"Type":"string"}]`}, nil, `unknown field "Type"`},
		{"JSON values must be strings", []string{`[{"ContextKeyName":"a:b","ContextKeyValues":[1]}]`}, nil, "not a ContextEntry JSON list"},
		{"an unknown type", []string{"ContextKeyName=a:b,ContextKeyValues=x,ContextKeyType=str"}, nil, `unknown ContextKeyType "str"`},
		{"an ip that is not one", []string{"ContextKeyName=aws:SourceIp,ContextKeyValues=1.2.3.999,ContextKeyType=ip"}, nil, `"1.2.3.999" is not a ip value`},
		{"a number that is not one", []string{"ContextKeyName=s3:max-keys,ContextKeyValues=ten,ContextKeyType=numeric"}, nil, "not a numeric value"},
		{"a boolean that is not one", []string{"ContextKeyName=aws:SecureTransport,ContextKeyValues=yes,ContextKeyType=boolean"}, nil, "not a boolean value"},
		{"a date that is not one", []string{"ContextKeyName=aws:CurrentTime,ContextKeyValues=yesterday,ContextKeyType=date"}, nil, "not a date value"},
		{"epoch seconds are a date", []string{"ContextKeyName=aws:EpochTime,ContextKeyValues=1700000000,ContextKeyType=date"},
			[]contextEntry{{"aws:EpochTime", []string{"1700000000"}, "date"}}, ""},
		{"binary must be base64", []string{"ContextKeyName=k:b,ContextKeyValues=@@,ContextKeyType=binary"}, nil, "not a binary value"},
		{"several values for a single-valued type", []string{"ContextKeyName=aws:SourceIp,ContextKeyValues=1.2.3.4,5.6.7.8,ContextKeyType=ip"}, nil, "use ipList"},
		{"a list type takes several", []string{"ContextKeyName=aws:SourceIp,ContextKeyValues=1.2.3.4,5.6.7.8,ContextKeyType=ipList"},
			[]contextEntry{{"aws:SourceIp", []string{"1.2.3.4", "5.6.7.8"}, "ipList"}}, ""},
		{"no values", []string{"ContextKeyName=a:b,ContextKeyType=string"}, nil, "no ContextKeyValues"},
		{"no name", []string{"ContextKeyValues=x"}, nil, "without ContextKeyName"},
		{"a missing file", []string{"file://testdata/simulate/none.json"}, nil, "none.json"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			got, err := parseContextEntries(tc.in, &argSource{})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// The AWS CLI takes a list as several values after one flag.
func TestExpandListArgs(t *testing.T) {
	root := &cobra.Command{Use: "iamwhy"}
	sub := &cobra.Command{Use: "simulate", Run: func(*cobra.Command, []string) {}}
	var a, b []string
	var p string
	sub.Flags().StringArrayVar(&a, "action-names", nil, "")
	sub.Flags().StringArrayVar(&b, "context-entries", nil, "")
	sub.Flags().StringVar(&p, "principal", "", "")
	listFlag(sub, "action-names")
	listFlag(sub, "context-entries")
	root.AddCommand(sub)
	for _, tc := range []struct{ in, want string }{
		{"simulate --action-names a b c --principal p", "simulate --action-names a --action-names b --action-names c --principal p"},
		{"simulate --principal p --action-names=a b", "simulate --principal p --action-names=a --action-names b"},
		{"simulate --context-entries - --action-names a", "simulate --context-entries - --action-names a"},
		{"simulate --action-names a -- b", "simulate --action-names a -- b"},
		{"simulate --principal p x y", "simulate --principal p x y"},
		{"other --action-names a b", "other --action-names a b"},
	} {
		got := strings.Join(expandListArgs(root, strings.Fields(tc.in)), " ")
		if got != tc.want {
			t.Errorf("%s\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

// simulate run with the AWS CLI's own examples (awscli/examples/iam/
// simulate-custom-policy.rst and simulate-principal-policy.rst) and the
// other forms of its parameters.
func TestSimulateAWSCLIForms(t *testing.T) {
	const policy = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`
	const user = "arn:aws:iam::123456789012:user/alejandro"
	for _, tc := range []struct {
		rule     string
		args     []string
		stdin    string
		code     int
		decision []string
		stderr   string
	}{
		{"simulate-custom-policy's example: allowed after the date", []string{"--caller-arn", user,
			"--policy-input-list", policy, "--action-names", "dynamodb:CreateBackup",
			"--context-entries", "ContextKeyName='aws:CurrentTime',ContextKeyValues='2019-04-25T11:00:00Z',ContextKeyType=date"},
			"", 0, []string{"allow"}, ""},
		{"before the date it is an implicit deny", []string{"--caller-arn", user,
			"--policy-input-list", policy, "--action-names", "dynamodb:CreateBackup",
			"--context-entries", "ContextKeyName='aws:CurrentTime',ContextKeyValues='2018-04-25T11:00:00Z',ContextKeyType=date"},
			"", 0, []string{"implicit-deny"}, ""},
		{"several actions after one flag, the policy from file://", []string{"--caller-arn", user,
			"--policy-input-list", "file://testdata/simulate/dynamodb-after-date.json",
			"--action-names", "dynamodb:CreateBackup", "dynamodb:GetItem", "s3:GetObject",
			"--context-entries", "ContextKeyName=aws:CurrentTime,ContextKeyValues=2019-04-25T11:00:00Z,ContextKeyType=date"},
			"", 0, []string{"allow", "allow", "implicit-deny"}, ""},
		{"a JSON list of actions, the policy from fileb://", []string{"--caller-arn", user,
			"--policy-input-list", "fileb://testdata/simulate/dynamodb-after-date.json",
			"--action-names", `["dynamodb:CreateBackup","dynamodb:GetItem"]`, "--resource-arns", "arn:aws:dynamodb:us-east-1:123456789012:table/t",
			"--context-entries", `[{"ContextKeyName":"aws:CurrentTime","ContextKeyValues":["2019-04-25T11:00:00Z"],"ContextKeyType":"date"}]`},
			"", 0, []string{"allow", "allow"}, ""},
		{"the policy from standard input", []string{"--caller-arn", user, "--policy-input-list", "-", "--action-names", "dynamodb:GetItem",
			"--context-entries", "ContextKeyName=aws:CurrentTime,ContextKeyValues=2019-04-25T11:00:00Z,ContextKeyType=date"},
			policy, 0, []string{"allow"}, ""},
		{"the context entries from standard input", []string{"--caller-arn", user, "--policy-input-list", policy, "--action-names", "dynamodb:GetItem",
			"--context-entries", "-"},
			"ContextKeyName=aws:CurrentTime,ContextKeyValues=2017-01-01T00:00:00Z,ContextKeyType=date", 0, []string{"implicit-deny"}, ""},
		{"the AWS names and ours add up", []string{"--principal", user, "--policy-input-list", policy, "--action", "dynamodb:GetItem",
			"--action-names", "dynamodb:PutItem", "--context", "aws:CurrentTime=2019-04-25T11:00:00Z"},
			"", 0, []string{"allow", "allow"}, ""},
		{"a boundary as the AWS CLI names it", []string{"--caller-arn", user, "--policy-input-list", policy, "--action-names", "dynamodb:GetItem",
			"--permissions-boundary-policy-input-list", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`,
			"--context", "aws:CurrentTime=2019-04-25T11:00:00Z"},
			"", 0, []string{"implicit-deny"}, ""},
		{"--resource-owner as an ARN, as the AWS CLI takes it", []string{"--caller-arn", user, "--policy-input-list", policy, "--action-names", "dynamodb:GetItem",
			"--resource-owner", "arn:aws:iam::123456789012:root", "--context", "aws:CurrentTime=2019-04-25T11:00:00Z"},
			"", 0, []string{"allow"}, ""},
		{"standard input named twice", []string{"--caller-arn", user, "--policy-input-list", "-", "--context-entries", "-", "--action-names", "a:b"},
			"", 2, nil, "standard input (-) can be read once"},
		{"a shorthand that cannot be read stops the command", []string{"--caller-arn", user, "--policy-input-list", policy, "--action-names", "dynamodb:GetItem",
			"--context-entries", "ContextKeyName=aws:CurrentTime,ContextKeyValue=2019-04-25T11:00:00Z"},
			"", 2, nil, `unknown key "ContextKeyValue"`},
		{"a key given by --context and --context-entries", []string{"--caller-arn", user, "--policy-input-list", policy, "--action-names", "dynamodb:GetItem",
			"--context", "aws:CurrentTime=2019-04-25T11:00:00Z", "--context-entries", "ContextKeyName=aws:CurrentTime,ContextKeyValues=2019-04-25T11:00:00Z"},
			"", 2, nil, "given twice"},
		{"two callers", []string{"--principal", user, "--caller-arn", "arn:aws:iam::123456789012:user/other", "--policy-input-list", policy, "--action-names", "a:b"},
			"", 2, nil, "names another caller"},
		{"two boundaries", []string{"--caller-arn", user, "--policy-input-list", policy, "--action-names", "a:b",
			"--permissions-boundary-policy-input-list", policy, policy}, "", 2, nil, "one permissions boundary"},
		{"--policy-source-arn without an environment", []string{"--policy-source-arn", user, "--action-names", "a:b"}, "", 2, nil, "needs an environment"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			var out, errb strings.Builder
			code := Main(append([]string{"simulate", "-o", "json"}, tc.args...), Streams{In: strings.NewReader(tc.stdin), Out: &out, Err: &errb})
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tc.code, out.String(), errb.String())
			}
			if tc.stderr != "" && !strings.Contains(errb.String(), tc.stderr) {
				t.Errorf("stderr %q lacks %q", errb.String(), tc.stderr)
			}
			if tc.code != 0 {
				return
			}
			var got struct{ Results []SimulationResult }
			if err := json.Unmarshal([]byte(out.String()), &got); err != nil {
				t.Fatal(err, out.String())
			}
			var decisions []string
			for _, r := range got.Results {
				decisions = append(decisions, r.Decision)
			}
			if !reflect.DeepEqual(decisions, tc.decision) {
				t.Errorf("decisions %v, want %v", decisions, tc.decision)
			}
		})
	}
}

// The shorthand reader never panics, and what parseContextEntries takes
// from it (read, then checked) is never an empty entry. The reader itself
// may read an empty quoted name (ContextKeyName="") as "": check refuses it, as it
// does for JSON entries (the fuzzer's first input of that kind is kept).
func FuzzContextEntryShorthand(f *testing.F) {
	for _, s := range []string{
		"ContextKeyName='aws:CurrentTime',ContextKeyValues='2019-04-25T11:00:00Z',ContextKeyType=date",
		"ContextKeyName=aws:TagKeys,ContextKeyValues=[a, b],ContextKeyType=stringList",
		`ContextKeyName=k,ContextKeyValues="a\"b",c\,d`, "ContextKeyName=", "=", "[", "'",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := contextEntryShorthand(s)
		if err == nil {
			err = e.check()
		}
		if err == nil && (e.ContextKeyName == "" || len(e.ContextKeyValues) == 0) {
			t.Fatalf("%q: read as an empty entry without an error", s)
		}
	})
}
