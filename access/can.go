package access

import (
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/snapshot"
)

// CanQuery asks what a principal can do.
type CanQuery struct {
	Principal string
	// Services are service prefixes ("s3"); empty is every service of
	// the catalog.
	Services []string
	// Resource, when set, is the resource every action is decided on,
	// and only the actions that work on its type (or on "*") are
	// considered. Empty: each action is decided on its typical resource
	// (see ActionResource).
	Resource string
	Context  *eval.Context
	Workers  int
}

// ActionAnswer is the answer for one action.
type ActionAnswer struct {
	Answer
	Action string `json:"action"`
	Access string `json:"access_level"`
	// Resource is the ARN the action was decided on; Scope says what it
	// stands for, e.g. "any object (s3) in account 111122223333".
	Resource string `json:"resource"`
	Scope    string `json:"scope"`
}

// ServicePermissions are one service's actions the principal can do.
type ServicePermissions struct {
	Service string `json:"service"`
	// Counts are the allowed actions (allowed or allowed if) per access
	// level.
	Counts  map[string]int `json:"counts"`
	Actions []ActionAnswer `json:"actions"`
}

// CanResult answers a CanQuery.
type CanResult struct {
	Principal string `json:"principal"`
	Account   string `json:"account"`
	// Considered is the number of actions decided.
	Considered int `json:"considered"`
	// Services lists, by service prefix, the actions allowed (or allowed
	// if conditions hold, or unknown); services with none are left out.
	Services []ServicePermissions `json:"services"`
	// Approximate is true when actions were decided on typical
	// resources rather than a given one (see ActionResource).
	Approximate bool `json:"approximate"`
}

// AccessLevels lists the catalog's access levels in display order.
var AccessLevels = []string{
	catalog.AccessList.String(), catalog.AccessRead.String(), catalog.AccessWrite.String(),
	catalog.AccessPermissionsManagement.String(), catalog.AccessTagging.String(), catalog.AccessUnknown.String(),
}

// ActionResource is the resource an action is decided on when no resource
// is given: "*" for an action with no resource type; otherwise an ARN of
// its typical resource type (see typicalResourceType), built from the
// type's first ARN format with the partition "aws", the given account, and
// "*" for the region and every other variable. The request then stands for
// "any resource of that type in the account": a policy statement allows it
// only if its Resource covers every resource of the type there (a
// statement naming some resources does not match the wildcard ARN), and
// no resource-based policy applies (none is recorded for it). scope says
// so in words.
func ActionResource(a *catalog.Action, account string) (arn, scope string) {
	if len(a.Resources) == 0 {
		return "*", "no resource type (Resource \"*\")"
	}
	rt := typicalResourceType(a)
	if len(rt.ARNFormats) == 0 {
		return "*", "resource type " + rt.Name + " has no ARN format"
	}
	arn = fillARNFormat(rt.ARNFormats[0], account)
	scope = "any " + rt.Name + " (" + rt.Service.Prefix + ")"
	if strings.Contains(rt.ARNFormats[0], "${Account}") && account != "" {
		scope += " in account " + account
	}
	return arn, scope
}

// typicalResourceType picks the resource type an action is decided on:
// among the required types (all types when none is required), the one
// whose name the action's name contains (s3:GetObject: object, not
// accesspointobject; ec2:RunInstances: instance), the longest such name;
// else the one whose ARN format has the fewest variables; else the first.
func typicalResourceType(a *catalog.Action) *catalog.ResourceType {
	var cands []*catalog.ResourceType
	for _, r := range a.Resources {
		if r.Required {
			cands = append(cands, r.Type)
		}
	}
	if len(cands) == 0 {
		for _, r := range a.Resources {
			cands = append(cands, r.Type)
		}
	}
	name := strings.ToLower(a.Name())
	var best *catalog.ResourceType
	for _, rt := range cands {
		n := strings.ToLower(strings.ReplaceAll(rt.Name, "-", ""))
		if strings.Contains(name, n) && (best == nil || len(n) > len(best.Name)) {
			best = rt
		}
	}
	if best != nil {
		return best
	}
	best = cands[0]
	for _, rt := range cands[1:] {
		if len(rt.ARNFormats) > 0 && len(best.ARNFormats) > 0 &&
			strings.Count(rt.ARNFormats[0], "${") < strings.Count(best.ARNFormats[0], "${") {
			best = rt
		}
	}
	return best
}

// fillARNFormat replaces a format's variables: ${Partition} by aws,
// ${Account} by account, every other by "*".
func fillARNFormat(format, account string) string {
	var b strings.Builder
	for {
		i := strings.Index(format, "${")
		if i < 0 {
			b.WriteString(format)
			return b.String()
		}
		j := strings.IndexByte(format[i:], '}')
		if j < 0 {
			b.WriteString(format)
			return b.String()
		}
		b.WriteString(format[:i])
		switch format[i+2 : i+j] {
		case "Partition":
			b.WriteString("aws")
		case "Account":
			if account != "" {
				b.WriteString(account)
			} else {
				b.WriteString("*")
			}
		default:
			b.WriteString("*")
		}
		format = format[i+j+1:]
	}
}

// Can decides every action of the services for the principal and groups
// what it may do by service and access level. Layers are resolved once per
// distinct resource, so the catalog's actions are decided quickly.
func Can(env *snapshot.Environment, cat *catalog.Catalog, q CanQuery) (*CanResult, error) {
	p, err := env.Principal(q.Principal)
	if err != nil {
		return nil, err
	}
	if len(p.Gaps) > 0 {
		return nil, fmt.Errorf("%s: the environment does not know all its policies: %s", q.Principal, strings.Join(p.Gaps, "; "))
	}
	var actions []*catalog.Action
	if len(q.Services) == 0 {
		for _, s := range cat.Services() {
			actions = append(actions, s.Actions...)
		}
	} else {
		for _, name := range q.Services {
			s, ok := cat.Service(name)
			if !ok {
				return nil, fmt.Errorf("unknown service %q (not in the catalog)", name)
			}
			actions = append(actions, s.Actions...)
		}
	}
	if q.Resource != "" {
		actions = actionsOn(cat, actions, q.Resource)
		if len(actions) == 0 {
			return nil, errors.New("no action of the services works on " + q.Resource)
		}
	}
	res := &CanResult{Principal: q.Principal, Account: p.Account, Considered: len(actions), Approximate: q.Resource == ""}
	answers := make([]ActionAnswer, len(actions))
	for i, a := range actions {
		answers[i].Action, answers[i].Access = a.FullName, a.Access.String()
		if q.Resource != "" {
			answers[i].Resource, answers[i].Scope = q.Resource, q.Resource
		} else {
			answers[i].Resource, answers[i].Scope = ActionResource(a, p.Account)
		}
	}
	// Layers depend on the resource (its policy, account and RCPs) and,
	// for role assumption, on the action: resolve them once per
	// resource and action kind.
	type layerKey struct {
		resource string
		action   string // sts actions only: a trust policy applies to some
	}
	keyOf := func(aa *ActionAnswer) layerKey {
		if strings.HasPrefix(strings.ToLower(aa.Action), "sts:") {
			return layerKey{aa.Resource, aa.Action}
		}
		return layerKey{aa.Resource, ""}
	}
	type resolved struct {
		layers *eval.Layers
		ctx    *eval.Context
		gaps   []string
		err    error
	}
	cache := map[layerKey]*resolved{}
	for i := range answers {
		k := keyOf(&answers[i])
		if cache[k] != nil {
			continue
		}
		req := &eval.Request{Principal: q.Principal, Action: answers[i].Action, Resource: k.resource, Context: cloneCtx(q.Context)}
		l, err := env.Layers(req)
		r := &resolved{layers: l, ctx: req.Context, err: err}
		if q.Resource != "" {
			r.gaps = env.ResourceGaps(p.Account, answers[i].Action, k.resource)
		} else if l != nil {
			// The approximation without --resource decides on a
			// pattern of the service's resources, which has no policy
			// of its own to be missing.
			l.Unknown = nil
		}
		cache[k] = r
	}
	workers := q.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	chunk := (len(answers) + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, len(answers))
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				aa := &answers[i]
				r := cache[keyOf(aa)]
				if r.err != nil {
					aa.Answer = Answer{Principal: q.Principal, Status: Unknown, Decision: "unknown", Gaps: []string{r.err.Error()}}
					continue
				}
				req := &eval.Request{Principal: q.Principal, Action: aa.Action, Resource: aa.Resource, Context: r.ctx.Clone()}
				aa.Answer = decideWithConditions(req, r.layers, r.gaps, false, impossibleKeys(env, req))
			}
		}()
	}
	wg.Wait()
	bySvc := map[string]*ServicePermissions{}
	var order []string
	for _, aa := range answers {
		if aa.Status == Denied {
			continue
		}
		svc, _, _ := strings.Cut(aa.Action, ":")
		sp := bySvc[svc]
		if sp == nil {
			sp = &ServicePermissions{Service: svc, Counts: map[string]int{}}
			bySvc[svc] = sp
			order = append(order, svc)
		}
		if aa.Status == Allowed || aa.Status == AllowedIf {
			sp.Counts[aa.Access]++
		}
		sp.Actions = append(sp.Actions, aa)
	}
	sort.Strings(order)
	for _, svc := range order {
		res.Services = append(res.Services, *bySvc[svc])
	}
	return res, nil
}

func cloneCtx(c *eval.Context) *eval.Context {
	if c == nil {
		return &eval.Context{}
	}
	return c.Clone()
}

// actionsOn keeps the actions that work on resource: those the catalog
// lists for its type, and those with no resource type when resource is
// "*".
func actionsOn(cat *catalog.Catalog, actions []*catalog.Action, resource string) []*catalog.Action {
	var out []*catalog.Action
	if resource == "*" {
		for _, a := range actions {
			if len(a.Resources) == 0 {
				out = append(out, a)
			}
		}
		return out
	}
	on := map[*catalog.Action]bool{}
	for _, a := range cat.ActionsForResource(resource) {
		on[a] = true
	}
	for _, a := range actions {
		if on[a] {
			out = append(out, a)
		}
	}
	return out
}
