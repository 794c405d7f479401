package analyze

import (
	"strings"

	"github.com/iamwhy/iamwhy/policy"
)

// Policy variables: ${name} or ${name, 'default'} in Resource values and
// string or ARN condition values, under Version 2012-10-17; the special
// ${*}, ${?} and ${$} stand for the characters themselves.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html

// variables checks the syntax of each variable in a value; allowed is
// false in elements that take no variables.
func (l *linter) variables(si *stmtInfo, v policy.Value, elem string, allowed bool) {
	text := v.Text
	for {
		i := strings.Index(text, "${")
		if i < 0 {
			return
		}
		text = text[i+2:]
		end := strings.IndexByte(text, '}')
		if end < 0 {
			l.addS(si, "MISSING_BRACE_IN_VARIABLE", v.Pos, "the policy variable in %q is missing a closing curly brace: add } after the variable text", v.Text)
			return
		}
		body := text[:end]
		text = text[end+1:]
		if !allowed {
			l.addS(si, "VARIABLE_UNSUPPORTED_IN_ELEMENT", v.Pos, "policy variables are supported in the Resource and Condition elements: remove the policy variable ${%s} from %s", body, elem)
			continue
		}
		l.variableBody(si, v, body)
	}
}

func (l *linter) variableBody(si *stmtInfo, v policy.Value, body string) {
	if strings.TrimSpace(body) == "" {
		l.addS(si, "EMPTY_VARIABLE", v.Pos, "empty policy variable in %q: remove the ${} variable structure or provide a variable within the structure", v.Text)
		return
	}
	switch body {
	case "*", "?", "$":
		return
	}
	name, def, hasDefault := strings.Cut(body, ",")
	if strings.ContainsAny(strings.TrimSpace(name), " \t") || strings.HasPrefix(name, " ") || (!hasDefault && strings.HasSuffix(name, " ")) {
		l.addS(si, "UNSUPPORTED_SPACE_IN_VARIABLE", v.Pos, "a space is not supported within the policy variable text ${%s}: remove the space", body)
		return
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(":/_.-", c)) {
			if c == '"' {
				l.addS(si, "UNSUPPORTED_SYMBOL_IN_VARIABLE", v.Pos, "the symbol \" is not supported within the policy variable ${%s}: use ' instead", body)
			} else {
				l.addS(si, "UNSUPPORTED_SYMBOL_IN_VARIABLE", v.Pos, "the symbol %q is not supported within the policy variable text ${%s}: remove the symbol", string(c), body)
			}
			return
		}
	}
	if hasDefault {
		d := strings.TrimSpace(def)
		if strings.HasPrefix(d, "\"") || strings.HasSuffix(d, "\"") {
			l.addS(si, "UNSUPPORTED_SYMBOL_IN_VARIABLE", v.Pos, "the symbol \" is not supported within the policy variable ${%s}: use ' instead", body)
			return
		}
		if len(d) < 2 || d[0] != '\'' || d[len(d)-1] != '\'' {
			l.addS(si, "MISSING_QUOTE_IN_VARIABLE", v.Pos, "the policy variable default value in ${%s} must begin and end with a single quote: add the missing quote", body)
		}
	}
}

// variableVersion: "To use policy variables, you must include the Version
// element and set the version to 2012-10-17"; under the older version
// ${...} is literal text.
func (l *linter) variableVersion(p *policy.Policy) {
	if p.VariablesEnabled() {
		return
	}
	for i := range p.Statements {
		s := &p.Statements[i]
		for _, v := range s.Resource.Values {
			if strings.Contains(v.Text, "${") {
				l.add("VARIABLE_UNSUPPORTED_IN_VERSION", v.Pos, s.Label(), "%s is literal text under Version %q: to include variables in your policy, use the policy version 2012-10-17", v.Text, versionOrNone(p))
				return
			}
		}
		for _, c := range s.Conditions {
			for _, v := range c.Values {
				if strings.Contains(v.Text, "${") {
					l.add("VARIABLE_UNSUPPORTED_IN_VERSION", v.Pos, s.Label(), "%s is literal text under Version %q: to include variables in your policy, use the policy version 2012-10-17", v.Text, versionOrNone(p))
					return
				}
			}
		}
	}
}

func versionOrNone(p *policy.Policy) string {
	if p.Version == "" {
		return "(none, so 2008-10-17)"
	}
	return p.Version
}
