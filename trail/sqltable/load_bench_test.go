package sqltable

import (
	"context"
	"fmt"
	"github.com/iamwhy/iamwhy/trail/sqltable/schema"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/iamwhy/iamwhy/trail"
	"github.com/iamwhy/iamwhy/trail/internal/gen"
)

// The ingest benchmarks run over a generated S3 tree of .json.gz files:
// about 24 MB uncompressed by default; IAMWHY_BENCH_BYTES sets another
// size, and IAMWHY_BENCH_DIR reuses a tree made by
// `go run ./trail/internal/gen/gentrail` (its uncompressed size must then
// be given in IAMWHY_BENCH_BYTES for MB/s to mean anything);
// IAMWHY_STAGE_DIR puts the Loader's staging files elsewhere than the
// system temporary directory (for example on /dev/shm).
//
// The machine is often shared: MB/cpu-s (CPU time of every thread of the
// process, DuckDB's included) moves much less than MB/s between runs.
var (
	benchOnce  sync.Once
	benchDir   string
	benchBytes int64
	benchErr   error
	ownDir     bool // benchDir was generated here and is removed at exit
)

func TestMain(m *testing.M) {
	code := m.Run()
	if ownDir {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func benchSet(b *testing.B) (string, int64) {
	b.Helper()
	benchOnce.Do(func() {
		benchBytes = 24 << 20
		if s := os.Getenv("IAMWHY_BENCH_BYTES"); s != "" {
			benchBytes, benchErr = strconv.ParseInt(s, 10, 64)
		}
		if d := os.Getenv("IAMWHY_BENCH_DIR"); d != "" {
			benchDir = d
			return
		}
		benchDir, benchErr = os.MkdirTemp("", "sqltable-bench-")
		if benchErr == nil {
			var res gen.Result
			res, benchErr = gen.Generate(gen.Options{Dir: benchDir, Bytes: benchBytes, Seed: 7})
			benchBytes = res.Bytes
			ownDir = true
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDir, benchBytes
}

// BenchmarkIngest is `trail ingest` into an in-memory table: trail.Read
// (gunzip, scan, decode, deduplicate) feeding a Loader.
func BenchmarkIngest(b *testing.B) {
	dir, size := benchSet(b)
	benchDB(b, size, func(ctx context.Context, db *DB) error {
		l, err := db.NewLoader(ctx, LoaderOptions{TempDir: os.Getenv("IAMWHY_STAGE_DIR")})
		if err != nil {
			return err
		}
		st, err := trail.Read(ctx, []string{dir}, trail.Options{RawOnly: true}, func(r *trail.Record) error { return l.Add(r.Raw) })
		if err != nil {
			return err
		}
		ls, err := l.Close()
		if err == nil && (ls.Inserted != st.Delivered() || ls.Inserted == 0) {
			err = fmt.Errorf("inserted %d of %d", ls.Inserted, st.Delivered())
		}
		return err
	})
}

// BenchmarkReadJSON is DuckDB's own read_json over the same files into the
// same table: the explicit variant is given the table's schema spelled
// with CloudTrail's key names (read_json matches keys case-sensitively),
// the auto variant detects the schema itself. Both unnest Records.
func BenchmarkReadJSON(b *testing.B) {
	dir, size := benchSet(b)
	glob := quoteString(filepath.Join(dir, "**", "*.json.gz"))
	records := "STRUCT(" + awsFields(schema.Columns) + ")[]"
	for _, bc := range []struct{ name, sql string }{
		{"explicit", "INSERT INTO " + TableName + " SELECT " + castToTable("r") +
			" FROM (SELECT unnest(Records) AS r FROM read_json(" + glob +
			", format = 'auto', maximum_object_size = 1073741824, columns = {Records: " + quoteString(records) + "}))"},
		{"auto", "CREATE TABLE auto_t AS SELECT unnest(Records, recursive := true) FROM read_json(" + glob +
			", maximum_object_size = 1073741824)"},
	} {
		b.Run(bc.name, func(b *testing.B) { benchStatement(b, size, bc.sql) })
	}
}

// awsNames are CloudTrail's spellings of the column names where they are
// not simply the lower-case name.
var awsNames = map[string]string{
	"eventversion": "eventVersion", "useridentity": "userIdentity", "principalid": "principalId",
	"accountid": "accountId", "invokedby": "invokedBy", "accesskeyid": "accessKeyId", "username": "userName",
	"onbehalfof": "onBehalfOf", "userid": "userId", "identitystorearn": "identityStoreArn",
	"sessioncontext": "sessionContext", "mfaauthenticated": "mfaAuthenticated", "creationdate": "creationDate",
	"sessionissuer": "sessionIssuer", "ec2roledelivery": "ec2RoleDelivery", "webidfederationdata": "webIdFederationData",
	"federatedprovider": "federatedProvider", "eventtime": "eventTime", "eventsource": "eventSource",
	"eventname": "eventName", "awsregion": "awsRegion", "sourceipaddress": "sourceIPAddress", "useragent": "userAgent",
	"errorcode": "errorCode", "errormessage": "errorMessage", "requestparameters": "requestParameters",
	"responseelements": "responseElements", "additionaleventdata": "additionalEventData", "requestid": "requestID",
	"eventid": "eventID", "readonly": "readOnly", "eventtype": "eventType", "apiversion": "apiVersion",
	"recipientaccountid": "recipientAccountId", "serviceeventdetails": "serviceEventDetails",
	"sharedeventid": "sharedEventID", "vpcendpointid": "vpcEndpointId", "vpcendpointaccountid": "vpcEndpointAccountId",
	"eventcategory": "eventCategory", "updatedfields": "updatedFields", "originalrequestid": "originalRequestID",
	"originaleventid": "originalEventID", "sessioncredentialfromconsole": "sessionCredentialFromConsole",
	"edgedevicedetails": "edgeDeviceDetails", "tlsdetails": "tlsDetails", "tlsversion": "tlsVersion",
	"ciphersuite": "cipherSuite", "clientprovidedhostheader": "clientProvidedHostHeader",
}

func awsName(n string) string {
	if a, ok := awsNames[n]; ok {
		return a
	}
	return n
}

// awsFields is the DuckDB struct body with CloudTrail's key names (and
// ARN for resources' arn).
func awsFields(fs []schema.Field) string {
	var parts []string
	for _, f := range fs {
		name := awsName(f.Name)
		if f.Name == "arn" && len(fs) == 3 && fs[2].Name == "type" {
			name = "ARN"
		}
		t := f.DuckDBType()
		switch f.Kind {
		case schema.Struct:
			t = "STRUCT(" + awsFields(f.Fields) + ")"
		case schema.StructList:
			t = "STRUCT(" + awsFields(f.Fields) + ")[]"
		}
		parts = append(parts, quoteIdent(name)+" "+t)
	}
	return strings.Join(parts, ", ")
}

// castToTable selects r's fields as the table's columns, in order.
func castToTable(r string) string {
	var parts []string
	for _, f := range schema.Columns {
		parts = append(parts, r+"."+quoteIdent(awsName(f.Name))+"::"+f.DuckDBType())
	}
	return strings.Join(parts, ", ")
}

// stagedSet normalises the benchmark set once into JSON lines, the form
// the Loader stages, for the benchmarks of the two halves of ingest.
func stagedSet(b *testing.B) (path string, lines [][]byte, size int64) {
	dir, _ := benchSet(b)
	path = filepath.Join(b.TempDir(), "staged.jsonl")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	_, err = trail.Read(context.Background(), []string{dir}, trail.Options{Serial: true}, func(r *trail.Record) error {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, append([]byte(nil), r.Raw...))
		size += int64(len(r.Raw))
		var n normalizer
		out, err := n.normalize(nil, r.Raw)
		if err != nil {
			return err
		}
		_, err = f.Write(append(out, '\n'))
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	f.Close()
	return path, lines, size
}

// BenchmarkNormalize is the Go half of loading: records to JSON lines.
// MB/s are of input records.
func BenchmarkNormalize(b *testing.B) {
	_, lines, size := stagedSet(b)
	b.SetBytes(size)
	defer reportCPU(b, size)()
	var n normalizer
	var out []byte
	for b.Loop() {
		for _, l := range lines {
			var err error
			out, err = n.normalize(out[:0], l)
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkInsertStaged is the DuckDB half: read_json of staged JSON lines
// into the table. MB/s are of input records.
func BenchmarkInsertStaged(b *testing.B) {
	path, _, size := stagedSet(b)
	benchStatement(b, size, "INSERT INTO "+TableName+" SELECT * FROM read_json("+quoteString(path)+
		", format = 'newline_delimited', records = true, columns = "+readJSONColumns()+")")
}

// benchStatement runs one statement per iteration on a new in-memory
// database with the table created.
func benchStatement(b *testing.B, size int64, sql string) {
	benchDB(b, size, func(ctx context.Context, db *DB) error {
		_, err := db.sql.ExecContext(ctx, sql)
		return err
	})
}

// benchDB runs fn once per iteration on a new in-memory database with the
// table created; size is the input size for MB/s.
func benchDB(b *testing.B, size int64, fn func(context.Context, *DB) error) {
	ctx := context.Background()
	b.SetBytes(size)
	defer reportCPU(b, size)()
	for b.Loop() {
		db, err := Open(ctx, "")
		if err != nil {
			b.Fatal(err)
		}
		if err := fn(ctx, db); err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
}

// reportCPU reports MB per CPU-second (user and system time of every
// thread, DuckDB's included), a figure that moves less than MB/s when the
// machine is shared. Call the returned function when the loop is done.
func reportCPU(b *testing.B, size int64) func() {
	start := cpuTime()
	return func() {
		if d := (cpuTime() - start).Seconds(); d > 0 {
			b.ReportMetric(float64(size)*float64(b.N)/1e6/d, "MB/cpu-s")
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkIngestVsReadJSON compares, on the same files and into a
// DuckDB database file (checkpointed on Close, as `iamwhy trail ingest
// --db` does), what `trail ingest` does (trail.Read in RawOnly mode
// feeding a Loader through AddNoting, as internal/cli does) with DuckDB's
// own read_json given the schema (spelled with CloudTrail's key names:
// read_json matches keys case-sensitively, so it cannot honour the
// contract's case-insensitive matching; it is the reference, not an
// alternative). Run with -count N to interleave the two on a shared
// machine. Over the default 24 MB set it always runs; IAMWHY_BENCH_DIR
// points it at a larger one.
func BenchmarkIngestVsReadJSON(b *testing.B) {
	dir, size := benchSet(b)
	glob := quoteString(filepath.Join(dir, "**", "*.json.gz"))
	records := "STRUCT(" + awsFields(schema.Columns) + ")[]"
	readJSON := "INSERT INTO " + TableName + " SELECT " + castToTable("r") +
		" FROM (SELECT unnest(Records) AS r FROM read_json(" + glob +
		", format = 'auto', maximum_object_size = 1073741824, columns = {Records: " + quoteString(records) + "}))"
	b.Run("ingest", func(b *testing.B) {
		benchFileDB(b, size, func(ctx context.Context, db *DB) (int64, error) {
			batch, _ := strconv.ParseInt(os.Getenv("IAMWHY_BATCH_BYTES"), 10, 64)
			l, err := db.NewLoader(ctx, LoaderOptions{TempDir: os.Getenv("IAMWHY_STAGE_DIR"), BatchBytes: batch})
			if err != nil {
				return 0, err
			}
			st, err := trail.Read(ctx, []string{dir}, trail.Options{RawOnly: true}, func(r *trail.Record) error {
				_, err := l.AddNoting(r.Raw)
				return err
			})
			if err != nil {
				l.Close()
				return 0, err
			}
			ls, err := l.Close()
			if err == nil && ls.Inserted != st.Delivered() {
				err = fmt.Errorf("inserted %d of %d", ls.Inserted, st.Delivered())
			}
			return ls.Inserted, err
		})
	})
	b.Run("read_json", func(b *testing.B) {
		benchFileDB(b, size, func(ctx context.Context, db *DB) (int64, error) {
			res, err := db.sql.ExecContext(ctx, readJSON)
			if err != nil {
				return 0, err
			}
			return res.RowsAffected()
		})
	})
}

// benchFileDB runs fn once per iteration on a new database file, closed
// (written) within the timing; fn returns the rows it inserted, checked to
// be the same for every iteration and sub-benchmark.
func benchFileDB(b *testing.B, size int64, fn func(context.Context, *DB) (int64, error)) {
	ctx := context.Background()
	b.SetBytes(size)
	defer reportCPU(b, size)()
	for b.Loop() {
		path := filepath.Join(b.TempDir(), "t.duckdb")
		db, err := Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		n, err := fn(ctx, db)
		if err != nil {
			b.Fatal(err)
		}
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			b.Fatal("no rows inserted")
		}
		benchRowsMu.Lock()
		if benchRows != 0 && benchRows != n {
			b.Errorf("%d rows inserted, another run inserted %d", n, benchRows)
		}
		benchRows = n
		benchRowsMu.Unlock()
	}
}

var (
	benchRowsMu sync.Mutex
	benchRows   int64
)

// BenchmarkQueryVsReadJSON compares `trail query` on files (trail.Read
// feeding a Loader that loads only the columns the SQL reads, then the
// SQL) with DuckDB's own read_json reading the same files and the same
// columns and running the same filter, sort and count, for the guide's
// query and for a count of denials. Run with -count N to interleave them
// on a shared machine; IAMWHY_BENCH_DIR points it at a larger set.
func BenchmarkQueryVsReadJSON(b *testing.B) {
	dir, size := benchSet(b)
	glob := quoteString(filepath.Join(dir, "**", "*.json.gz"))
	for _, q := range []struct{ name, sql, where, tail string }{
		{"guide", guideQuery, "r.errorCode = 'AccessDenied' AND r.eventTime > '2024-01-15T00:00:00Z'", " ORDER BY eventtime DESC LIMIT 50"},
		{"count", "SELECT count(*) FROM cloudtrail_logs WHERE errorcode = 'AccessDenied'", "r.errorCode = 'AccessDenied'", ""},
	} {
		cols, all := ColumnsOf(q.sql)
		if all {
			b.Fatalf("%s: no projection", q.name)
		}
		var fields []schema.Field
		var sel []string
		for _, f := range schema.Columns {
			if slices.Contains(cols, f.Name) {
				fields = append(fields, f)
				sel = append(sel, "r."+quoteIdent(awsName(f.Name))+"::"+f.DuckDBType()+" AS "+f.Name)
			}
		}
		selectList := strings.Join(sel, ", ")
		if q.name == "count" {
			selectList = "count(*)"
		}
		readJSON := "SELECT " + selectList + " FROM (SELECT unnest(Records) AS r FROM read_json(" + glob +
			", format = 'auto', maximum_object_size = 1073741824, columns = {Records: " +
			quoteString("STRUCT("+awsFields(fields)+")[]") + "})) WHERE " + q.where + q.tail
		var want int
		b.Run(q.name+"/iamwhy", func(b *testing.B) {
			benchDB(b, size, func(ctx context.Context, db *DB) error {
				threads, _ := strconv.Atoi(os.Getenv("IAMWHY_INSERT_THREADS"))
				l, err := db.NewLoader(ctx, LoaderOptions{Columns: cols, InsertThreads: threads, Rows: db.RowFilterOf(ctx, q.sql)})
				if err != nil {
					return err
				}
				if _, err := trail.Read(ctx, []string{dir}, trail.Options{RawOnly: true}, func(r *trail.Record) error {
					_, err := l.AddNoting(r.Raw)
					return err
				}); err != nil {
					l.Close()
					return err
				}
				if _, err := l.Close(); err != nil {
					return err
				}
				rows, err := db.Query(ctx, q.sql)
				if err != nil {
					return err
				}
				n := 0
				for rows.Next() {
					n++
				}
				rows.Close()
				want = n
				return rows.Err()
			})
		})
		b.Run(q.name+"/read_json", func(b *testing.B) {
			benchDB(b, size, func(ctx context.Context, db *DB) error {
				rows, err := db.sql.QueryContext(ctx, readJSON)
				if err != nil {
					return err
				}
				n := 0
				for rows.Next() {
					n++
				}
				rows.Close()
				if n != want {
					return fmt.Errorf("read_json returned %d rows, iamwhy %d", n, want)
				}
				return rows.Err()
			})
		})
	}
}
