package analyze

import (
	"encoding/json"
	"io"
	"path/filepath"
)

// SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html),
// the subset code-scanning services read: one run, the rules as
// reportingDescriptors, one result per finding with its physical location.

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Version        string      `json:"version,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	ShortDescription     sarifText      `json:"shortDescription"`
	HelpURI              string         `json:"helpUri"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties,omitempty"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

// sarifLevel maps a severity to SARIF's levels; security warnings are
// "warning" with a security-severity property, which code scanning uses
// to rank security findings.
func sarifLevel(s Severity) string {
	switch s {
	case SeverityError:
		return "error"
	case SeveritySuggestion:
		return "note"
	}
	return "warning"
}

// WriteSARIF writes the results of one or more documents as a SARIF 2.1.0
// log. toolVersion may be empty.
func WriteSARIF(w io.Writer, results []*Result, toolVersion string) error {
	driver := sarifDriver{Name: "iamwhy", InformationURI: "https://github.com/iamwhy/iamwhy", Version: toolVersion}
	index := map[string]int{}
	for i, r := range Checks {
		index[r.IssueCode] = i
		rule := sarifRule{ID: r.IssueCode, ShortDescription: sarifText{r.Title}, HelpURI: r.LearnMoreLink,
			DefaultConfiguration: sarifConfig{sarifLevel(r.Severity)}}
		if r.Severity == SeveritySecurityWarning {
			rule.Properties = map[string]any{"security-severity": "7.5", "tags": []string{"security"}}
		}
		driver.Rules = append(driver.Rules, rule)
	}
	run := sarifRun{Tool: sarifTool{Driver: driver}, Results: []sarifResult{}}
	for _, res := range results {
		uri := filepath.ToSlash(res.Source)
		if uri == "" || uri == "-" {
			uri = "stdin"
		}
		for _, f := range res.Findings {
			loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: uri}}}
			if f.Line > 0 {
				loc.PhysicalLocation.Region = &sarifRegion{StartLine: f.Line, StartColumn: f.Col}
			}
			run.Results = append(run.Results, sarifResult{
				RuleID: f.IssueCode, RuleIndex: index[f.IssueCode], Level: sarifLevel(f.Severity),
				Message: sarifText{f.Message}, Locations: []sarifLocation{loc},
			})
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}
