package athena

import (
	"fmt"
	"strings"
)

// Athena runs whatever statement it is sent with the caller's credentials:
// DROP TABLE, CREATE TABLE AS (which writes to S3), INSERT INTO, UNLOAD,
// MSCK REPAIR TABLE. SQL given to iamwhy (pasted from a guide, written by
// an agent) is treated as a question, so unless Config.AllowDDL is set
// only statements that read are sent: SELECT, WITH (a query with common
// table expressions: Athena has no WITH ... INSERT), SHOW and DESCRIBE.
// https://docs.aws.amazon.com/athena/latest/ug/ddl-sql-reference.html
// https://docs.aws.amazon.com/athena/latest/ug/select.html
var readStatements = []string{"SELECT", "WITH", "SHOW", "DESCRIBE"}

// CheckReadOnly returns an error unless sql is one statement that starts
// (after comments, white space and opening parentheses) with SELECT, WITH,
// SHOW or DESCRIBE.
func CheckReadOnly(sql string) error {
	rest := skipSpaceAndComments(sql)
	for strings.HasPrefix(rest, "(") {
		rest = skipSpaceAndComments(rest[1:])
	}
	word := rest
	if i := strings.IndexFunc(rest, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '_')
	}); i >= 0 {
		word = rest[:i]
	}
	ok := false
	for _, w := range readStatements {
		if strings.EqualFold(word, w) {
			ok = true
		}
	}
	if !ok {
		if word == "" {
			return fmt.Errorf("no SQL statement")
		}
		return fmt.Errorf("%s statements are not sent to Athena: only SELECT, WITH, SHOW and DESCRIBE (pass --allow-ddl to run others)", strings.ToUpper(word))
	}
	if extraStatement(sql) {
		return fmt.Errorf("more than one SQL statement: Athena runs one at a time")
	}
	return nil
}

// skipSpaceAndComments drops leading white space, -- line comments and
// /* block comments */.
func skipSpaceAndComments(s string) string {
	for {
		s = strings.TrimLeft(s, " \t\r\n\f\v")
		switch {
		case strings.HasPrefix(s, "--"):
			if i := strings.IndexByte(s, '\n'); i >= 0 {
				s = s[i+1:]
			} else {
				return ""
			}
		case strings.HasPrefix(s, "/*"):
			if i := strings.Index(s[2:], "*/"); i >= 0 {
				s = s[i+4:]
			} else {
				return ""
			}
		default:
			return s
		}
	}
}

// extraStatement reports whether a ';' outside quotes, identifiers and
// comments is followed by anything but white space and comments.
func extraStatement(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'' || c == '"' || c == '`':
			// Quoted: a doubled quote is an escaped one.
			for i++; i < len(s); i++ {
				if s[i] == c {
					if i+1 < len(s) && s[i+1] == c {
						i++
						continue
					}
					break
				}
			}
		case c == '-' && strings.HasPrefix(s[i:], "--"):
			if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
				i += j
			} else {
				return false
			}
		case c == '/' && strings.HasPrefix(s[i:], "/*"):
			if j := strings.Index(s[i+2:], "*/"); j >= 0 {
				i += j + 3
			} else {
				return false
			}
		case c == ';':
			if skipSpaceAndComments(s[i+1:]) != "" && strings.Trim(skipSpaceAndComments(s[i+1:]), ";") != "" {
				return true
			}
			return false
		}
	}
	return false
}
