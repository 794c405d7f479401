package sqltable

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iamwhy/iamwhy/inputfile"
)

// Rule: SQL run by trail query cannot reach files, the network or
// extensions, and cannot undo that (lockdown.go).
func TestQueryIsLockedDown(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	out := filepath.Join(t.TempDir(), "out.csv")
	if _, err := d.Query(ctx, "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	for name, q := range map[string]string{
		"COPY TO writes a file":        "COPY (SELECT 1) TO " + quoteString(out),
		"read_text reads /etc/passwd":  "SELECT * FROM read_text('/etc/passwd')",
		"read_csv reads /etc/passwd":   "SELECT * FROM read_csv('/etc/passwd')",
		"glob lists a directory":       "SELECT * FROM glob('/etc/*')",
		"httpfs is installed":          "INSTALL httpfs",
		"httpfs is loaded":             "LOAD httpfs",
		"https is read":                "SELECT * FROM read_parquet('https://example.com/x.parquet')",
		"a database is attached":       "ATTACH " + quoteString(filepath.Join(t.TempDir(), "x.db")),
		"external access is turned on": "SET enable_external_access = true",
		"the lock is lifted":           "SET lock_configuration = false",
		"extensions autoload again":    "SET autoload_known_extensions = true",
	} {
		t.Run(name, func(t *testing.T) {
			rows, err := d.Query(ctx, q)
			if err == nil {
				for rows.Next() {
				}
				err = rows.Err()
				rows.Close()
			}
			if err == nil {
				t.Fatalf("%s: allowed", q)
			}
		})
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatalf("COPY TO wrote %s", out)
	}
}

// Rule: DuckDB's spill files and the loader's staging files go in a
// private directory removed by Close, not in the current directory.
func TestPrivateTempDir(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	dir := d.TempDir()
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Fatalf("temp dir %s: %v %v", dir, fi, err)
	}
	var setting string
	if err := d.SQL().QueryRowContext(ctx, "SELECT current_setting('temp_directory')").Scan(&setting); err != nil || setting != dir {
		t.Fatalf("temp_directory = %q (%v), want %q", setting, err, dir)
	}
	l, err := d.NewLoader(ctx, LoaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if l.opts.TempDir != dir {
		t.Fatalf("staging in %q, want %q", l.opts.TempDir, dir)
	}
	if err := l.Add([]byte(`{"eventID":"e1","eventTime":"2024-01-01T00:00:00Z","eventName":"X"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("%s left behind: %v", dir, err)
	}
}

// Rule: a Parquet table queried in place stays readable once locked down
// (its file is the one allowed path), and nothing else is.
func TestLockdownKeepsParquetView(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	l, _ := d.NewLoader(ctx, LoaderOptions{})
	l.Add([]byte(`{"eventID":"e1","eventTime":"2024-01-01T00:00:00Z","eventName":"X"}`))
	l.Close()
	pq := filepath.Join(t.TempDir(), "t.parquet")
	if err := d.ExportParquet(ctx, pq); err != nil {
		t.Fatal(err)
	}
	d.Close()
	s, err := OpenSaved(ctx, pq)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.Query(ctx, "SELECT eventname FROM cloudtrail_logs")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		n++
	}
	rows.Close()
	if n != 1 {
		t.Fatalf("%d rows", n)
	}
	if _, err := s.Query(ctx, "SELECT * FROM read_text('/etc/hostname')"); err == nil || !strings.Contains(err.Error(), "disabled") {
		t.Fatalf("read_text after lockdown: %v", err)
	}
}

func TestOpenRefusesANonRegularDatabase(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "db.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := Open(context.Background(), fifo)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, inputfile.ErrNotRegular) {
			t.Fatalf("err %v, want a not-a-regular-file error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Open blocked on a FIFO")
	}
}
