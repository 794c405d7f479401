package catalog

import (
	"slices"
	"strings"

	"github.com/iamwhy/iamwhy/arn"
)

// arnFormat is one ARN format of a resource type, split the way ARNs are
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html):
// arn:partition:service:region:account-id:resource.
type arnFormat struct {
	head     [4]string // partition, service, region, account; "" or literal
	headVar  [4]bool   // the field is a variable (any non-empty text)
	resource template
	// headTokens and resTokens are the fields as tokens for
	// ActionMayApplyTo.
	headTokens [4][]int
	resTokens  []int
}

// buildARNIndex lists the resource types by the service field of their ARN
// formats; done on the first ARN query so that lookups by name do not pay
// for it. A type's formats are compiled when a query first meets the type
// (formatsOf): compiling all of them took 5 ms, and a query names a few
// services.
func (c *Catalog) buildARNIndex() {
	c.arnIndex = make(map[string][]*ResourceType, len(c.services))
	for _, s := range c.services {
		for _, rt := range s.ResourceTypes {
			var seen []string
			for _, f := range rt.ARNFormats {
				a, ok := arn.Split(f)
				if !ok {
					continue
				}
				svc := a.Service
				if isVariable(svc) || slices.Contains(seen, svc) {
					continue
				}
				seen = append(seen, svc)
				c.arnIndex[svc] = append(c.arnIndex[svc], rt)
			}
		}
	}
}

// isVariable reports whether an ARN format's field is a variable.
func isVariable(p string) bool {
	return strings.HasPrefix(p, "${") && strings.HasSuffix(p, "}")
}

// formatsOf returns the type's compiled ARN formats, compiling them on
// first use.
func formatsOf(rt *ResourceType) []arnFormat {
	rt.formatsOnce.Do(rt.compileFormats)
	return rt.formats
}

func (rt *ResourceType) compileFormats() {
	for _, f := range rt.ARNFormats {
		a, ok := arn.Split(f)
		if !ok {
			continue
		}
		head := headOf(a)
		var af arnFormat
		for i := 0; i < 4; i++ {
			p := head[i]
			if isVariable(p) {
				af.headVar[i] = true
			} else {
				af.head[i] = p
			}
		}
		af.resource = parseTemplate(a.Resource, false)
		for i := 0; i < 4; i++ {
			// A variable field may be empty in a policy value: resources
			// AWS owns have no account ("arn:aws:ssm:*::parameter/aws/...").
			if af.headVar[i] {
				af.headTokens[i] = []int{tokStar}
			} else {
				af.headTokens[i] = formatTokens(head[i])
			}
		}
		af.resTokens = formatTokens(a.Resource)
		rt.formats = append(rt.formats, af)
	}
}

// ResourceTypesForARN returns the resource types whose ARN format the ARN
// fits. Variables in a format stand for any non-empty text; when several
// types fit, only the most specific are returned (those whose format fixes
// the most literal text), so "arn:aws:s3:::bucket/key" is an object, not a
// bucket named "bucket/key". Other services' types with the same format
// follow the ARN's own service's (sts:role after iam:role). Ambiguous ARNs (a Lambda function's alias and
// version look alike) return each candidate. The result is nil for a
// malformed ARN or one no format fits.
func (c *Catalog) ResourceTypesForARN(s string) []*ResourceType {
	a, ok := arn.Split(s)
	if !ok {
		return nil
	}
	head := headOf(a)
	c.arnOnce.Do(c.buildARNIndex)
	best := -1
	var out []*ResourceType
	for _, rt := range c.arnIndex[a.Service] {
		score := -1
		formats := formatsOf(rt)
		for i := range formats {
			f := &formats[i]
			if !f.matchHead(head[:]) || !f.resource.match(a.Resource) {
				continue
			}
			if f.resource.literal > score {
				score = f.resource.literal
			}
		}
		switch {
		case score < 0 || score < best:
		case score > best:
			best = score
			out = append(out[:0], rt)
		default:
			out = append(out, rt)
		}
	}
	// The service the ARN names first: an IAM role is iam's "role" before
	// it is sts's (AssumeRole) or ec2's.
	slices.SortStableFunc(out, func(x, y *ResourceType) int {
		return boolRank(x.Service.Prefix != a.Service) - boolRank(y.Service.Prefix != a.Service)
	})
	return out
}

// headOf lists an ARN's partition, service, region and account, the
// fields a format fixes or leaves to a variable.
func headOf(a arn.ARN) [4]string {
	return [4]string{a.Partition, a.Service, a.Region, a.Account}
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (f *arnFormat) matchHead(fields []string) bool {
	for i, v := range fields {
		if f.headVar[i] {
			if v == "" {
				return false
			}
		} else if v != f.head[i] {
			return false
		}
	}
	return true
}

// ActionsForResource returns the actions that work on the resource type(s)
// of the ARN (see ResourceTypesForARN), sorted by name. Actions that only
// support Resource "*" are not included.
func (c *Catalog) ActionsForResource(arn string) []*Action {
	types := c.ResourceTypesForARN(arn)
	if len(types) == 0 {
		return nil
	}
	want := map[*ResourceType]bool{}
	services := map[*Service]bool{}
	for _, t := range types {
		want[t] = true
		services[t.Service] = true
	}
	var out []*Action
	for _, s := range c.services {
		if !services[s] {
			continue
		}
		for _, a := range s.decoded().Actions {
			for _, r := range a.Resources {
				if want[r.Type] {
					out = append(out, a)
					break
				}
			}
		}
	}
	sortActions(out)
	return out
}

// ActionMayApplyTo is ActionAppliesTo for a Resource element value, which
// may hold the wildcards * and ? and policy variables (taken as *): may is
// false only when no ARN the value matches can be of a resource type the
// action works on. known is false when the action is unknown, lists no
// resource types, or the value is not ARN-shaped. The comparison is
// permissive where ARN syntax is subtle (a wildcard may span colons), so a
// false may is definite.
func (c *Catalog) ActionMayApplyTo(action, pattern string) (may, known bool) {
	a, ok := c.Action(action)
	if !ok || len(a.Resources) == 0 || !strings.HasPrefix(pattern, "arn:") {
		return false, false
	}
	if pattern == "*" {
		return true, true
	}
	pa, ok := arn.Split(pattern)
	if !ok {
		return false, false
	}
	fields := headOf(pa)
	c.arnOnce.Do(c.buildARNIndex)
	var head [4][]int
	for i := range head {
		head[i] = globTokens(fields[i])
	}
	res := globTokens(pa.Resource)
	for _, r := range a.Resources {
		formats := formatsOf(r.Type)
		for i := range formats {
			f := &formats[i]
			if headFieldsMeet(&head, f) && tokensIntersect(res, f.resTokens) {
				return true, true
			}
		}
	}
	return false, true
}

// headFieldsMeet compares partition, service, region and account of a
// policy value with a format's, field by field (colons separate them in
// both, so no wildcard spans two).
func headFieldsMeet(pattern *[4][]int, f *arnFormat) bool {
	for i := range pattern {
		if !tokensIntersect(pattern[i], f.headTokens[i]) {
			return false
		}
	}
	return true
}

// Tokens of a pattern for tokensIntersect: a byte is a literal, tokAny is
// one character of any kind, tokStar any run (empty included); the NS
// forms exclude '/' and ':'.
const (
	tokAny    = -1
	tokStar   = -2
	tokAnyNS  = -3
	tokStarNS = -4
)

// globTokens reads a policy value: * and ?, and ${...} variables as *.
func globTokens(s string) []int {
	out := make([]int, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '*':
			out = append(out, tokStar)
		case c == '?':
			out = append(out, tokAny)
		case c == '$' && i+1 < len(s) && s[i+1] == '{':
			if j := strings.IndexByte(s[i:], '}'); j > 0 {
				out = append(out, tokStar)
				i += j
				continue
			}
			out = append(out, int(c))
		default:
			out = append(out, int(c))
		}
	}
	return out
}

// formatTokens reads an ARN format: a ${Var} is one or more characters
// of any kind, which keeps the comparison permissive (a log group's name
// holds '/', and CloudWatch Logs authorises log groups by ARNs ending in
// ":*"), except for the names in slashFree, whose services' naming rules
// exclude '/' and ':'. That is what tells "bucket/*" from a bucket.
func formatTokens(s string) []int {
	out := make([]int, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '$' && i+1 < len(s) && s[i+1] == '{' {
			if j := strings.IndexByte(s[i:], '}'); j > 0 {
				if slashFree[s[i+2:i+j]] {
					out = append(out, tokAnyNS, tokStarNS)
				} else {
					out = append(out, tokAny, tokStar)
				}
				i += j
				continue
			}
		}
		out = append(out, int(s[i]))
	}
	return out
}

// slashFree are ARN format variables whose values cannot contain '/' or
// ':', by the naming rules of their services:
// S3 buckets (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html),
// DynamoDB tables (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html),
// Lambda functions (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html),
// SQS queues (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html),
// SNS topics (https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html).
var slashFree = map[string]bool{
	"BucketName": true, "TableName": true, "FunctionName": true, "QueueName": true, "TopicName": true,
}

func isStar(t int) bool { return t == tokStar || t == tokStarNS }

// absorbs: the star token can take the single token t.
func absorbs(star, t int) bool { return star == tokStar || (t != '/' && t != ':') }

// compatible: some character matches both single-character tokens.
func compatible(x, y int) bool {
	switch {
	case x >= 0 && y >= 0:
		return x == y
	case x == tokAnyNS:
		return y != '/' && y != ':'
	case y == tokAnyNS:
		return x != '/' && x != ':'
	}
	return true
}

// tokensIntersect reports whether some string matches both token
// patterns, by dynamic programming over positions in both.
func tokensIntersect(a, b []int) bool {
	n, m := len(a), len(b)
	// memo[i*(m+1)+j]: 0 unknown, 1 true, 2 false.
	var small [2048]uint8
	var memo []uint8
	if size := (n + 1) * (m + 1); size <= len(small) {
		memo = small[:size]
	} else {
		memo = make([]uint8, size)
	}
	var f func(i, j int) bool
	f = func(i, j int) bool {
		k := i*(m+1) + j
		if memo[k] != 0 {
			return memo[k] == 1
		}
		var r bool
		switch {
		case i == n && j == m:
			r = true
		case i < n && isStar(a[i]):
			r = f(i+1, j) || (j < m && absorbs(a[i], b[j]) && f(i, j+1))
		case j < m && isStar(b[j]):
			r = f(i, j+1) || (i < n && absorbs(b[j], a[i]) && f(i+1, j))
		case i == n || j == m:
			r = false
		default:
			r = compatible(a[i], b[j]) && f(i+1, j+1)
		}
		if r {
			memo[k] = 1
		} else {
			memo[k] = 2
		}
		return r
	}
	return f(0, 0)
}
