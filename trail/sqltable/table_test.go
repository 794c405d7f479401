package sqltable

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// guideQuery is the query of the contract (shared/spec/trail-table.md),
// from a guide users follow; it must run verbatim.
const guideQuery = `SELECT eventtime, eventsource, eventname, useridentity, requestparameters, errorcode, errormessage
FROM cloudtrail_logs
WHERE errorcode = 'AccessDenied'
  AND eventtime > '2024-01-15T00:00:00Z'
ORDER BY eventtime DESC
LIMIT 50;`

// loadFile loads a JSON lines file of records into a new in-memory table.
func loadFile(t testing.TB, path string) (*DB, LoadStats) {
	t.Helper()
	return loadFileColumns(t, path, nil)
}

// loadFileColumns is loadFile loading only the given columns (nil: all).
func loadFileColumns(t testing.TB, path string, cols []string) (*DB, LoadStats) {
	t.Helper()
	return loadFileWith(t, path, LoaderOptions{TempDir: t.TempDir(), Columns: cols})
}

// loadFileWith is loadFile with the Loader's options.
func loadFileWith(t testing.TB, path string, opts LoaderOptions) (*DB, LoadStats) {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	l, err := db.NewLoader(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if err := l.Add(sc.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	st, err := l.Close()
	if err != nil {
		t.Fatal(err)
	}
	return db, st
}

// queryAll runs q and returns its rows as Plain values.
func queryAll(t testing.TB, db *DB, q string) [][]any {
	t.Helper()
	rows, err := db.Query(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		out = append(out, append([]any(nil), rows.Values()...))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func jsonText(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSchemaMatchesContract checks the column names and types against the
// Athena DDL of the contract, written out here in DuckDB's spelling.
func TestSchemaMatchesContract(t *testing.T) {
	db, err := Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := []string{
		"eventversion VARCHAR",
		`useridentity STRUCT("type" VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, invokedby VARCHAR, accesskeyid VARCHAR, username VARCHAR, onbehalfof STRUCT(userid VARCHAR, identitystorearn VARCHAR), sessioncontext STRUCT(attributes STRUCT(mfaauthenticated VARCHAR, creationdate VARCHAR), sessionissuer STRUCT("type" VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, username VARCHAR), ec2roledelivery VARCHAR, webidfederationdata STRUCT(federatedprovider VARCHAR, attributes MAP(VARCHAR, VARCHAR))))`,
		"eventtime VARCHAR", "eventsource VARCHAR", "eventname VARCHAR", "awsregion VARCHAR",
		"sourceipaddress VARCHAR", "useragent VARCHAR", "errorcode VARCHAR", "errormessage VARCHAR",
		"requestparameters VARCHAR", "responseelements VARCHAR", "additionaleventdata VARCHAR",
		"requestid VARCHAR", "eventid VARCHAR", "readonly VARCHAR",
		`resources STRUCT(arn VARCHAR, accountid VARCHAR, "type" VARCHAR)[]`,
		"eventtype VARCHAR", "apiversion VARCHAR", "recipientaccountid VARCHAR", "serviceeventdetails VARCHAR",
		"sharedeventid VARCHAR", "vpcendpointid VARCHAR", "vpcendpointaccountid VARCHAR", "eventcategory VARCHAR",
		"addendum STRUCT(reason VARCHAR, updatedfields VARCHAR, originalrequestid VARCHAR, originaleventid VARCHAR)",
		"sessioncredentialfromconsole VARCHAR", "edgedevicedetails VARCHAR",
		"tlsdetails STRUCT(tlsversion VARCHAR, ciphersuite VARCHAR, clientprovidedhostheader VARCHAR)",
	}
	rows := queryAll(t, db, "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'cloudtrail_logs' ORDER BY ordinal_position")
	var got []string
	for _, r := range rows {
		got = append(got, r[0].(string)+" "+r[1].(string))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("columns:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLoadedValues(t *testing.T) {
	db, st := loadFile(t, "testdata/records.jsonl")
	if st.Records != 3 || st.Inserted != 3 || st.Mismatched != 2 || st.Rejected != 0 {
		t.Errorf("stats %+v", st)
	}
	tests := []struct {
		rule string
		sql  string
		want string // JSON of the rows
	}{
		{"struct fields are reached with dots",
			"SELECT useridentity.sessioncontext.sessionissuer.username, useridentity.sessioncontext.attributes.mfaauthenticated FROM cloudtrail_logs WHERE eventname = 'GetObject'",
			`[["dev","false"]]`},
		{"keys in any case fill the columns",
			"SELECT eventversion, useridentity.type, useridentity.username, eventsource, sessioncredentialfromconsole, vpcendpointaccountid FROM cloudtrail_logs WHERE eventname = 'CreateUser'",
			`[["1.09","IAMUser","bob","iam.amazonaws.com","true","111122223333"]]`},
		{"free-form objects are JSON text",
			"SELECT requestparameters, additionaleventdata, responseelements FROM cloudtrail_logs WHERE eventname = 'GetObject'",
			`[["{\"bucketName\":\"example-bucket\",\"Host\":\"example-bucket.s3.eu-west-1.amazonaws.com\",\"key\":\"key.txt\"}","{\"SignatureVersion\":\"SigV4\",\"bytesTransferredIn\":0}",null]]`},
		{"booleans, numbers and arrays in string columns become their JSON text",
			"SELECT readonly, apiversion, serviceeventdetails, edgedevicedetails FROM cloudtrail_logs WHERE eventname = 'CreateUser'",
			`[["false","20100508","[1,2]","{\"deviceId\":\"d-1\"}"]]`},
		{"a JSON boolean in readonly reads as 'true'",
			"SELECT readonly FROM cloudtrail_logs WHERE eventname = 'GetObject'",
			`[["true"]]`},
		{"resources is a 1-based array of structs",
			"SELECT resources[1].type, resources[2].arn, resources[2].accountid, len(resources) FROM cloudtrail_logs WHERE eventname = 'GetObject'",
			`[["AWS::S3::Object","arn:aws:s3:::example-bucket","111122223333",2]]`},
		{"a mistyped struct or array is NULL, the rest of the record stays",
			"SELECT resources IS NULL, tlsdetails IS NULL, sharedeventid FROM cloudtrail_logs WHERE eventname = 'AssumeRoleWithWebIdentity'",
			`[[true,true,"s-1"]]`},
		{"map keys keep their case",
			"SELECT useridentity.sessioncontext.webidfederationdata.attributes['Accounts.Google.Com:Sub'], useridentity.onbehalfof.userid, useridentity.sessioncontext.ec2roledelivery FROM cloudtrail_logs WHERE eventname = 'AssumeRoleWithWebIdentity'",
			`[["12345","u-1","2.0"]]`},
		{"addendum fields",
			"SELECT addendum.reason, addendum.updatedfields FROM cloudtrail_logs WHERE eventname = 'CreateUser'",
			`[["DELIVERY_DELAY",null]]`},
		{"eventtime stays an ISO 8601 string compared as text",
			"SELECT count(*) FROM cloudtrail_logs WHERE eventtime > '2024-01-15T00:00:00Z'",
			`[[2]]`},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			got := jsonText(t, queryAll(t, db, tt.sql))
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestGuideQueryOnFixture(t *testing.T) {
	db, _ := loadFile(t, "testdata/records.jsonl")
	rows, err := db.Query(context.Background(), guideQuery)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for _, c := range rows.Columns() {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, ","); got != "eventtime,eventsource,eventname,useridentity,requestparameters,errorcode,errormessage" {
		t.Errorf("columns %s", got)
	}
	var got []string
	for rows.Next() {
		v := rows.Values()
		ui := v[3].(map[string]any)
		got = append(got, v[2].(string)+" "+ui["arn"].(string))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// CreateUser is denied too but on 2024-01-14, before the cut-off.
	if want := "GetObject arn:aws:sts::111122223333:assumed-role/dev/alice"; strings.Join(got, "|") != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestAthenaFunctions(t *testing.T) {
	db, _ := loadFile(t, "testdata/records.jsonl")
	tests := []struct {
		rule string
		expr string
		want string
	}{
		{"json_extract_scalar returns a scalar as text", `json_extract_scalar(requestparameters, '$.bucketName')`, `"example-bucket"`},
		{"json_extract_scalar returns numbers as text", `json_extract_scalar(additionaleventdata, '$.bytesTransferredIn')`, `"0"`},
		{"json_extract_scalar is NULL for an object", `json_extract_scalar(useridentity_json, '$.sessioncontext')`, `null`},
		{"json_extract_scalar is NULL for a missing path", `json_extract_scalar(requestparameters, '$.nope')`, `null`},
		{"json_extract_scalar is NULL for a JSON null", `json_extract_scalar('{"a":null}', '$.a')`, `null`},
		{"json_extract_scalar is NULL for text that is not JSON", `json_extract_scalar('nope', '$.a')`, `null`},
		{"json_extract_scalar takes the bracket path form", `json_extract_scalar(requestparameters, '$["Host"]')`, `"example-bucket.s3.eu-west-1.amazonaws.com"`},
		{"json_extract returns JSON", `CAST(json_extract('{"a":{"b":[1,2]}}', '$.a.b') AS VARCHAR)`, `"[1,2]"`},
		{"json_extract is NULL for text that is not JSON", `json_extract('nope', '$.a')`, `null`},
		{"json_size counts array elements", `json_size('{"a":[1,2,3]}', '$.a')`, `3`},
		{"json_size counts object keys", `json_size(requestparameters, '$')`, `3`},
		{"json_array_contains", `json_array_contains('[1,2]', 2)`, `true`},
		{"cardinality of an array", `cardinality(resources)`, `2`},
		{"cardinality of a map", `cardinality(MAP {'a': 1, 'b': 2})`, `2`},
		{"from_iso8601_timestamp parses eventtime", `CAST(from_iso8601_timestamp(eventtime) AS VARCHAR)`, `"2024-01-16 09:30:00+00"`},
		{"to_iso8601 writes UTC", `to_iso8601(from_iso8601_timestamp(eventtime))`, `"2024-01-16T09:30:00.000Z"`},
		{"date_parse takes MySQL-style formats", `CAST(date_parse(eventtime, '%Y-%m-%dT%H:%i:%sZ') AS VARCHAR)`, `"2024-01-16 09:30:00"`},
		{"date_parse reads fractions, month names and 12-hour clocks", `CAST(date_parse('16 Jan 2024 09:30:05.25 PM', '%d %b %Y %h:%i:%s.%f %p') AS VARCHAR)`, `"2024-01-16 21:30:05.25"`},
		{"date_format takes MySQL-style formats", `date_format(TIMESTAMP '2024-01-16 09:30:05', '%Y/%m/%d %T')`, `"2024/01/16 09:30:05"`},
		{"from_unixtime", `CAST(from_unixtime(0) AT TIME ZONE 'UTC' AS VARCHAR)`, `"1970-01-01 00:00:00"`},
		{"regexp_like", `regexp_like(eventsource, '^s3\.')`, `true`},
		{"array_join", `array_join(['a', 'b'], ',')`, `"a,b"`},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			q := "SELECT " + tt.expr + " FROM (SELECT *, to_json(useridentity) AS useridentity_json FROM cloudtrail_logs) WHERE eventname = 'GetObject'"
			got := jsonText(t, queryAll(t, db, q)[0][0])
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestSavedTables(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "trail.duckdb")
	load := func() LoadStats {
		db, err := Open(ctx, dbPath)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		l, err := db.NewLoader(ctx, LoaderOptions{TempDir: dir, BatchBytes: 1000})
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile("testdata/records.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			if err := l.Add([]byte(line)); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Add([]byte(`not json`)); err == nil {
			t.Fatal("invalid record accepted")
		}
		st, err := l.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := db.ExportParquet(ctx, filepath.Join(dir, "trail.parquet")); err != nil {
			t.Fatal(err)
		}
		return st
	}
	first := load()
	if first.Inserted != 3 || first.Existing != 0 || first.Rejected != 1 || first.Batches < 2 {
		t.Errorf("first ingest %+v", first)
	}
	// Ingesting the same records again inserts nothing: rule "rows whose
	// eventid is already in the table are not inserted again".
	second := load()
	if second.Inserted != 0 || second.Existing != 3 {
		t.Errorf("second ingest %+v", second)
	}
	for _, p := range []string{dbPath, filepath.Join(dir, "trail.parquet")} {
		db, err := OpenSaved(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		got := jsonText(t, queryAll(t, db, "SELECT count(*), count(DISTINCT eventid), max(json_extract_scalar(requestparameters, '$.bucketName')) FROM cloudtrail_logs"))
		if got != `[[3,3,"example-bucket"]]` {
			t.Errorf("%s: %s", p, got)
		}
		rows := queryAll(t, db, guideQuery)
		if len(rows) != 1 {
			t.Errorf("%s: guide query gave %d rows", p, len(rows))
		}
		db.Close()
	}
	// A file that is neither is refused with its name.
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("ab"), 0o644)
	if _, err := OpenSaved(ctx, bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("OpenSaved(bad) = %v", err)
	}
	var re *RecordError
	db, _ := loadFile(t, "testdata/records.jsonl")
	l, _ := db.NewLoader(ctx, LoaderOptions{TempDir: t.TempDir()})
	if err := l.Add([]byte(`[1]`)); !errors.As(err, &re) {
		t.Errorf("Add([1]) = %v, want RecordError", err)
	}
	l.Close()
}
