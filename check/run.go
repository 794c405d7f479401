package check

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/inputfile"
	"github.com/iamwhy/iamwhy/internal/yamldoc"
	"github.com/iamwhy/iamwhy/policy"
	"gopkg.in/yaml.v3"
)

// Result is the outcome of one action x resource pair of a case, in the
// shape of the contract's JSON output (spec/check-file.md), extended with the
// deciding policy and statement.
type Result struct {
	File        string  `json:"file"`
	Name        string  `json:"name"`
	Principal   string  `json:"principal"`
	Action      string  `json:"action"`
	Resource    string  `json:"resource"`
	Decision    string  `json:"decision"`
	Expected    string  `json:"expected"`
	Pass        bool    `json:"pass"`
	DecidedBy   string  `json:"decided_by"`
	Error       *string `json:"error"`
	Explanation string  `json:"explanation"`
	// Extensions.
	// Policy, Statement and Location (file:line:col) name the deciding
	// statement; "" (JSON null) when none decided.
	Policy    string   `json:"policy"`
	Statement string   `json:"statement"`
	Location  string   `json:"location"`
	Line      int      `json:"line"` // line of the case in the check file
	Warnings  []string `json:"warnings"`
	// Live is the outcome of performing the request in AWS (check
	// --live); nil (JSON null) otherwise.
	Live *LiveResult `json:"live"`
}

// Summary counts results.
type Summary struct {
	Cases  int `json:"cases"`
	Passed int `json:"passed"`
	Failed int `json:"failed"`
	// Live counts the live outcomes (check --live); nil (JSON null)
	// otherwise.
	Live *LiveSummary `json:"live"`
}

// Report is everything `iamwhy check` prints.
type Report struct {
	Results []Result `json:"results"`
	Summary Summary  `json:"summary"`
}

// Environment resolves, for environment mode, the layers that apply to a
// request and the context keys the environment knows (principal tags,
// organisation IDs). The snapshot package implements it.
type Environment interface {
	Layers(req *eval.Request) (*eval.Layers, error)
}

// EnvironmentLoader opens the environment a check file names: node is the
// file's environment block (a mapping, or a path relative to the file), file
// the check file's path.
type EnvironmentLoader func(node *yaml.Node, file string) (Environment, error)

// Runner runs check files. It compiles each named policy once per policy
// type and reuses it across cases.
type Runner struct {
	// LoadEnvironment opens environments for environment mode; nil means
	// environment mode is not available.
	LoadEnvironment EnvironmentLoader
	// Reference, when set, adds the service reference's warnings (unknown
	// actions, mistyped condition values) to failing cases' explanations.
	Reference eval.Reference
	// Brief leaves out the explanations of passing results, for outputs
	// that show explanations of failures only.
	Brief bool
	// Live, when set, is called with each result after it is decided,
	// with the file's environment (nil in custom mode); Live.Apply
	// performs the request in AWS. It may fail the result.
	Live func(c *Case, res *Result, env Environment)
	// traceAll builds the whole trace of every failing case, as runOne
	// did before it kept it for implicit denies: tests compare the two.
	traceAll bool
	// compiled holds each policy compiled for a type, by cacheKey: a
	// *compiling, compiled once by the first case that asks for it.
	compiled sync.Map
	// layers are the eval.Layers built for cases' CaseLayers, shared by
	// the cases whose layers are one value (File.layersKey): the engine
	// only reads them.
	layers sync.Map // layersKey -> *eval.Layers
}

type layersKey struct {
	l          *CaseLayers
	trust      bool // the resource layer is read as a trust policy
	management string
}

type cacheKey struct {
	ref *PolicyRef
	typ policy.Type
}

// compiling is one policy compiled for one type. Each is compiled under
// its own sync.Once, so that cases asking for different policies compile
// them at the same time: under one lock for all, the first cases of a run
// of 20,000 compiled the file's policies one after the other, a core idle
// for about 3 ms (docs/performance.md).
type compiling struct {
	once sync.Once
	p    *eval.Policy
	err  error
}

// Run evaluates every case of f and appends the results to rep, in the
// file's order. Cases run concurrently; policies compile once.
func (r *Runner) Run(f *File, rep *Report) {
	fr := r.newFileRun(f)
	// emit never fails, so neither does the run.
	_, _ = fr.run(f.Cases, nil, func(res *Result) error {
		rep.Results = append(rep.Results, *res)
		rep.Summary.Add(res)
		return nil
	})
}

// RunSource evaluates every case of an opened check file and hands each
// result to emit in the file's order, reading the cases in batches so that
// memory does not grow with their number. It stops at the first error of
// emit or of the file (a FileError for a streamed file's later case).
func (r *Runner) RunSource(s *Source, emit func(*Result) error) error {
	fr := r.newFileRun(s.File)
	var buf []Result
	return s.Cases(runBatch, func(cases []*Case) (err error) {
		buf, err = fr.run(cases, buf[:0], emit)
		return err
	})
}

// runBatch is how many cases a streamed file reads at a time.
const runBatch = 4096

// Add counts a result.
func (s *Summary) Add(res *Result) {
	s.Cases++
	if res.Pass {
		s.Passed++
	} else {
		s.Failed++
	}
	if res.Live != nil {
		if s.Live == nil {
			s.Live = &LiveSummary{}
		}
		s.Live.add(res.Live)
	}
}

// fileRun is the state of running one file: its environment, opened on
// first use.
type fileRun struct {
	r *Runner
	f *File
	// workers are the deciding goroutines' states (the calling
	// goroutine's first), kept from one batch to the next.
	workers []*worker
	envOnce sync.Once
	env     Environment
	envErr  error
}

func (r *Runner) newFileRun(f *File) *fileRun {
	return &fileRun{r: r, f: f}
}

// environment is the file's environment, opened on first use; nil when it
// cannot be opened.
func (fr *fileRun) environment() Environment {
	fr.envOnce.Do(func() { fr.env, fr.envErr = fr.r.openEnvironment(fr.f) })
	return fr.env
}

func (fr *fileRun) layers(req *eval.Request) (*eval.Layers, error) {
	fr.envOnce.Do(func() { fr.env, fr.envErr = fr.r.openEnvironment(fr.f) })
	if fr.envErr != nil {
		return nil, fr.envErr
	}
	return fr.env.Layers(req)
}

// worker is what one goroutine deciding cases keeps from one case to the
// next: the request context, emptied for each case (a context per case was
// a tenth of a run), and the descriptions of the decisions of passing
// cases, which depend on the decision alone and repeat.
type worker struct {
	req   eval.Request
	ctx   eval.Context
	brief map[briefKey]briefText
}

// briefKey is what a decision's description, its statement's label and
// its location depend on when there is no trace.
type briefKey struct {
	outcome   eval.Outcome
	layer     eval.Layer
	policy    *eval.Policy
	statement int
	level     int
	reason    string
	warning   string
}

type briefText struct {
	explanation, statement, location string
}

// maxBriefs bounds a worker's descriptions: decisions whose reasons name
// the request do not repeat.
const maxBriefs = 4096

// runOne decides one action x resource pair of a case. The full trace is
// computed only for cases that fail, where its near misses explain why.
func (r *Runner) runOne(w *worker, f *File, c *Case, action, resource string, multi bool, envLayers func(*eval.Request) (*eval.Layers, error)) Result {
	res := Result{File: f.Path, Name: c.Name, Principal: c.Principal, Action: action, Resource: resource,
		Expected: string(c.Expect), DecidedBy: string(eval.LayerNone), Line: c.Pos.Line}
	if multi {
		res.Name = fmt.Sprintf("%s [%s %s]", c.Name, action, resource)
	}
	w.ctx.Reset()
	w.req = eval.Request{Principal: c.Principal, Action: action, Resource: resource, ResourceAccount: c.ResourceAccount, Context: &w.ctx}
	req := &w.req
	for _, ce := range c.Context {
		if ce.Multi {
			req.Context.SetMulti(ce.Key, ce.Values...)
		} else {
			req.Context.Set(ce.Key, ce.Values...)
		}
	}
	// Values written by hand take their key type's canonical form.
	eval.NormalizeContext(req.Context, r.Reference)
	var layers *eval.Layers
	var err error
	if envLayers == nil {
		// The keys that follow from the principal are derived by Decide.
		layers, err = r.customLayers(f, c, req)
	} else {
		layers, err = envLayers(req)
	}
	if err != nil {
		msg := err.Error()
		res.Error = &msg
		res.Decision = "undetermined"
		res.Explanation = "the case could not be evaluated: " + msg
		return res
	}
	d := eval.Decide(req, layers)
	if matches(c.Expect, d.Outcome.String()) {
		w.fillPassing(&res, &d, !r.Brief)
	} else if d.Outcome == eval.ImplicitDeny || r.traceAll {
		// Only an implicit deny's explanation uses the trace: it lists
		// the near misses of the layer that failed.
		d, tr := eval.ExplainWith(req, layers, eval.Options{Reference: r.Reference})
		fillResult(&res, &d, tr, true)
	} else {
		// Any other decision is explained by its statement or reason
		// alone, and the trace's warnings do not need the trace.
		tr := &eval.Trace{Warnings: eval.Warnings(d, req, layers, eval.Options{Reference: r.Reference})}
		fillResult(&res, &d, tr, true)
	}
	// An undetermined decision (its reason in Error) passes only a case
	// that expects it.
	res.Pass = matches(c.Expect, res.Decision) && (res.Error == nil || c.Expect == ExpectUndetermined)
	return res
}

func matches(e Expectation, decision string) bool {
	switch e {
	case ExpectDeny:
		return decision == "implicit-deny" || decision == "explicit-deny"
	}
	return string(e) == decision
}

func (r *Runner) openEnvironment(f *File) (Environment, error) {
	if f.Environment == nil {
		return nil, fmt.Errorf("the case has no layers and the file names no environment")
	}
	if r.LoadEnvironment == nil {
		return nil, fmt.Errorf("environment mode is not available in this build")
	}
	return r.LoadEnvironment(f.Environment, f.Path)
}

func (r *Runner) customLayers(f *File, c *Case, req *eval.Request) (*eval.Layers, error) {
	// Only layers that several cases share are kept: a file of a million
	// cases each with its own layers would otherwise keep them all.
	if !c.Layers.shared || c.Layers.S3KMS != nil {
		return r.buildLayers(f, c, req)
	}
	key := layersKey{c.Layers, eval.AuthorizedByTrustPolicy(req.Action), c.ManagementAccount}
	if l, ok := r.layers.Load(key); ok {
		return l.(*eval.Layers), nil
	}
	l, err := r.buildLayers(f, c, req)
	if err == nil {
		r.layers.Store(key, l)
	}
	return l, err
}

// buildLayers compiles a case's layers into the engine's.
func (r *Runner) buildLayers(f *File, c *Case, req *eval.Request) (*eval.Layers, error) {
	cl := c.Layers
	l := &eval.Layers{ManagementAccount: c.ManagementAccount}
	var err error
	get := func(ref *PolicyRef, t policy.Type) *eval.Policy {
		if err != nil || ref == nil {
			return nil
		}
		var p *eval.Policy
		p, err = r.compile(f, ref, t)
		return p
	}
	for _, ref := range cl.Identity {
		l.Identity = append(l.Identity, get(ref, policy.TypeIdentity))
	}
	resType := policy.TypeResource
	if eval.AuthorizedByTrustPolicy(req.Action) {
		resType = policy.TypeTrust
	}
	l.Resource = get(cl.Resource, resType)
	l.Boundary = get(cl.Boundary, policy.TypeBoundary)
	if len(cl.Session) > 0 {
		for _, ref := range cl.Session {
			l.Session = append(l.Session, get(ref, policy.TypeSession))
		}
	}
	levels := func(in [][]*PolicyRef, t policy.Type) [][]*eval.Policy {
		if in == nil {
			return nil
		}
		out := [][]*eval.Policy{}
		for _, lvl := range in {
			ps := []*eval.Policy{}
			for _, ref := range lvl {
				ps = append(ps, get(ref, t))
			}
			out = append(out, ps)
		}
		return out
	}
	l.SCP = levels(cl.SCP, policy.TypeSCP)
	l.RCP = levels(cl.RCP, policy.TypeRCP)
	l.VPCEndpoint = get(cl.VPCEndpoint, policy.TypeVPCEndpoint)
	if err != nil {
		return nil, err
	}
	if err := cl.S3KMS.layers(l, func(ref *PolicyRef) (*eval.Policy, error) { return r.compile(f, ref, policy.TypeResource) }); err != nil {
		return nil, err
	}
	return l, nil
}

// compile parses and compiles a policy reference for a policy type, once.
func (r *Runner) compile(f *File, ref *PolicyRef, t policy.Type) (*eval.Policy, error) {
	key := cacheKey{ref, t}
	// Load first: every case asks for its policies, and after the first
	// few they are all compiled; LoadOrStore allocates.
	v, ok := r.compiled.Load(key)
	if !ok {
		v, _ = r.compiled.LoadOrStore(key, &compiling{})
	}
	c := v.(*compiling)
	c.once.Do(func() { c.p, c.err = loadPolicy(f, ref, t) })
	return c.p, c.err
}

func loadPolicy(f *File, ref *PolicyRef, t policy.Type) (*eval.Policy, error) {
	if ref.Inline != nil {
		doc, err := policy.ParseYAML(ref.Inline, policy.Options{Type: t, Source: f.Path})
		if err != nil {
			return nil, fmt.Errorf("policy %q as %s policy: %w", ref.Name, t, err)
		}
		return eval.Compile(ref.Name, doc), nil
	}
	path := ref.Path
	if !filepath.IsAbs(path) {
		path = filepath.Join(f.Dir, path)
	}
	data, err := inputfile.Read(path)
	if err != nil {
		return nil, fmt.Errorf("policy %q: %w", ref.Name, err)
	}
	if strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml") {
		var n yaml.Node
		if err := yaml.Unmarshal(data, &n); err != nil || len(n.Content) == 0 {
			return nil, fmt.Errorf("%s: not valid YAML: %v", path, err)
		}
		if err := yamldoc.Check(n.Content[0]); err != nil {
			return nil, fmt.Errorf("%s:%w", path, err)
		}
		doc, err := policy.ParseYAML(n.Content[0], policy.Options{Type: t, Source: path})
		if err != nil {
			return nil, err
		}
		return eval.Compile(ref.Name, doc), nil
	}
	doc, err := policy.ParseJSONOrString(data, policy.Options{Type: t, Source: path})
	if err != nil {
		return nil, err
	}
	return eval.Compile(ref.Name, doc), nil
}
