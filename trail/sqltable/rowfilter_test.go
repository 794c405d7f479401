package sqltable

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// Only the plainest statements give a filter, and only the AND terms it
// can decide on a record by itself.
func TestRowFilterOf(t *testing.T) {
	db, err := Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tc := range []struct {
		rule  string
		sql   string
		conds int // 0: no filter
	}{
		{"the guide's query", guideQuery, 2},
		{"a count", "SELECT count(*) FROM cloudtrail_logs WHERE errorcode = 'AccessDenied'", 1},
		{"literal first, IN, IS NOT NULL, qualified names", "SELECT t.eventname FROM main.cloudtrail_logs AS t WHERE 'a' < t.eventname AND errorcode IN ('x', 'y') AND cloudtrail_logs_x IS NULL AND eventsource IS NOT NULL", 3},
		{"windows, grouping and HAVING come after WHERE", "SELECT eventname, count(*) OVER () FROM cloudtrail_logs WHERE errorcode <> 'x' GROUP BY ALL HAVING count(*) > 1 QUALIFY true", 1},
		{"an OR is left to DuckDB", "SELECT count(*) FROM cloudtrail_logs WHERE errorcode = 'a' OR errorcode = 'b'", 0},
		{"a struct field is left to DuckDB", "SELECT count(*) FROM cloudtrail_logs WHERE useridentity.type = 'Root'", 0},
		{"a non-string literal is left to DuckDB", "SELECT count(*) FROM cloudtrail_logs WHERE errorcode = 5 AND eventtime > TIMESTAMP '2024-01-01'", 0},
		{"a NULL literal is left to DuckDB", "SELECT count(*) FROM cloudtrail_logs WHERE errorcode = NULL", 0},
		{"a collation is left to DuckDB", "SELECT count(*) FROM cloudtrail_logs WHERE errorcode COLLATE nocase = 'accessdenied'", 0},
		{"a select alias naming the column", "SELECT 'x' AS errorcode FROM cloudtrail_logs WHERE errorcode = 'x'", 0},
		{"a subquery anywhere", "SELECT (SELECT count(*) FROM cloudtrail_logs) FROM cloudtrail_logs WHERE errorcode = 'x'", 0},
		{"a subquery in WHERE", "SELECT count(*) FROM cloudtrail_logs WHERE errorcode = 'x' AND eventid IN (SELECT eventid FROM cloudtrail_logs)", 0},
		{"a join", "SELECT count(*) FROM cloudtrail_logs a JOIN cloudtrail_logs b USING (eventid) WHERE a.errorcode = 'x'", 0},
		{"a CTE", "WITH c AS (SELECT * FROM cloudtrail_logs) SELECT count(*) FROM cloudtrail_logs WHERE errorcode = 'x'", 0},
		{"a union", "SELECT eventname FROM cloudtrail_logs WHERE errorcode = 'x' UNION ALL SELECT eventname FROM cloudtrail_logs", 0},
		{"a sample of the table", "SELECT count(*) FROM cloudtrail_logs TABLESAMPLE 10% WHERE errorcode = 'x'", 0},
		{"a sample of the result", "SELECT eventname FROM cloudtrail_logs WHERE errorcode = 'x' USING SAMPLE 10", 0},
		{"rowid", "SELECT rowid FROM cloudtrail_logs WHERE errorcode = 'x'", 0},
		{"renamed columns", "SELECT count(*) FROM cloudtrail_logs AS t(errorcode) WHERE errorcode = 'x'", 0},
		{"another table", "SELECT count(*) FROM other WHERE errorcode = 'x'", 0},
		{"two statements", "SELECT 1; SELECT count(*) FROM cloudtrail_logs WHERE errorcode = 'x'", 0},
		{"not a query", "DELETE FROM cloudtrail_logs WHERE errorcode = 'x'", 0},
		{"a syntax error", "SELECT FROM WHERE errorcode = 'x'", 0},
	} {
		f := db.RowFilterOf(context.Background(), tc.sql)
		got := 0
		if f != nil {
			got = len(f.conds)
		}
		if got != tc.conds {
			t.Errorf("%s: %d conditions, want %d", tc.rule, got, tc.conds)
		}
	}
}

// prunedRecords are records whose filter columns take every form a
// value can: missing, null, a number, an object, an escape, a key in
// another case and repeated, non-ASCII and invalid UTF-8, a time equal to
// a bound; a pruned record with a mismatched value and a repeated key
// is counted as a stored one is.
var prunedRecords = []string{
	`{"eventID":"e1","eventTime":"2024-02-01T00:00:00Z","eventName":"GetObject","errorCode":"AccessDenied","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/s"},"requestParameters":{"bucketName":"b"}}`,
	`{"eventID":"e2","eventTime":"2024-01-15T00:00:00Z","eventName":"GetObject","errorCode":"AccessDenied"}`,
	`{"eventID":"e3","eventTime":"2024-02-01T00:00:00Z","eventName":"PutObject"}`,
	`{"eventID":"e4","eventTime":"2024-02-01T00:00:00Z","eventName":"PutObject","errorCode":null}`,
	`{"eventID":"e5","eventTime":"2024-02-01T00:00:00Z","eventName":"ListBuckets","ErrorCode":"AccessDenied","errorcode":"Other"}`,
	`{"eventID":"e6","eventTime":"2024-02-01T00:00:00Z","eventName":"ListBuckets","errorCode":"Access\u0044enied"}`,
	`{"eventID":"e7","eventTime":"2024-02-01T00:00:00Z","eventName":"x","errorCode":123}`,
	`{"eventID":"e8","eventTime":"2024-02-01T00:00:00Z","eventName":"y","errorCode":{"a":"AccessDenied"}}`,
	`{"eventID":"e9","eventTime":"2024-02-01T00:00:00Z","eventName":"\u00e9t\u00e9","errorCode":"Client.UnauthorizedOperation"}`,
	"{\"eventID\":\"e10\",\"eventTime\":\"2024-02-01T00:00:00Z\",\"eventName\":\"z\xff\",\"errorCode\":\"AccessDenied\"}",
	`{"eventID":"e11","eventTime":"2024-02-02T00:00:00Z","eventName":"Z","errorCode":"Other","userIdentity":"not an object","eventSource":"a","EventSource":"b"}`,
	`{"eventID":"e12","eventTime":"2023-12-31T23:59:59Z","eventName":"zz","errorCode":"AccessDenied"}`,
	`{"eventID":"e13","eventTime":"2024-02-01T00:00:00Z","eventName":"é","errorCode":"AccessDenied"}`,
}

// A load that leaves out the records a query's filter rejects gives that
// query the rows and values of a full load, with the same counts.
func TestPrunedLoadSameAnswers(t *testing.T) {
	fixture := filepath.Join(t.TempDir(), "records.jsonl")
	var text []byte
	for _, r := range prunedRecords {
		text = append(append(text, r...), '\n')
	}
	if err := os.WriteFile(fixture, text, 0o600); err != nil {
		t.Fatal(err)
	}
	full, fullStats := loadFile(t, fixture)
	queries := []string{
		guideQuery,
		"SELECT count(*) FROM cloudtrail_logs WHERE errorcode = 'AccessDenied'",
		"SELECT eventid FROM cloudtrail_logs WHERE errorcode IN ('AccessDenied', '123', 'Client.UnauthorizedOperation') ORDER BY 1",
		"SELECT eventid, errorcode FROM cloudtrail_logs WHERE errorcode <> 'AccessDenied' ORDER BY 1",
		"SELECT eventid, eventname FROM cloudtrail_logs WHERE eventname >= 'z' ORDER BY 1",
		"SELECT eventid FROM cloudtrail_logs WHERE 'z' < eventname ORDER BY 1",
		"SELECT eventid FROM cloudtrail_logs WHERE eventname <= 'Z' AND eventname < 'zz' ORDER BY 1",
		"SELECT eventid, errorcode FROM cloudtrail_logs WHERE errorcode IS NOT NULL ORDER BY 1",
		"SELECT t.eventid FROM cloudtrail_logs t WHERE t.eventtime >= '2024-01-15T00:00:00Z' AND t.errorcode = 'AccessDenied' ORDER BY 1",
		"SELECT eventid, count(*) OVER () AS n FROM cloudtrail_logs WHERE errorcode = 'AccessDenied' ORDER BY 1 LIMIT 2",
		"SELECT errorcode, count(*) FROM cloudtrail_logs WHERE eventtime < '2024-02-02' GROUP BY 1 HAVING count(*) > 0 ORDER BY 1",
		"SELECT eventid, errorcode FROM cloudtrail_logs WHERE errorcode = '{\"a\":\"AccessDenied\"}' ORDER BY 1",
		"SELECT eventid FROM cloudtrail_logs WHERE errorcode = 'AccessDenied' OR eventname = 'x' ORDER BY 1",
		"SELECT eventid, eventsource, useridentity FROM cloudtrail_logs WHERE eventsource = 'a' ORDER BY 1",
	}
	pruned := 0
	for _, q := range queries {
		cols, all := ColumnsOf(q)
		if all {
			t.Fatalf("%s: want a projection", q)
		}
		rows := full.RowFilterOf(context.Background(), q)
		part, partStats := loadFileWith(t, fixture, LoaderOptions{TempDir: t.TempDir(), Columns: cols, Rows: rows})
		pruned += int(partStats.Pruned)
		if partStats.Records != fullStats.Records || partStats.Inserted+partStats.Pruned != fullStats.Inserted ||
			partStats.Rejected != fullStats.Rejected || partStats.InvalidUTF8 != fullStats.InvalidUTF8 {
			t.Errorf("%s: stats %+v, full load %+v", q, partStats, fullStats)
		}
		if got, want := jsonText(t, queryAll(t, part, q)), jsonText(t, queryAll(t, full, q)); got != want {
			t.Errorf("%s:\npruned %s\nfull   %s", q, got, want)
		}
	}
	if pruned == 0 {
		t.Error("no record was pruned")
	}
	// The pruned record e11 still counts its mismatch and repeated key
	// when the columns holding them are loaded.
	_, st := loadFileWith(t, fixture, LoaderOptions{TempDir: t.TempDir(), Rows: full.RowFilterOf(context.Background(),
		"SELECT * FROM cloudtrail_logs WHERE errorcode = 'AccessDenied'")})
	if st.Pruned == 0 || st.Mismatched != fullStats.Mismatched || st.DuplicateKeys != fullStats.DuplicateKeys || fullStats.Mismatched == 0 {
		t.Errorf("pruned load %+v, full load %+v", st, fullStats)
	}
}
