package athena

import (
	"strings"
	"testing"
)

// Rule: only statements that read are sent to Athena unless AllowDDL.
func TestCheckReadOnly(t *testing.T) {
	for _, tc := range []struct {
		sql string
		ok  bool
	}{
		{"SELECT 1", true},
		{"  select eventname from cloudtrail_logs", true},
		{"-- guide\n/* count */ WITH t AS (SELECT 1) SELECT * FROM t", true},
		{"(SELECT 1) UNION (SELECT 2)", true},
		{"SHOW TABLES", true},
		{"DESCRIBE cloudtrail_logs", true},
		{"SELECT 1;", true},
		{"SELECT ';DROP TABLE x' AS s", true},
		{"SELECT 1 -- ; DROP TABLE x", true},
		{"DROP TABLE cloudtrail_logs", false},
		{"CREATE TABLE x AS SELECT * FROM cloudtrail_logs", false},
		{"INSERT INTO x SELECT 1", false},
		{"UNLOAD (SELECT 1) TO 's3://b/' WITH (format = 'JSON')", false},
		{"MSCK REPAIR TABLE cloudtrail_logs", false},
		{"ALTER TABLE cloudtrail_logs ADD PARTITION (region='x')", false},
		{"SELECT 1; DROP TABLE x", false},
		{"/* SELECT */ DROP TABLE x", false},
		{"", false},
		{"-- only a comment", false},
	} {
		err := CheckReadOnly(tc.sql)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err %v, want ok=%v", tc.sql, err, tc.ok)
		}
	}
}

// FuzzCheckReadOnly: what passes starts with a read statement's keyword
// once comments, space and parentheses are skipped.
func FuzzCheckReadOnly(f *testing.F) {
	for _, s := range []string{"SELECT 1", "/* x */ (WITH a AS (SELECT 1) SELECT * FROM a)", "DROP TABLE t", "SELECT 1; DROP TABLE t", "SELECT ';' -- ;\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		if CheckReadOnly(sql) != nil {
			return
		}
		rest := skipSpaceAndComments(sql)
		for strings.HasPrefix(rest, "(") {
			rest = skipSpaceAndComments(rest[1:])
		}
		up := strings.ToUpper(rest)
		for _, w := range readStatements {
			if strings.HasPrefix(up, w) {
				return
			}
		}
		t.Fatalf("%q passed", sql)
	})
}
