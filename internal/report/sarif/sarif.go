// Package sarif writes SARIF 2.1.0 logs
// (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html), the
// format code-scanning services (GitHub code scanning among them) read. It
// is the one SARIF writer of iamwhy: lint reports its findings with it and
// check its failed cases.
//
// The log holds the subset those services use: one run, the tool's rules as
// reportingDescriptors, and one result per finding with its physical
// location (file, line and column).
package sarif

import (
	"encoding/json"
	"io"
	"path/filepath"

	"github.com/iamwhy/iamwhy/policy"
)

// Levels of a result or a rule's default configuration (SARIF 3.27.10).
const (
	LevelError   = "error"
	LevelWarning = "warning"
	LevelNote    = "note"
)

// Tool names the program that produced the results.
type Tool struct {
	Name           string
	InformationURI string
	// Version is left out of the log when empty.
	Version string
}

// Rule is one kind of result the tool reports.
type Rule struct {
	ID          string
	Description string // a short description, one sentence
	// HelpURI is left out of the log when empty.
	HelpURI string
	// Level is the default level of the rule's results.
	Level string
	// Security marks a security finding: it gets a security-severity
	// property and the "security" tag, which GitHub code scanning uses to
	// rank it
	// (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning#reportingdescriptor-object).
	Security bool
}

// Result is one finding.
type Result struct {
	RuleID  string
	Level   string
	Message string
	// Where is the finding's location. Without a line the location names
	// the file alone; a file "" or "-" (standard input) is written as
	// "stdin".
	Where policy.Pos
}

// securitySeverity is the score given to security rules: "high" on
// GitHub's scale (7.0 to 8.9).
const securitySeverity = "7.5"

type log struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []run  `json:"runs"`
}

type run struct {
	Tool    tool     `json:"tool"`
	Results []result `json:"results"`
}

type tool struct {
	Driver driver `json:"driver"`
}

type driver struct {
	Name           string `json:"name"`
	InformationURI string `json:"informationUri"`
	Version        string `json:"version,omitempty"`
	Rules          []rule `json:"rules"`
}

type rule struct {
	ID                   string      `json:"id"`
	ShortDescription     text        `json:"shortDescription"`
	HelpURI              string      `json:"helpUri,omitempty"`
	DefaultConfiguration config      `json:"defaultConfiguration"`
	Properties           *properties `json:"properties,omitempty"`
}

type properties struct {
	SecuritySeverity string   `json:"security-severity"`
	Tags             []string `json:"tags"`
}

type config struct {
	Level string `json:"level"`
}

type text struct {
	Text string `json:"text"`
}

type result struct {
	RuleID    string     `json:"ruleId"`
	RuleIndex *int       `json:"ruleIndex,omitempty"`
	Level     string     `json:"level"`
	Message   text       `json:"message"`
	Locations []location `json:"locations"`
}

type location struct {
	PhysicalLocation physical `json:"physicalLocation"`
}

type physical struct {
	ArtifactLocation artifact `json:"artifactLocation"`
	Region           *region  `json:"region,omitempty"`
}

type artifact struct {
	URI string `json:"uri"`
}

type region struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

// Write writes one run of tool with its rules and results as an indented
// SARIF 2.1.0 log. A result whose rule is among rules refers to it by index
// (ruleIndex); results keep their order.
func Write(w io.Writer, t Tool, rules []Rule, results []Result) error {
	d := driver{Name: t.Name, InformationURI: t.InformationURI, Version: t.Version, Rules: []rule{}}
	index := make(map[string]int, len(rules))
	for i, r := range rules {
		index[r.ID] = i
		out := rule{ID: r.ID, ShortDescription: text{r.Description}, HelpURI: r.HelpURI, DefaultConfiguration: config{r.Level}}
		if r.Security {
			out.Properties = &properties{SecuritySeverity: securitySeverity, Tags: []string{"security"}}
		}
		d.Rules = append(d.Rules, out)
	}
	ru := run{Tool: tool{Driver: d}, Results: make([]result, 0, len(results))}
	for _, r := range results {
		res := result{RuleID: r.RuleID, Level: r.Level, Message: text{r.Message},
			Locations: []location{{PhysicalLocation: physicalOf(r.Where)}}}
		if i, ok := index[r.RuleID]; ok {
			res.RuleIndex = &i
		}
		ru.Results = append(ru.Results, res)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []run{ru}})
}

// physicalOf is a position as SARIF locates it: a URI with forward slashes
// (SARIF 3.10, artifactLocation) and a region whose lines and columns start
// at 1 (3.30.5), left out when the line is not known.
func physicalOf(p policy.Pos) physical {
	uri := filepath.ToSlash(p.File)
	if uri == "" || uri == "-" {
		uri = "stdin"
	}
	ph := physical{ArtifactLocation: artifact{URI: uri}}
	if p.IsValid() {
		ph.Region = &region{StartLine: p.Line, StartColumn: p.Col}
	}
	return ph
}
