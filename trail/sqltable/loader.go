package sqltable

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"sync"
)

// LoadStats counts what a Loader did. Nothing is dropped without being
// counted here.
type LoadStats struct {
	Records  int64 // records accepted by Add
	Rejected int64 // records Add refused (RecordError)
	Inserted int64 // rows inserted into the table
	Existing int64 // rows not inserted because their eventid was already in the table
	// Pruned counts records not stored because LoaderOptions.Rows shows
	// that the query cannot see them; they were checked and counted as
	// the others.
	Pruned  int64
	Bytes   int64 // bytes of normalised JSON handed to DuckDB
	Batches int   // read_json batches inserted
	// Mismatched counts values of the wrong JSON type in a struct, array
	// or map position (for example a string where useridentity's object
	// belongs); the value became NULL, the rest of the record was kept.
	Mismatched int64
	// DuplicateKeys counts keys that named a column already set in the
	// same object (keys are matched ignoring case); the first was kept.
	DuplicateKeys int64
	// InvalidUTF8 counts strings whose invalid UTF-8 was replaced by U+FFFD.
	InvalidUTF8 int64
}

// LoaderOptions tunes a Loader.
type LoaderOptions struct {
	// BatchBytes is how much normalised JSON is staged before DuckDB
	// inserts it; 0 means 64 MiB. One batch is inserted while the next is
	// written.
	BatchBytes int64
	// InsertThreads is DuckDB's thread count while the Loader is open
	// (DuckDB's threads setting is for the whole database: it is restored
	// by Close); 0 means 1, negative leaves DuckDB's setting alone. One
	// thread inserting while Go normalises on the others was measured the
	// fastest: into a database file, DuckDB's parallel insert of a staged
	// batch took about 1.5 times the CPU time of a single thread for
	// hardly less wall time, CPU the normaliser then lacks.
	InsertThreads int
	// TempDir holds the staging files; "" means the DB's private
	// temporary directory (DB.TempDir).
	TempDir string
	// Columns, when not empty, are the only columns loaded (ColumnsOf of
	// the one query to run); the others are left NULL and their values
	// are skipped unread, so loading costs what the query reads. Records
	// are still all read, checked and counted.
	Columns []string
	// Rows, when set (DB.RowFilterOf of the one query to run), leaves out
	// of the table the records it rejects, which that query cannot see;
	// they are still read, checked and counted (LoadStats.Pruned). It is
	// ignored when it reads a column Columns does not load.
	Rows *RowFilter
}

// Loader inserts CloudTrail records into cloudtrail_logs. Records are
// normalised (see Add) by the callers' goroutines, staged as JSON lines in
// temporary files and inserted, batch after batch while the next is
// staged, by DuckDB's read_json with the table's explicit schema, all in
// one transaction committed by Close. (DuckDB's Appender fed with rows decoded in Go
// was measured as well and took about a quarter more CPU time per MB on
// the generated benchmark set, the nested STRUCT values costing a map per
// struct per row.)
//
// When the table already held rows, records whose eventid is already
// there are not inserted again (counted in Existing), so ingesting the
// same logs twice does not double them.
type Loader struct {
	db   *DB
	ctx  context.Context
	opts LoaderOptions
	conn *sql.Conn
	tx   *sql.Tx // every batch is inserted in one transaction
	// threads is DuckDB's thread setting before the load, restored by
	// Close; 0 when it was not changed.
	threads int64

	mu      sync.Mutex
	stats   LoadStats
	file    *os.File
	w       *bufio.Writer
	size    int64
	lines   int64
	maxLine int
	dedupe  bool
	flush   chan batchResult // result of the batch being inserted, if any
	keep    uint64           // columns loaded (normalizer.keep)
	err     error
	pool    sync.Pool
}

// NewLoader starts loading into d's table. Call Close to insert the last
// batch and get the statistics.
func (d *DB) NewLoader(ctx context.Context, opts LoaderOptions) (*Loader, error) {
	if d.readOnly {
		return nil, fmt.Errorf("the database is open read-only")
	}
	if d.Locked() {
		return nil, fmt.Errorf("the database is locked down: load before the first query")
	}
	if opts.TempDir == "" {
		// Staging files hold CloudTrail data: in the DB's private
		// directory, removed by Close even after an interruption.
		opts.TempDir = d.tempDir
	}
	if opts.BatchBytes <= 0 {
		opts.BatchBytes = 64 << 20
	}
	if opts.InsertThreads == 0 {
		opts.InsertThreads = 1
	}
	n, err := d.Count(ctx)
	if err != nil {
		return nil, err
	}
	// One transaction for the whole load: committing each batch into a
	// database file made DuckDB write (and checkpoint) every batch
	// separately, which on the 2 GB benchmark set cost more CPU than
	// everything else (256 MiB batches: 41 CPU-s in all, 64 MiB: 100).
	conn, err := d.sql.Conn(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		return nil, err
	}
	l := &Loader{db: d, ctx: ctx, opts: opts, conn: conn, tx: tx, dedupe: n > 0}
	if opts.InsertThreads > 0 {
		if err := conn.QueryRowContext(ctx, "SELECT current_setting('threads')").Scan(&l.threads); err != nil {
			tx.Rollback()
			conn.Close()
			return nil, err
		}
		if _, err := conn.ExecContext(ctx, "SET threads = "+strconv.Itoa(opts.InsertThreads)); err != nil {
			tx.Rollback()
			conn.Close()
			return nil, err
		}
	}
	keep, err := columnMask(opts.Columns)
	if err != nil {
		tx.Rollback()
		conn.Close()
		return nil, err
	}
	l.keep = keep
	rows := opts.Rows
	if rows != nil && keep != 0 && rows.cols&^keep != 0 {
		rows = nil
	}
	l.pool.New = func() any { return &normalizer{keep: keep, filter: rows} }
	return l, nil
}

// Add normalises one record (a JSON object, as CloudTrail writes it) and
// stages it. rec is not retained. A record that is not a JSON object, or
// is malformed, is refused with a *RecordError and counted in Rejected;
// loading continues. Any other error is from staging or DuckDB and ends
// the load. Add is safe for concurrent use; normalisation runs in the
// caller's goroutine.
func (l *Loader) Add(rec []byte) error {
	_, err := l.add(rec, nil)
	return err
}

// AddNoting is Add, also returning a description of each value of rec
// that was set to NULL because its JSON type does not fit its column
// (counted in LoadStats.Mismatched), so that the caller can report it with
// the record's place. The record is staged all the same.
func (l *Loader) AddNoting(rec []byte) (mismatches []string, err error) {
	return l.add(rec, &mismatches)
}

func (l *Loader) add(rec []byte, notes *[]string) ([]string, error) {
	n := l.pool.Get().(*normalizer)
	n.notes = notes
	out, err := n.normalize(n.out[:0], rec)
	n.notes = nil
	var noted []string
	if notes != nil {
		noted = *notes
	}
	if err != nil {
		n.out = out
		n.mismatched, n.duplicates, n.replaced = 0, 0, 0
		l.pool.Put(n)
		l.mu.Lock()
		l.stats.Rejected++
		l.mu.Unlock()
		return nil, err
	}
	out = append(out, '\n')
	n.out = out

	l.mu.Lock()
	defer func() {
		l.mu.Unlock()
		l.pool.Put(n)
	}()
	l.stats.Mismatched += int64(n.mismatched)
	l.stats.DuplicateKeys += int64(n.duplicates)
	l.stats.InvalidUTF8 += int64(n.replaced)
	n.mismatched, n.duplicates, n.replaced = 0, 0, 0
	if l.err != nil {
		return noted, l.err
	}
	if n.pruned {
		l.stats.Records++
		l.stats.Pruned++
		return noted, nil
	}
	if l.file == nil {
		if l.err = l.newBatch(); l.err != nil {
			return noted, l.err
		}
	}
	if _, err := l.w.Write(out); err != nil {
		l.err = fmt.Errorf("stage records: %w", err)
		return noted, l.err
	}
	l.stats.Records++
	l.lines++
	l.size += int64(len(out))
	l.maxLine = max(l.maxLine, len(out))
	if l.size >= l.opts.BatchBytes {
		l.err = l.startFlush()
	}
	return noted, l.err
}

func (l *Loader) newBatch() error {
	f, err := os.CreateTemp(l.opts.TempDir, "iamwhy-trail-*.jsonl")
	if err != nil {
		return fmt.Errorf("stage records: %w", err)
	}
	l.file = f
	if l.w == nil {
		l.w = bufio.NewWriterSize(f, 1<<20)
	} else {
		l.w.Reset(f)
	}
	l.size, l.lines, l.maxLine = 0, 0, 0
	return nil
}

// startFlush hands the current batch to DuckDB in the background, after
// waiting for the previous one; the mutex is held.
func (l *Loader) startFlush() error {
	if err := l.w.Flush(); err != nil {
		return fmt.Errorf("stage records: %w", err)
	}
	if err := l.waitFlush(); err != nil {
		return err
	}
	f, size, lines, maxLine := l.file, l.size, l.lines, l.maxLine
	l.file = nil
	done := make(chan batchResult, 1)
	l.flush = done
	go func() {
		n, err := l.insert(f, maxLine)
		done <- batchResult{inserted: n, lines: lines, size: size, err: err}
	}()
	return nil
}

// batchResult is what inserting one staged batch did.
type batchResult struct {
	inserted, lines, size int64
	err                   error
}

// waitFlush waits for the batch being inserted and counts it; the mutex
// is held.
func (l *Loader) waitFlush() error {
	if l.flush == nil {
		return nil
	}
	r := <-l.flush
	l.flush = nil
	if r.err != nil {
		return r.err
	}
	l.stats.Inserted += r.inserted
	l.stats.Existing += r.lines - r.inserted
	l.stats.Bytes += r.size
	l.stats.Batches++
	return nil
}

// insert loads one staged batch with read_json, removes the file and
// returns the number of rows inserted.
func (l *Loader) insert(f *os.File, maxLine int) (int64, error) {
	name := f.Name()
	defer os.Remove(name)
	if err := f.Close(); err != nil {
		return 0, fmt.Errorf("stage records: %w", err)
	}
	// maximum_object_size must hold the longest line; DuckDB's default is
	// 16 MiB.
	maxObj := max(16<<20, maxLine+1)
	q := "INSERT INTO " + TableName + insertColumns(l.keep) + " SELECT * FROM read_json(" + quoteString(name) +
		", format = 'newline_delimited', records = true, maximum_object_size = " + strconv.Itoa(maxObj) +
		", columns = " + readJSONColumnsOf(l.keep) + ")"
	if l.dedupe {
		q += " AS r WHERE r.eventid IS NULL OR r.eventid NOT IN (SELECT eventid FROM " + TableName + " WHERE eventid IS NOT NULL)"
	}
	res, err := l.tx.ExecContext(l.ctx, q)
	if err != nil {
		return 0, fmt.Errorf("insert records: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("insert records: %w", err)
	}
	return n, nil
}

// restoreThreads sets DuckDB's threads back to what they were before the
// load; the mutex is held and no batch is being inserted.
func (l *Loader) restoreThreads() error {
	if l.threads == 0 || l.conn == nil {
		return nil
	}
	q := "SET threads = " + strconv.FormatInt(l.threads, 10)
	l.threads = 0
	if _, err := l.conn.ExecContext(context.WithoutCancel(l.ctx), q); err != nil {
		return fmt.Errorf("restore DuckDB threads: %w", err)
	}
	return nil
}

// Close inserts what is staged, waits for DuckDB, commits and returns the
// counts. The load is one transaction: after an error (from staging or
// DuckDB, not a refused record) staged files are removed and nothing of
// this load is kept in the table.
func (l *Loader) Close() (LoadStats, error) {
	l.mu.Lock()
	err := l.err
	if ferr := l.waitFlush(); err == nil {
		err = ferr
	}
	// Normalising is over: the last batch and the commit get DuckDB's
	// threads back.
	if rerr := l.restoreThreads(); err == nil {
		err = rerr
	}
	if err == nil && l.file != nil {
		err = l.startFlush()
	}
	if ferr := l.waitFlush(); err == nil {
		err = ferr
	}
	if l.file != nil {
		l.file.Close()
		os.Remove(l.file.Name())
		l.file = nil
	}
	if l.tx != nil {
		if err == nil {
			if cerr := l.tx.Commit(); cerr != nil {
				err = fmt.Errorf("insert records: %w", cerr)
			}
		} else {
			l.tx.Rollback()
		}
		l.conn.Close()
		l.tx = nil
	}
	if err != nil {
		// Nothing was kept.
		l.stats.Inserted, l.stats.Existing, l.stats.Pruned = 0, 0, 0
	}
	l.err = fmt.Errorf("loader closed")
	stats := l.stats
	l.mu.Unlock()
	return stats, err
}
