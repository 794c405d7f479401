package inputfile

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Map gives the file's bytes, mapped or read, with Read's checks; Close
// may be called twice.
func TestMap(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{0, 10, MapMin - 1, MapMin, 3*MapMin + 7} {
		path := filepath.Join(dir, "f")
		want := bytes.Repeat([]byte("abcdefg\n"), size/8+1)[:size]
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := Map(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(m.Data, want) {
			t.Fatalf("size %d: contents differ", size)
		}
		if mapped := m.unmap != nil; mapped != (size >= MapMin && runtime.GOOS == "linux") {
			t.Fatalf("size %d: mapped %v", size, mapped)
		}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		if err := m.Close(); err != nil || m.Data != nil {
			t.Fatalf("second Close: %v", err)
		}
	}
	if _, err := Map(dir); err == nil {
		t.Fatal("a directory was mapped")
	}
	old := Limit()
	SetLimit(MapMin)
	defer SetLimit(old)
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, MapMin+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Map(big); err == nil {
		t.Fatal("a file over the limit was mapped")
	}
}

// Reading a mapped file's pages after it was truncated faults; CatchFault
// reports it instead of the process crashing, and lets other panics go on.
func TestCatchFaultTruncatedFile(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("files are mapped on Linux only")
	}
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, bytes.Repeat([]byte("x"), 2*MapMin), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := Map(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	var sum int
	if !CatchFault(func() {
		for _, b := range m.Data {
			sum += int(b)
		}
	}) {
		t.Fatal("no fault reading a truncated mapping")
	}
	if CatchFault(func() {}) {
		t.Fatal("a fault without one")
	}
	defer func() {
		if r := recover(); r != "other" {
			t.Fatalf("recovered %v, want the other panic", r)
		}
	}()
	CatchFault(func() { panic("other") })
}
