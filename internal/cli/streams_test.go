package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// The null device is a character device, but output sent there is not for
// a terminal: it is neither coloured nor flushed line by line.
func TestIsTerminalNotNullDevice(t *testing.T) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer null.Close()
	if isTerminal(null) {
		t.Errorf("%s is reported as a terminal", os.DevNull)
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("a regular file is reported as a terminal")
	}
}
