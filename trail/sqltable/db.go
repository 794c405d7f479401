// Package sqltable holds CloudTrail records in an embedded DuckDB table,
// cloudtrail_logs, with the columns and types of the table AWS documents
// for querying CloudTrail in Athena
// (https://docs.aws.amazon.com/athena/latest/ug/cloudtrail-logs.html), so
// that SQL written for Athena runs unchanged on local files.
//
// Records go in through a Loader; queries come back as Rows of plain Go
// values. The Athena (Trino) JSON and time functions users reach for,
// json_extract_scalar above all, are provided as macros where DuckDB names
// or behaves differently.
package sqltable

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/iamwhy/iamwhy/inputfile"
)

// DB is a DuckDB database holding (or viewing) the cloudtrail_logs table.
// It is safe for concurrent use.
type DB struct {
	sql       *sql.DB
	connector *duckdb.Connector
	readOnly  bool
	tempDir   string   // private spill and staging directory (lockdown.go)
	allowed   []string // files SQL may still read after Lockdown
	lockMu    sync.Mutex
	locked    bool
}

// Open opens the DuckDB database file at path, creating it and the
// cloudtrail_logs table when missing; path "" is an in-memory database.
func Open(ctx context.Context, path string) (*DB, error) {
	// A database file is a regular file: DuckDB would block on a FIFO and
	// never finish reading a device.
	if path != "" {
		if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
			return nil, &inputfile.NotRegularError{Path: path, Mode: fi.Mode()}
		}
	}
	existed := false
	if path != "" {
		_, err := os.Stat(path)
		existed = err == nil
	}
	d, err := open(path, false)
	if err != nil {
		return nil, err
	}
	// Creating the table takes milliseconds and is not interrupted: an
	// interruption in the middle left a new database file without the
	// table, which later commands refuse. A stop asked for now is seen by
	// the load that follows, which keeps nothing of it.
	if _, err := d.sql.ExecContext(context.WithoutCancel(ctx), CreateTableSQL()); err != nil {
		d.Close()
		if !existed && path != "" {
			os.Remove(path)
			os.Remove(path + ".wal")
		}
		return nil, fmt.Errorf("create %s in %s: %w", TableName, displayPath(path), err)
	}
	return d, nil
}

// OpenSaved opens a table saved by a previous ingest for querying only:
// a DuckDB database file holding cloudtrail_logs, or a Parquet file of its
// rows (recognised by its PAR1 magic), which is queried in place through a
// view named cloudtrail_logs.
func OpenSaved(ctx context.Context, path string) (*DB, error) {
	parquet, err := isParquet(path)
	if err != nil {
		return nil, err
	}
	if parquet {
		d, err := open("", false)
		if err != nil {
			return nil, err
		}
		d.allowed = []string{path}
		q := "CREATE VIEW " + TableName + " AS SELECT * FROM read_parquet(" + quoteString(path) + ")"
		if _, err := d.sql.ExecContext(ctx, q); err != nil {
			d.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return d, nil
	}
	d, err := open(path, true)
	if err != nil {
		return nil, err
	}
	var n int
	err = d.sql.QueryRowContext(ctx,
		"SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'", TableName).Scan(&n)
	if err == nil && n == 0 {
		err = fmt.Errorf("no %s table in it (make it with iamwhy trail ingest)", TableName)
	}
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

func isParquet(path string) (bool, error) {
	// A saved table is a regular file (of any size): opening a FIFO would
	// block, a device never end.
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return false, &inputfile.NotRegularError{Path: path, Mode: fi.Mode()}
	}
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	magic := make([]byte, 4)
	if _, err := io.ReadFull(f, magic); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return false, fmt.Errorf("%s: too short to be a DuckDB or Parquet file", path)
		}
		return false, err
	}
	return bytes.Equal(magic, []byte("PAR1")), nil
}

func open(path string, readOnly bool) (*DB, error) {
	dsn := path
	if readOnly {
		dsn += "?access_mode=read_only"
	}
	c, err := duckdb.NewConnector(dsn, func(ex driver.ExecerContext) error {
		for _, q := range trinoFunctions {
			if _, err := ex.ExecContext(context.Background(), q, nil); err != nil {
				return fmt.Errorf("define Athena function: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", displayPath(path), err)
	}
	d := &DB{sql: sql.OpenDB(c), connector: c, readOnly: readOnly}
	if err := registerGoFunctions(context.Background(), d.sql); err != nil {
		d.Close()
		return nil, err
	}
	if err := d.newTempDir(context.Background()); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func displayPath(path string) string {
	if path == "" {
		return "in-memory database"
	}
	return path
}

// SQL is the underlying database, for statements this package does not
// wrap.
func (d *DB) SQL() *sql.DB { return d.sql }

// Close closes the database, writing a file-backed one to disk, and
// removes its temporary directory.
func (d *DB) Close() error {
	err := d.sql.Close()
	if cerr := d.connector.Close(); err == nil {
		err = cerr
	}
	if d.tempDir != "" {
		if rerr := os.RemoveAll(d.tempDir); err == nil {
			err = rerr
		}
	}
	return err
}

// Count is the number of rows in cloudtrail_logs.
func (d *DB) Count(ctx context.Context) (int64, error) {
	var n int64
	err := d.sql.QueryRowContext(ctx, "SELECT count(*) FROM "+TableName).Scan(&n)
	return n, err
}

// ExportParquet writes the table's rows to a Parquet file at path
// (replacing it), with the same columns and types; OpenSaved reads it
// back.
func (d *DB) ExportParquet(ctx context.Context, path string) error {
	q := "COPY " + TableName + " TO " + quoteString(path) + " (FORMAT parquet, COMPRESSION zstd)"
	if _, err := d.sql.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
