// Package synth writes a synthetic organisation in the environment layout
// (docs/environment.md): authorization-details files as the AWS CLI prints
// them, an organisation file with SCPs and RCPs, and resource-policy
// records. Tests and benchmarks load it; the generator command
// (go run ./snapshot/internal/gen) writes a large one. Output is
// deterministic for a given Config.
package synth

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// Config sizes the organisation. Counts are totals over all accounts.
type Config struct {
	Accounts         int
	Roles            int
	Users            int
	Groups           int
	ManagedPolicies  int
	ResourcePolicies int
	Seed             uint64
}

// Large is the benchmark organisation: 50 accounts, 10,000 roles,
// 20,000 managed policies, 5,000 resource policies.
var Large = Config{Accounts: 50, Roles: 10000, Users: 1000, Groups: 100, ManagedPolicies: 20000, ResourcePolicies: 5000, Seed: 1}

// Small is a quick organisation for unit tests.
var Small = Config{Accounts: 3, Roles: 30, Users: 6, Groups: 3, ManagedPolicies: 40, ResourcePolicies: 12, Seed: 1}

// Summary says what was written.
type Summary struct {
	Accounts, Users, Groups, Roles, ManagedPolicies, PolicyVersions, ResourcePolicies int
	Bytes                                                                             int64
	// OrgID and AccountIDs name what was generated, for tests.
	OrgID      string
	AccountIDs []string
}

// AccountID returns the id of the i-th generated account.
func AccountID(i int) string { return fmt.Sprintf("%012d", 100000000000+int64(i)*1111) }

var services = []struct {
	prefix  string
	actions []string
}{
	{"s3", []string{"GetObject", "PutObject", "ListBucket", "DeleteObject", "GetBucketPolicy", "GetObjectTagging"}},
	{"dynamodb", []string{"GetItem", "PutItem", "Query", "Scan", "UpdateItem", "DescribeTable"}},
	{"sqs", []string{"SendMessage", "ReceiveMessage", "DeleteMessage", "GetQueueAttributes"}},
	{"sns", []string{"Publish", "Subscribe", "ListTopics"}},
	{"lambda", []string{"InvokeFunction", "GetFunction", "UpdateFunctionCode", "ListFunctions"}},
	{"kms", []string{"Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey"}},
	{"logs", []string{"CreateLogGroup", "CreateLogStream", "PutLogEvents"}},
	{"ec2", []string{"DescribeInstances", "StartInstances", "StopInstances", "RunInstances"}},
	{"secretsmanager", []string{"GetSecretValue", "DescribeSecret"}},
	{"ecr", []string{"BatchGetImage", "GetDownloadUrlForLayer", "GetAuthorizationToken"}},
}

var regions = []string{"eu-west-1", "us-east-1", "eu-central-1", "us-west-2"}

type gen struct {
	cfg Config
	r   *rand.Rand
	sum Summary
}

type stmt struct {
	Sid       string         `json:"Sid,omitempty"`
	Effect    string         `json:"Effect"`
	Principal any            `json:"Principal,omitempty"`
	Action    any            `json:"Action"`
	Resource  any            `json:"Resource,omitempty"`
	Condition map[string]any `json:"Condition,omitempty"`
}

type doc struct {
	Version   string `json:"Version"`
	Statement []stmt `json:"Statement"`
}

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }

// identityDoc is a plausible identity policy for account acct.
func (g *gen) identityDoc(acct string) doc {
	n := 1 + g.r.IntN(4)
	d := doc{Version: "2012-10-17"}
	for i := 0; i < n; i++ {
		svc := services[g.r.IntN(len(services))]
		var acts []string
		for j := 0; j < 1+g.r.IntN(4); j++ {
			acts = append(acts, svc.prefix+":"+g.pick(svc.actions))
		}
		if g.r.IntN(10) == 0 {
			acts = []string{svc.prefix + ":Get*"}
		}
		s := stmt{Sid: fmt.Sprintf("S%d", i), Effect: "Allow", Action: acts, Resource: g.resourceARN(svc.prefix, acct)}
		if g.r.IntN(12) == 0 {
			s.Effect = "Deny"
		}
		if g.r.IntN(5) == 0 {
			s.Condition = map[string]any{"StringEquals": map[string]any{"aws:RequestedRegion": g.pick(regions)}}
		}
		if g.r.IntN(8) == 0 {
			s.Condition = map[string]any{"StringEquals": map[string]any{"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
		}
		d.Statement = append(d.Statement, s)
	}
	return d
}

func (g *gen) resourceARN(svc, acct string) string {
	region := g.pick(regions)
	n := g.r.IntN(500)
	switch svc {
	case "s3":
		return fmt.Sprintf("arn:aws:s3:::synth-%s-bucket-%d/*", acct, n)
	case "dynamodb":
		return fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/table-%d", region, acct, n)
	case "sqs":
		return fmt.Sprintf("arn:aws:sqs:%s:%s:queue-%d", region, acct, n)
	case "sns":
		return fmt.Sprintf("arn:aws:sns:%s:%s:topic-%d", region, acct, n)
	case "lambda":
		return fmt.Sprintf("arn:aws:lambda:%s:%s:function:fn-%d", region, acct, n)
	case "kms":
		return fmt.Sprintf("arn:aws:kms:%s:%s:key/%08x-0000-4000-8000-%012x", region, acct, n, n)
	}
	return "*"
}

// Generate writes the organisation under dir (created if needed).
func Generate(dir string, cfg Config) (Summary, error) {
	if cfg.Accounts < 1 {
		return Summary{}, fmt.Errorf("synth: at least one account")
	}
	g := &gen{cfg: cfg, r: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))}
	g.sum.OrgID = "o-synth12345"
	var authFiles []string
	for i := 0; i < cfg.Accounts; i++ {
		acct := AccountID(i)
		g.sum.AccountIDs = append(g.sum.AccountIDs, acct)
		rel := filepath.Join("accounts", acct, "authorization-details.json")
		if err := g.writeAccount(filepath.Join(dir, rel), i, acct); err != nil {
			return g.sum, err
		}
		authFiles = append(authFiles, rel)
	}
	g.sum.Accounts = cfg.Accounts
	if err := g.writeOrg(dir); err != nil {
		return g.sum, err
	}
	if err := g.writeResources(dir); err != nil {
		return g.sum, err
	}
	var b strings.Builder
	b.WriteString("version: 1\nauthorization_details:\n")
	for _, f := range authFiles {
		fmt.Fprintf(&b, "  - %s\n", filepath.ToSlash(f))
	}
	b.WriteString("organization: organization.yaml\nresource_policies:\n  - resources/\n")
	return g.sum, g.write(filepath.Join(dir, "environment.yaml"), []byte(b.String()))
}

func share(total, parts, i int) int {
	n := total / parts
	if i < total%parts {
		n++
	}
	return n
}

type attached struct {
	PolicyName string `json:"PolicyName"`
	PolicyArn  string `json:"PolicyArn"`
}

type inline struct {
	PolicyName     string `json:"PolicyName"`
	PolicyDocument doc    `json:"PolicyDocument"`
}

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

var teams = []string{"payments", "data", "platform", "security", "web"}

var awsManaged = []struct{ name, arn string }{
	{"ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"},
	{"AWSLambdaBasicExecutionRole", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
	{"AmazonS3ReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"},
}

// writeAccount streams one account's authorization details to path, element
// by element, so that very large accounts (the 1 GB streaming test) are
// written without being held in memory.
func (g *gen) writeAccount(path string, i int, acct string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	s := &jsonStream{w: bufio.NewWriterSize(f, 1<<20)}
	s.w.WriteString("{")
	g.account(i, acct, s)
	s.w.WriteString("\n    ]\n}\n")
	if err := s.w.Flush(); err != nil {
		f.Close()
		return err
	}
	if s.err != nil {
		f.Close()
		return s.err
	}
	g.sum.Bytes += s.bytes
	return f.Close()
}

// jsonStream writes the entity lists of an authorization-details object,
// indented as the AWS CLI indents them.
type jsonStream struct {
	w        *bufio.Writer
	sections int
	n        int
	bytes    int64
	err      error
}

func (s *jsonStream) begin(key string) {
	if s.sections > 0 {
		s.w.WriteString("\n    ],")
	}
	s.w.WriteString("\n    \"" + key + "\": [")
	s.sections++
	s.n = 0
}

func (s *jsonStream) add(v any) {
	data, err := json.MarshalIndent(v, "        ", "    ")
	if err != nil {
		s.err = err
		return
	}
	if s.n > 0 {
		s.w.WriteString(",")
	}
	s.w.WriteString("\n        ")
	s.w.Write(data)
	s.bytes += int64(len(data)) + 10
	s.n++
}

func (g *gen) account(i int, acct string, out *jsonStream) {
	nPol := share(g.cfg.ManagedPolicies, g.cfg.Accounts, i)
	nRole := share(g.cfg.Roles, g.cfg.Accounts, i)
	nUser := share(g.cfg.Users, g.cfg.Accounts, i)
	nGroup := share(g.cfg.Groups, g.cfg.Accounts, i)
	out.begin("Policies")
	var polRefs []attached
	for p := 0; p < nPol; p++ {
		name := fmt.Sprintf("policy-%d", p)
		arn := fmt.Sprintf("arn:aws:iam::%s:policy/%s", acct, name)
		nv := 1 + g.r.IntN(3)
		var versions []map[string]any
		for v := nv; v >= 1; v-- {
			versions = append(versions, map[string]any{
				"Document": g.identityDoc(acct), "VersionId": fmt.Sprintf("v%d", v),
				"IsDefaultVersion": v == nv, "CreateDate": "2025-01-02T03:04:05+00:00",
			})
		}
		g.sum.PolicyVersions += nv
		out.add(map[string]any{
			"PolicyName": name, "PolicyId": fmt.Sprintf("ANPA%s%06d", acct[6:], p), "Arn": arn, "Path": "/",
			"DefaultVersionId": fmt.Sprintf("v%d", nv), "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 0,
			"IsAttachable": true, "CreateDate": "2025-01-02T03:04:05+00:00", "UpdateDate": "2025-01-02T03:04:05+00:00",
			"PolicyVersionList": versions,
		})
		polRefs = append(polRefs, attached{name, arn})
	}
	// AWS managed policies appear in every account's Policies, as the
	// CLI prints those that are attached.
	for _, m := range awsManaged {
		out.add(map[string]any{
			"PolicyName": m.name, "Arn": m.arn, "Path": "/", "DefaultVersionId": "v1", "AttachmentCount": 1,
			"PolicyVersionList": []map[string]any{{"Document": g.identityDoc("*"), "VersionId": "v1", "IsDefaultVersion": true}},
		})
	}
	g.sum.ManagedPolicies += nPol
	someManaged := func() []attached {
		out := []attached{}
		for k := 0; k < 1+g.r.IntN(4) && len(polRefs) > 0; k++ {
			out = append(out, polRefs[g.r.IntN(len(polRefs))])
		}
		if g.r.IntN(4) == 0 {
			m := awsManaged[g.r.IntN(len(awsManaged))]
			out = append(out, attached{m.name, m.arn})
		}
		return out
	}
	someInline := func() []inline {
		out := []inline{}
		for k := 0; k < g.r.IntN(3); k++ {
			out = append(out, inline{fmt.Sprintf("inline-%d", k), g.identityDoc(acct)})
		}
		return out
	}
	out.begin("GroupDetailList")
	var groupNames []map[string]any
	for k := 0; k < nGroup; k++ {
		name := fmt.Sprintf("group-%d", k)
		groupNames = append(groupNames, map[string]any{"name": name})
		out.add(map[string]any{
			"Path": "/", "GroupName": name, "GroupId": fmt.Sprintf("AGPA%s%06d", acct[6:], k),
			"Arn": fmt.Sprintf("arn:aws:iam::%s:group/%s", acct, name), "CreateDate": "2025-01-02T03:04:05+00:00",
			"GroupPolicyList": someInline(), "AttachedManagedPolicies": someManaged(),
		})
	}
	g.sum.Groups += nGroup
	out.begin("UserDetailList")
	for k := 0; k < nUser; k++ {
		name := fmt.Sprintf("user-%d", k)
		var gl []string
		if len(groupNames) > 0 {
			gl = append(gl, groupNames[g.r.IntN(len(groupNames))]["name"].(string))
		}
		u := map[string]any{
			"Path": "/", "UserName": name, "UserId": fmt.Sprintf("AIDA%s%06d", acct[6:], k),
			"Arn": fmt.Sprintf("arn:aws:iam::%s:user/%s", acct, name), "CreateDate": "2025-01-02T03:04:05+00:00",
			"UserPolicyList": someInline(), "GroupList": gl, "AttachedManagedPolicies": someManaged(),
			"Tags": []tag{{"team", g.pick(teams)}},
		}
		out.add(u)
	}
	g.sum.Users += nUser
	out.begin("RoleDetailList")
	for k := 0; k < nRole; k++ {
		name := fmt.Sprintf("role-%d", k)
		path := "/"
		if k%10 == 0 {
			path = "/service-role/"
		}
		trust := doc{Version: "2012-10-17", Statement: []stmt{{Effect: "Allow", Action: "sts:AssumeRole"}}}
		switch k % 3 {
		case 0:
			trust.Statement[0].Principal = map[string]any{"Service": "lambda.amazonaws.com"}
		case 1:
			trust.Statement[0].Principal = map[string]any{"AWS": fmt.Sprintf("arn:aws:iam::%s:root", AccountID(g.r.IntN(g.cfg.Accounts)))}
			trust.Statement[0].Condition = map[string]any{"StringEquals": map[string]any{"aws:PrincipalOrgID": g.sum.OrgID}}
		default:
			trust.Statement[0].Principal = map[string]any{"AWS": fmt.Sprintf("arn:aws:iam::%s:root", acct)}
		}
		r := map[string]any{
			"Path": path, "RoleName": name, "RoleId": fmt.Sprintf("AROA%s%06d", acct[6:], k),
			"Arn": fmt.Sprintf("arn:aws:iam::%s:role%s%s", acct, path, name), "CreateDate": "2025-01-02T03:04:05+00:00",
			"AssumeRolePolicyDocument": trust, "InstanceProfileList": []any{},
			"RolePolicyList": someInline(), "AttachedManagedPolicies": someManaged(),
			"Tags":         []tag{{"team", g.pick(teams)}},
			"RoleLastUsed": map[string]any{"LastUsedDate": "2026-11-01T00:00:00+00:00", "Region": g.pick(regions)},
		}
		if k%7 == 0 && len(polRefs) > 0 {
			r["PermissionsBoundary"] = map[string]any{"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": polRefs[0].PolicyArn}
		}
		out.add(r)
	}
	g.sum.Roles += nRole
}

func (g *gen) writeOrg(dir string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "id: %s\nmanagement_account: %q\npolicies:\n", g.sum.OrgID, AccountID(0))
	b.WriteString("  p-FullAWSAccess: {Version: \"2012-10-17\", Statement: [{Effect: Allow, Action: \"*\", Resource: \"*\"}]}\n")
	b.WriteString("  p-region: {Version: \"2012-10-17\", Statement: [{Effect: Deny, NotAction: [\"iam:*\", \"sts:*\", \"organizations:*\"], Resource: \"*\", Condition: {StringNotEquals: {\"aws:RequestedRegion\": [eu-west-1, us-east-1]}}}]}\n")
	b.WriteString("  p-rcp-org: {Version: \"2012-10-17\", Statement: [{Effect: Deny, Principal: \"*\", Action: [\"s3:*\", \"sqs:*\", \"kms:*\"], Resource: \"*\", Condition: {StringNotEqualsIfExists: {\"aws:PrincipalOrgID\": " + g.sum.OrgID + "}, BoolIfExists: {\"aws:PrincipalIsAWSService\": \"false\"}}}]}\n")
	fmt.Fprintf(&b, "root:\n  id: r-syn1\n  scp: [p-FullAWSAccess]\n  accounts:\n    - {id: %q, scp: [p-FullAWSAccess]}\n  ous:\n", AccountID(0))
	nOU := 5
	for o := 0; o < nOU; o++ {
		fmt.Fprintf(&b, "    - id: ou-syn1-%08d\n      name: ou-%d\n      scp: [p-FullAWSAccess, p-region]\n      rcp: [p-rcp-org]\n      accounts:\n", o, o)
		for i := 1; i < g.cfg.Accounts; i++ {
			if i%nOU == o {
				fmt.Fprintf(&b, "        - {id: %q, scp: [p-FullAWSAccess]}\n", AccountID(i))
			}
		}
	}
	return g.write(filepath.Join(dir, "organization.yaml"), []byte(b.String()))
}

func (g *gen) writeResources(dir string) error {
	kinds := []string{"s3", "kms", "sqs", "sns", "lambda", "secretsmanager", "ecr", "vpce"}
	for n := 0; n < g.cfg.ResourcePolicies; n++ {
		ai := n % g.cfg.Accounts
		acct := AccountID(ai)
		other := AccountID(g.r.IntN(g.cfg.Accounts))
		region := g.pick(regions)
		kind := kinds[n%len(kinds)]
		var arn string
		rec := map[string]any{}
		switch kind {
		case "s3":
			arn = fmt.Sprintf("arn:aws:s3:::synth-%s-bucket-%d", acct, n)
			rec["account"] = acct
			rec["block_public_access"] = map[string]bool{"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true}
		case "kms":
			arn = fmt.Sprintf("arn:aws:kms:%s:%s:key/%08x-0000-4000-8000-%012x", region, acct, n, n)
		case "sqs":
			arn = fmt.Sprintf("arn:aws:sqs:%s:%s:queue-%d", region, acct, n)
		case "sns":
			arn = fmt.Sprintf("arn:aws:sns:%s:%s:topic-%d", region, acct, n)
		case "lambda":
			arn = fmt.Sprintf("arn:aws:lambda:%s:%s:function:fn-%d", region, acct, n)
		case "secretsmanager":
			arn = fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:secret-%d-AbCdEf", region, acct, n)
		case "ecr":
			arn = fmt.Sprintf("arn:aws:ecr:%s:%s:repository/repo-%d", region, acct, n)
		case "vpce":
			arn = fmt.Sprintf("arn:aws:ec2:%s:%s:vpc-endpoint/vpce-%017x", region, acct, n)
		}
		svc := strings.SplitN(arn, ":", 4)[2]
		d := doc{Version: "2012-10-17", Statement: []stmt{
			{Sid: "OwnerAccount", Effect: "Allow", Principal: map[string]any{"AWS": "arn:aws:iam::" + acct + ":root"}, Action: svc + ":*", Resource: "*"},
			{Sid: "CrossAccountRole", Effect: "Allow", Principal: map[string]any{"AWS": fmt.Sprintf("arn:aws:iam::%s:role/role-%d", other, g.r.IntN(10))}, Action: svc + ":Get*", Resource: "*"},
		}}
		rec["arn"] = arn
		if n%2 == 0 {
			js, _ := json.Marshal(d)
			rec["policy"] = string(js) // as get-*-policy returns it
		} else {
			rec["policy"] = d
		}
		name := fmt.Sprintf("%s-%d.json", kind, n)
		if err := g.writeJSON(filepath.Join(dir, "resources", acct, kind, name), rec); err != nil {
			return err
		}
		g.sum.ResourcePolicies++
	}
	return nil
}

func (g *gen) writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		return err
	}
	return g.write(path, append(data, '\n'))
}

func (g *gen) write(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	g.sum.Bytes += int64(len(data))
	return os.WriteFile(path, data, 0o644)
}
