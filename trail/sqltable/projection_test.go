package sqltable

import (
	"path/filepath"
	"slices"
	"testing"
)

// The columns a statement reads are found conservatively: whatever might
// see a column not listed loads them all.
func TestColumnsOf(t *testing.T) {
	for _, tc := range []struct {
		rule string
		sql  string
		want []string // nil: all
	}{
		{"the guide's query reads its seven columns", `SELECT eventtime, eventsource, eventname, useridentity, requestparameters, errorcode, errormessage
FROM cloudtrail_logs
WHERE errorcode = 'AccessDenied'
  AND eventtime > '2024-01-15T00:00:00Z'
ORDER BY eventtime DESC
LIMIT 50;`, []string{"useridentity", "eventtime", "eventsource", "eventname", "errorcode", "errormessage", "requestparameters"}},
		{"count(*) reads none", "SELECT count(*) FROM cloudtrail_logs", []string{}},
		{"a count with a filter", "select COUNT(*) from cloudtrail_logs where errorCode = 'AccessDenied'", []string{"errorcode"}},
		{"string literals are not columns", "SELECT count(*) FROM cloudtrail_logs WHERE errorcode = 'eventname useridentity'", []string{"errorcode"}},
		{"comments are not columns", "SELECT eventname -- awsregion\n/* sourceipaddress */ FROM cloudtrail_logs", []string{"eventname"}},
		{"quoted identifiers are", `SELECT "eventName" FROM cloudtrail_logs`, []string{"eventname"}},
		{"struct fields reach their column", "SELECT useridentity.arn FROM cloudtrail_logs", []string{"useridentity"}},
		{"SELECT * reads all", "SELECT * FROM cloudtrail_logs", nil},
		{"t.* reads all", "SELECT t.* FROM cloudtrail_logs t", nil},
		{"COLUMNS() reads all", "SELECT COLUMNS('event.*') FROM cloudtrail_logs", nil},
		{"the row as a value reads all", "SELECT to_json(cloudtrail_logs) FROM cloudtrail_logs", nil},
		{"DESCRIBE reads all", "DESCRIBE cloudtrail_logs", nil},
		{"an unterminated literal reads all", "SELECT eventname FROM cloudtrail_logs WHERE x = 'a", nil},
		{"a multiplication is a star too", "SELECT count(*) * 2 FROM cloudtrail_logs", nil},
	} {
		cols, all := ColumnsOf(tc.sql)
		if tc.want == nil {
			if !all {
				t.Errorf("%s: got %v, want all", tc.rule, cols)
			}
			continue
		}
		slices.Sort(cols)
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if all || !slices.Equal(cols, want) {
			t.Errorf("%s: got %v all=%v, want %v", tc.rule, cols, all, want)
		}
	}
}

// Loading only the columns a query reads gives that query the rows and
// values of a full load, and the same counts of records.
func TestProjectedLoadSameAnswers(t *testing.T) {
	fixture := filepath.Join("testdata", "records.jsonl")
	full, fullStats := loadFile(t, fixture)
	for _, q := range []string{
		guideQuery,
		"SELECT count(*) FROM cloudtrail_logs",
		"SELECT count(*), errorcode FROM cloudtrail_logs GROUP BY errorcode ORDER BY errorcode",
		"SELECT useridentity.arn, json_extract_scalar(requestparameters, '$.bucketName') AS b FROM cloudtrail_logs ORDER BY 1, 2",
		"SELECT eventname, resources FROM cloudtrail_logs WHERE cardinality(resources) > 0 ORDER BY eventname",
	} {
		cols, all := ColumnsOf(q)
		if all {
			t.Fatalf("%s: want a projection", q)
		}
		if len(cols) == 0 {
			cols = []string{"eventid"}
		}
		part, partStats := loadFileColumns(t, fixture, cols)
		if partStats.Records != fullStats.Records || partStats.Inserted != fullStats.Inserted || partStats.Rejected != fullStats.Rejected {
			t.Errorf("%s: stats %+v, full load %+v", q, partStats, fullStats)
		}
		if got, want := jsonText(t, queryAll(t, part, q)), jsonText(t, queryAll(t, full, q)); got != want {
			t.Errorf("%s:\nprojected %s\nfull      %s", q, got, want)
		}
	}
}
