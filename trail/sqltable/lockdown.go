package sqltable

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// The SQL users run is untrusted in the way the logs are: a query pasted
// from a guide, or written by an agent, must not read or write files,
// reach the network or load code. DuckDB can do all of that from SQL
// (COPY ... TO, read_text, read_csv('/etc/...'), ATTACH, INSTALL httpfs and
// reading https:// URLs), so once the table is loaded the database is
// locked down:
//
//   - enable_external_access = false: no file system or network access
//     from SQL, except the files listed in allowed_paths (a Parquet table
//     queried in place, the file an ingest writes);
//   - autoinstall_known_extensions and autoload_known_extensions = false:
//     no extension is fetched or loaded behind the query's back;
//   - lock_configuration = true: no later statement can set any of it
//     back.
//
// https://duckdb.org/docs/stable/operations_manual/securing_duckdb/overview
//
// DuckDB spills to temp_directory when a query exceeds memory (large
// sorts and joins over CloudTrail data); by default that is a ".tmp"
// directory in the current directory for an in-memory database. Each DB
// gets a private directory instead (mode 0700, under os.TempDir), also
// used for the Loader's staging files, and Close removes it.

// newTempDir makes the private directory of a DB and points DuckDB's
// spill files at it.
func (d *DB) newTempDir(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "iamwhy-duckdb-")
	if err != nil {
		return fmt.Errorf("temporary directory: %w", err)
	}
	d.tempDir = dir
	if _, err := d.sql.ExecContext(ctx, "SET temp_directory = "+quoteString(dir)); err != nil {
		return fmt.Errorf("set temp_directory: %w", err)
	}
	return nil
}

// TempDir is the DB's private temporary directory (spill and staging
// files), removed by Close.
func (d *DB) TempDir() string { return d.tempDir }

// Lockdown turns off all file and network access from SQL and locks the
// configuration, except for reading and writing the files in allowed (and
// those the DB already needs, such as a Parquet file it views). Query
// calls it before the first query; call it earlier to lock down a DB that
// only loads and exports. It cannot be undone; after it, NewLoader fails.
func (d *DB) Lockdown(ctx context.Context, allowed ...string) error {
	d.lockMu.Lock()
	defer d.lockMu.Unlock()
	if d.locked {
		return nil
	}
	paths := append(append([]string(nil), d.allowed...), allowed...)
	stmts := []string{}
	if len(paths) > 0 {
		quoted := make([]string, len(paths))
		for i, p := range paths {
			quoted[i] = quoteString(p)
		}
		stmts = append(stmts, "SET allowed_paths = ["+strings.Join(quoted, ", ")+"]")
	}
	stmts = append(stmts,
		"SET enable_external_access = false",
		"SET autoinstall_known_extensions = false",
		"SET autoload_known_extensions = false",
		"SET lock_configuration = true",
	)
	for _, q := range stmts {
		if _, err := d.sql.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("lock down the database (%s): %w", q, err)
		}
	}
	d.locked = true
	return nil
}

// Locked reports whether Lockdown has run.
func (d *DB) Locked() bool {
	d.lockMu.Lock()
	defer d.lockMu.Unlock()
	return d.locked
}
