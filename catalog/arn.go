package catalog

import (
	"slices"
	"strings"
)

// arnFormat is one ARN format of a resource type, split the way ARNs are
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html):
// arn:partition:service:region:account-id:resource.
type arnFormat struct {
	head     [4]string // partition, service, region, account; "" or literal
	headVar  [4]bool   // the field is a variable (any non-empty text)
	resource template
}

// buildARNIndex compiles every ARN format; done on the first ARN query so
// that lookups by name do not pay for it.
func (c *Catalog) buildARNIndex() {
	c.arnIndex = make(map[string][]*ResourceType, len(c.services))
	for _, s := range c.services {
		for _, rt := range s.ResourceTypes {
			c.indexResourceType(rt)
		}
	}
}

func (c *Catalog) indexResourceType(rt *ResourceType) {
	seen := map[string]bool{}
	for _, f := range rt.ARNFormats {
		parts := strings.SplitN(f, ":", 6)
		if len(parts) != 6 || parts[0] != "arn" {
			continue
		}
		var af arnFormat
		for i := 0; i < 4; i++ {
			p := parts[i+1]
			if strings.HasPrefix(p, "${") && strings.HasSuffix(p, "}") {
				af.headVar[i] = true
			} else {
				af.head[i] = p
			}
		}
		af.resource = parseTemplate(parts[5], false)
		rt.formats = append(rt.formats, af)
		svc := af.head[1]
		if af.headVar[1] || seen[svc] {
			continue
		}
		seen[svc] = true
		c.arnIndex[svc] = append(c.arnIndex[svc], rt)
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
func (c *Catalog) ResourceTypesForARN(arn string) []*ResourceType {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return nil
	}
	c.arnOnce.Do(c.buildARNIndex)
	best := -1
	var out []*ResourceType
	for _, rt := range c.arnIndex[parts[2]] {
		score := -1
		for i := range rt.formats {
			f := &rt.formats[i]
			if !f.matchHead(parts[1:5]) || !f.resource.match(parts[5]) {
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
	slices.SortStableFunc(out, func(a, b *ResourceType) int {
		return boolRank(a.Service.Prefix != parts[2]) - boolRank(b.Service.Prefix != parts[2])
	})
	return out
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
		for _, a := range s.Actions {
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
