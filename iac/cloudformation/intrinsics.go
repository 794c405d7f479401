package cloudformation

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// resolver resolves a template's values: parameters, pseudo parameters,
// conditions and the return values of its resources.
type resolver struct {
	t         *Template
	account   string
	region    string
	partition string
	// given are parameter values from the parameters file.
	given map[string]string
	// previous are parameters the file says keep their deployed value.
	previous map[string]bool

	conds    map[string]*val // resolved conditions (kBool or kUnknown)
	condBusy map[string]bool
	names    map[string]*val // physical names by logical id
	nameBusy map[string]bool
	depth    int
	// evaluated counts values built, against maxValues.
	evaluated int
	arns      map[string]string
	arnBusy   map[string]bool
	warnings  []string
	standIns  map[string]string // logical id -> what stands in for its generated name
}

func (r *resolver) unknownf(line, col int, format string, args ...any) *val {
	return &val{k: kUnknown, s: r.t.at(line, col) + ": " + fmt.Sprintf(format, args...), line: line, col: col}
}

func (r *resolver) errf(n *yaml.Node, format string, args ...any) error {
	return r.t.errorf(n, format, args...)
}

// maxValues bounds the values one template resolves to (YAML aliases can
// make a small file expand to far more), so memory stays bounded.
const maxValues = 2_000_000

// intrinsic returns the function a node calls: a short-form tag (!Ref,
// !Sub, ...) or a mapping of one key Ref, Condition or Fn::NAME.
func intrinsic(n *yaml.Node) (name string, arg *yaml.Node, ok bool) {
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		name = n.Tag[1:]
		if name != "Ref" && name != "Condition" {
			name = "Fn::" + name
		}
		c := *n
		switch c.Kind {
		case yaml.ScalarNode:
			c.Tag = "!!str"
		case yaml.SequenceNode:
			c.Tag = "!!seq"
		case yaml.MappingNode:
			c.Tag = "!!map"
		}
		return name, &c, true
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 {
		k := n.Content[0].Value
		if k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, deref(n.Content[1]), true
		}
	}
	return "", nil, false
}

// eval resolves a node.
func (r *resolver) eval(n *yaml.Node) (*val, error) {
	n = deref(n)
	r.depth++
	defer func() { r.depth-- }()
	if r.depth > maxDepth {
		return nil, r.errf(n, "values nested deeper than %d", maxDepth)
	}
	if r.evaluated++; r.evaluated > maxValues {
		return nil, r.errf(n, "the template expands to more than %d values (aliases?)", maxValues)
	}
	if name, arg, ok := intrinsic(n); ok {
		return r.call(n, name, arg)
	}
	v := &val{line: n.Line, col: n.Column}
	switch n.Kind {
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			v.k = kNull
		case "!!bool":
			v.k = kBool
			b, err := strconv.ParseBool(strings.ToLower(n.Value))
			if err != nil {
				v.k, v.s = kStr, n.Value
			}
			v.b = b
		case "!!int", "!!float":
			v.k, v.s = kNum, n.Value
		default:
			v.k, v.s = kStr, n.Value
		}
	case yaml.SequenceNode:
		v.k = kList
		for _, c := range n.Content {
			x, err := r.eval(c)
			if err != nil {
				return nil, err
			}
			if x.k != kNoValue {
				v.list = append(v.list, x)
			}
		}
	case yaml.MappingNode:
		v.k = kMap
		for i := 0; i+1 < len(n.Content); i += 2 {
			x, err := r.eval(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			if x.k != kNoValue {
				v.keys = append(v.keys, n.Content[i].Value)
				v.vals = append(v.vals, x)
			}
		}
	default:
		v.k = kNull
	}
	return v, nil
}

// args resolves the sequence argument of a function, wanting n elements
// (min..max).
func (r *resolver) args(fn string, n *yaml.Node, min, max int) ([]*yaml.Node, error) {
	n = deref(n)
	if n.Kind != yaml.SequenceNode || len(n.Content) < min || len(n.Content) > max {
		if min == max {
			return nil, r.errf(n, "%s takes a list of %d", fn, min)
		}
		return nil, r.errf(n, "%s takes a list of %d to %d", fn, min, max)
	}
	return n.Content, nil
}

func (r *resolver) evalString(fn string, n *yaml.Node) (*val, string, error) {
	v, err := r.eval(n)
	if err != nil {
		return nil, "", err
	}
	if u := v.unknown(); u != nil {
		return u, "", nil
	}
	s, ok := v.str()
	if !ok {
		return nil, "", r.errf(deref(n), "%s: want a string", fn)
	}
	return nil, s, nil
}

func strVal(s string, at *yaml.Node) *val {
	return &val{k: kStr, s: s, line: at.Line, col: at.Column}
}

func (r *resolver) call(at *yaml.Node, fn string, arg *yaml.Node) (*val, error) {
	switch fn {
	case "Ref":
		if arg.Kind != yaml.ScalarNode {
			return nil, r.errf(arg, "Ref takes the name of a parameter or resource")
		}
		return r.ref(at, arg.Value)
	case "Fn::GetAtt":
		var id, attr string
		switch arg.Kind {
		case yaml.ScalarNode:
			var ok bool
			if id, attr, ok = strings.Cut(arg.Value, "."); !ok {
				return nil, r.errf(arg, "Fn::GetAtt takes LOGICALID.ATTRIBUTE")
			}
		default:
			a, err := r.args(fn, arg, 2, 2)
			if err != nil {
				return nil, err
			}
			id = deref(a[0]).Value
			u, s, err := r.evalString(fn, a[1])
			if err != nil || u != nil {
				return u, err
			}
			attr = s
		}
		return r.getAtt(at, id, attr)
	case "Fn::Sub":
		return r.sub(at, arg)
	case "Fn::Join":
		a, err := r.args(fn, arg, 2, 2)
		if err != nil {
			return nil, err
		}
		u, delim, err := r.evalString(fn, a[0])
		if err != nil || u != nil {
			return u, err
		}
		list, err := r.eval(a[1])
		if err != nil {
			return nil, err
		}
		if u := list.unknown(); u != nil {
			return u, nil
		}
		if list.k != kList {
			return nil, r.errf(deref(a[1]), "Fn::Join: want a list to join")
		}
		parts := make([]string, 0, len(list.list))
		for _, x := range list.list {
			s, ok := x.str()
			if !ok {
				return nil, r.errf(deref(a[1]), "Fn::Join: the list holds a value that is not a string")
			}
			parts = append(parts, s)
		}
		return strVal(strings.Join(parts, delim), at), nil
	case "Fn::Select":
		a, err := r.args(fn, arg, 2, 2)
		if err != nil {
			return nil, err
		}
		u, is, err := r.evalString(fn, a[0])
		if err != nil || u != nil {
			return u, err
		}
		i, err := strconv.Atoi(is)
		if err != nil || i < 0 {
			return nil, r.errf(deref(a[0]), "Fn::Select: the index %q is not a non-negative number", is)
		}
		list, err := r.eval(a[1])
		if err != nil {
			return nil, err
		}
		if list.k == kUnknown {
			return list, nil
		}
		if list.k != kList {
			return nil, r.errf(deref(a[1]), "Fn::Select: want a list")
		}
		if i >= len(list.list) {
			return nil, r.errf(deref(a[0]), "Fn::Select: index %d is past the end of a list of %d", i, len(list.list))
		}
		return list.list[i], nil
	case "Fn::Split":
		a, err := r.args(fn, arg, 2, 2)
		if err != nil {
			return nil, err
		}
		u, delim, err := r.evalString(fn, a[0])
		if err != nil || u != nil {
			return u, err
		}
		if delim == "" {
			return nil, r.errf(deref(a[0]), "Fn::Split: empty delimiter")
		}
		u, s, err := r.evalString(fn, a[1])
		if err != nil || u != nil {
			return u, err
		}
		out := &val{k: kList, line: at.Line, col: at.Column}
		for _, p := range strings.Split(s, delim) {
			out.list = append(out.list, strVal(p, at))
		}
		return out, nil
	case "Fn::If":
		a, err := r.args(fn, arg, 3, 3)
		if err != nil {
			return nil, err
		}
		c := deref(a[0])
		if c.Kind != yaml.ScalarNode {
			return nil, r.errf(c, "Fn::If takes the name of a condition first")
		}
		cv, err := r.condition(c, c.Value)
		if err != nil {
			return nil, err
		}
		if cv.k == kUnknown {
			return cv, nil
		}
		if cv.b {
			return r.eval(a[1])
		}
		return r.eval(a[2])
	case "Fn::ImportValue":
		name := "an export"
		if v, err := r.eval(arg); err == nil {
			if s, ok := v.str(); ok {
				name = s
			}
		}
		return r.unknownf(at.Line, at.Column, "Fn::ImportValue %s is another stack's export, known only at deploy", name), nil
	case "Fn::FindInMap":
		a, err := r.args(fn, arg, 3, 4)
		if err != nil {
			return nil, err
		}
		var keys [3]string
		for i := 0; i < 3; i++ {
			u, s, err := r.evalString(fn, a[i])
			if err != nil || u != nil {
				return u, err
			}
			keys[i] = s
		}
		if v := r.findInMap(keys); v != nil {
			return r.eval(v)
		}
		if len(a) == 4 {
			// AWS::LanguageExtensions' DefaultValue.
			d := deref(a[3])
			if d.Kind == yaml.MappingNode && len(d.Content) == 2 && d.Content[0].Value == "DefaultValue" {
				return r.eval(d.Content[1])
			}
		}
		return nil, r.errf(at, "Fn::FindInMap: Mappings has no %s / %s / %s", keys[0], keys[1], keys[2])
	case "Fn::Base64":
		u, s, err := r.evalString(fn, arg)
		if err != nil || u != nil {
			return u, err
		}
		return strVal(base64.StdEncoding.EncodeToString([]byte(s)), at), nil
	case "Condition", "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not":
		// Condition functions inside a value: resolve to a boolean.
		return r.condExpr(at)
	}
	return r.unknownf(at.Line, at.Column, "%s is not resolved offline", fn), nil
}

func (r *resolver) findInMap(keys [3]string) *yaml.Node {
	cur := r.t.Mappings
	for _, k := range keys {
		cur = deref(cur)
		if cur == nil || cur.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(cur.Content); i += 2 {
			if cur.Content[i].Value == k {
				next = cur.Content[i+1]
			}
		}
		if next == nil {
			return nil
		}
		cur = next
	}
	return cur
}

// sub resolves Fn::Sub: "text ${Name} ${Res.Attr} ${!Literal}", or
// [text, {Name: value}].
func (r *resolver) sub(at *yaml.Node, arg *yaml.Node) (*val, error) {
	arg = deref(arg)
	var text *yaml.Node
	vars := map[string]*val{}
	switch arg.Kind {
	case yaml.ScalarNode:
		text = arg
	case yaml.SequenceNode:
		a, err := r.args("Fn::Sub", arg, 2, 2)
		if err != nil {
			return nil, err
		}
		text = deref(a[0])
		m := deref(a[1])
		if m.Kind != yaml.MappingNode {
			return nil, r.errf(m, "Fn::Sub: the second element is a mapping of variables")
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			v, err := r.eval(m.Content[i+1])
			if err != nil {
				return nil, err
			}
			vars[m.Content[i].Value] = v
		}
	default:
		return nil, r.errf(arg, "Fn::Sub takes a string, or a list of a string and a mapping")
	}
	if text.Kind != yaml.ScalarNode {
		return nil, r.errf(text, "Fn::Sub: want a string")
	}
	s := text.Value
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		name := s[i+2 : i+j]
		s = s[i+j+1:]
		if strings.HasPrefix(name, "!") {
			// ${!Literal} writes ${Literal}.
			b.WriteString("${" + name[1:] + "}")
			continue
		}
		name = strings.TrimSpace(name)
		v, ok := vars[name]
		if !ok {
			var err error
			if id, attr, dotted := strings.Cut(name, "."); dotted {
				v, err = r.getAtt(at, id, attr)
			} else {
				v, err = r.ref(at, name)
			}
			if err != nil {
				return nil, err
			}
		}
		if u := v.unknown(); u != nil {
			return u, nil
		}
		vs, ok := v.str()
		if !ok {
			return nil, r.errf(at, "Fn::Sub: ${%s} is not a string", name)
		}
		b.WriteString(vs)
	}
	return strVal(b.String(), at), nil
}

// ref resolves Ref NAME: a pseudo parameter, a parameter or a resource.
func (r *resolver) ref(at *yaml.Node, name string) (*val, error) {
	switch name {
	case "AWS::AccountId":
		return strVal(r.account, at), nil
	case "AWS::Region":
		return strVal(r.region, at), nil
	case "AWS::Partition":
		return strVal(r.partition, at), nil
	case "AWS::URLSuffix":
		if r.partition == "aws-cn" {
			return strVal("amazonaws.com.cn", at), nil
		}
		return strVal("amazonaws.com", at), nil
	case "AWS::NoValue":
		return &val{k: kNoValue, line: at.Line, col: at.Column}, nil
	case "AWS::StackName", "AWS::StackId", "AWS::NotificationARNs":
		return r.unknownf(at.Line, at.Column, "%s is known only at deploy", name), nil
	}
	if p, ok := r.t.Parameters[name]; ok {
		return r.param(at, name, p)
	}
	if res, ok := r.t.byID[name]; ok {
		return r.resourceRef(at, res)
	}
	if strings.HasPrefix(name, "AWS::") {
		return r.unknownf(at.Line, at.Column, "pseudo parameter %s is not resolved offline", name), nil
	}
	return nil, r.errf(at, "Ref %s: no parameter or resource of that name", name)
}

// param is a parameter's value: from the parameters file, else its
// Default, else unknown.
func (r *resolver) param(at *yaml.Node, name string, p *yaml.Node) (*val, error) {
	typ := ""
	var def *yaml.Node
	if p.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(p.Content); i += 2 {
			switch p.Content[i].Value {
			case "Type":
				typ = deref(p.Content[i+1]).Value
			case "Default":
				def = deref(p.Content[i+1])
			}
		}
	}
	if strings.HasPrefix(typ, "AWS::SSM::Parameter::Value<") {
		return r.unknownf(at.Line, at.Column, "parameter %s is read from SSM Parameter Store at deploy", name), nil
	}
	var s string
	switch g, ok := r.given[name]; {
	case r.previous[name]:
		return r.unknownf(at.Line, at.Column, "parameter %s keeps its value from the deployed stack (UsePreviousValue)", name), nil
	case ok:
		s = g
	case def != nil && def.Kind == yaml.SequenceNode:
		// A list default written as a YAML list.
		return r.eval(def)
	case def != nil && def.Kind == yaml.ScalarNode && !isNull(def):
		s = def.Value
	default:
		return r.unknownf(at.Line, at.Column, "parameter %s has no value (no Default, and not given in the parameters file)", name), nil
	}
	if typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<") {
		// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
		out := &val{k: kList, line: at.Line, col: at.Column}
		for _, part := range strings.Split(s, ",") {
			out.list = append(out.list, strVal(strings.TrimSpace(part), at))
		}
		return out, nil
	}
	return strVal(s, at), nil
}

// condition resolves a named condition (memoised; a cycle is an error).
func (r *resolver) condition(at *yaml.Node, name string) (*val, error) {
	if v, ok := r.conds[name]; ok {
		return v, nil
	}
	n, ok := r.t.Conditions[name]
	if !ok {
		return nil, r.errf(at, "no condition %s in Conditions", name)
	}
	if r.condBusy[name] {
		return nil, r.errf(at, "condition %s refers to itself", name)
	}
	r.condBusy[name] = true
	v, err := r.condExpr(n)
	delete(r.condBusy, name)
	if err != nil {
		return nil, err
	}
	r.conds[name] = v
	return v, nil
}

func boolVal(b bool, at *yaml.Node) *val { return &val{k: kBool, b: b, line: at.Line, col: at.Column} }

// condExpr evaluates a condition function: Fn::Equals, Fn::And, Fn::Or,
// Fn::Not, or Condition NAME. An unknown operand makes the result unknown
// unless the known operands decide it.
func (r *resolver) condExpr(n *yaml.Node) (*val, error) {
	n = deref(n)
	r.depth++
	defer func() { r.depth-- }()
	if r.depth > maxDepth {
		return nil, r.errf(n, "conditions nested deeper than %d", maxDepth)
	}
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!bool" || n.Value == "true" || n.Value == "false") {
		b, _ := strconv.ParseBool(strings.ToLower(n.Value))
		return boolVal(b, n), nil
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "Condition" {
		return r.condition(n, deref(n.Content[1]).Value)
	}
	fn, arg, ok := intrinsic(n)
	if !ok {
		return nil, r.errf(n, "a condition is Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition")
	}
	switch fn {
	case "Condition":
		return r.condition(n, arg.Value)
	case "Fn::Equals":
		a, err := r.args(fn, arg, 2, 2)
		if err != nil {
			return nil, err
		}
		x, err := r.eval(a[0])
		if err != nil {
			return nil, err
		}
		y, err := r.eval(a[1])
		if err != nil {
			return nil, err
		}
		if u := x.unknown(); u != nil {
			return u, nil
		}
		if u := y.unknown(); u != nil {
			return u, nil
		}
		return boolVal(equal(x, y), n), nil
	case "Fn::And", "Fn::Or":
		a, err := r.args(fn, arg, 1, 10)
		if err != nil {
			return nil, err
		}
		decisive := fn == "Fn::Or" // Or: one true decides; And: one false
		var unknown *val
		for _, c := range a {
			v, err := r.condExpr(c)
			if err != nil {
				return nil, err
			}
			if v.k == kUnknown {
				if unknown == nil {
					unknown = v
				}
				continue
			}
			if v.b == decisive {
				return boolVal(decisive, n), nil
			}
		}
		if unknown != nil {
			return unknown, nil
		}
		return boolVal(!decisive, n), nil
	case "Fn::Not":
		a, err := r.args(fn, arg, 1, 1)
		if err != nil {
			return nil, err
		}
		v, err := r.condExpr(a[0])
		if err != nil || v.k == kUnknown {
			return v, err
		}
		return boolVal(!v.b, n), nil
	case "Fn::If":
		v, err := r.call(n, fn, arg)
		if err != nil || v.k == kUnknown {
			return v, err
		}
		return r.condExprVal(n, v)
	}
	v, err := r.call(n, fn, arg)
	if err != nil || v.k == kUnknown {
		return v, err
	}
	return r.condExprVal(n, v)
}

func (r *resolver) condExprVal(n *yaml.Node, v *val) (*val, error) {
	if v.k == kBool {
		return v, nil
	}
	if s, ok := v.str(); ok && (s == "true" || s == "false") {
		return boolVal(s == "true", n), nil
	}
	return nil, r.errf(n, "a condition must be true or false")
}

// equal compares two known values as CloudFormation does: scalars by their
// text, lists element by element.
func equal(x, y *val) bool {
	if xs, ok := x.str(); ok {
		ys, ok := y.str()
		return ok && xs == ys
	}
	if x.k == kList && y.k == kList && len(x.list) == len(y.list) {
		for i := range x.list {
			if !equal(x.list[i], y.list[i]) {
				return false
			}
		}
		return true
	}
	return x.k == y.k && x.k == kNull
}
