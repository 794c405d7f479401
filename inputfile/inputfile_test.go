package inputfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadSizes checks that Read returns the file's bytes exactly, whatever
// its size relative to the buffer it allocates from the file's size, and
// refuses a file one byte over the limit.
func TestReadSizes(t *testing.T) {
	SetLimit(4096)
	defer SetLimit(0)
	dir := t.TempDir()
	for _, n := range []int{0, 1, 511, 512, 513, 4095, 4096, 4097} {
		data := bytes.Repeat([]byte("x"), n)
		path := filepath.Join(dir, "f")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := Read(path)
		if n > 4096 {
			if !errors.Is(err, ErrTooLarge) {
				t.Errorf("%d bytes: err %v, want ErrTooLarge", n, err)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("%d bytes: got %d bytes, err %v", n, len(got), err)
		}
	}
}

// TestReadAllFromLimit checks the limit on a stream whose size is unknown.
func TestReadAllFromLimit(t *testing.T) {
	SetLimit(1000)
	defer SetLimit(0)
	if got, err := ReadAllFrom(strings.NewReader(strings.Repeat("y", 1000)), "s"); err != nil || len(got) != 1000 {
		t.Errorf("1000 bytes: got %d, err %v", len(got), err)
	}
	if _, err := ReadAllFrom(strings.NewReader(strings.Repeat("y", 1001)), "s"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("1001 bytes: err %v, want ErrTooLarge", err)
	}
}

// TestReadRefusesDirectory checks that a directory is not read.
func TestReadRefusesDirectory(t *testing.T) {
	if _, err := Read(t.TempDir()); !errors.Is(err, ErrNotRegular) {
		t.Errorf("err %v, want ErrNotRegular", err)
	}
}
