// Package junit writes JUnit XML reports, the test-report format CI systems
// (Jenkins, GitLab, GitHub Actions reporters) read. It is the one JUnit
// writer of iamwhy: check reports its cases with it.
//
// The shape is the one those systems share (the Ant JUnit task's): a
// <testsuites> element with a <testsuite> per file and a <testcase> per
// case, a <failure> for a wrong result and an <error> for a case that could
// not run, and counts at both levels that agree with the cases.
package junit

import (
	"encoding/xml"
	"io"
)

// Suites is the whole report.
type Suites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Suites   []Suite  `xml:"testsuite"`

	index map[string]int // suite name -> position in Suites
}

// Suite is the cases of one file.
type Suite struct {
	Name     string `xml:"name,attr"`
	Tests    int    `xml:"tests,attr"`
	Failures int    `xml:"failures,attr"`
	Errors   int    `xml:"errors,attr"`
	Cases    []Case `xml:"testcase"`
}

// Case is one test case. At most one of Failure and Error is set.
type Case struct {
	Name      string   `xml:"name,attr"`
	Classname string   `xml:"classname,attr"`
	Failure   *Problem `xml:"failure,omitempty"`
	Error     *Problem `xml:"error,omitempty"`
	SystemOut string   `xml:"system-out,omitempty"`
}

// Problem is a failure or an error: a one-line message, its type and the
// details.
type Problem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// Add appends c to the suite named suite (created at the end when it is
// new, so suites keep the order of their first case) and counts it.
func (s *Suites) Add(suite string, c Case) {
	if s.index == nil {
		s.index = map[string]int{}
	}
	i, ok := s.index[suite]
	if !ok {
		i = len(s.Suites)
		s.index[suite] = i
		s.Suites = append(s.Suites, Suite{Name: suite})
	}
	st := &s.Suites[i]
	st.Cases = append(st.Cases, c)
	st.Tests++
	s.Tests++
	switch {
	case c.Error != nil:
		st.Errors++
		s.Errors++
	case c.Failure != nil:
		st.Failures++
		s.Failures++
	}
}

// Write writes the report as an indented XML document.
func Write(w io.Writer, s *Suites) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(s); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
