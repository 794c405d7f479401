package cli

import (
	"io"
	"os"
)

// Streams are the standard streams a command reads and writes; tests give
// buffers.
type Streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// IsTerminal reports whether Err is a terminal (progress bars are
	// drawn only then).
	IsTerminal bool
}

// StdStreams returns the process's standard streams.
func StdStreams() Streams {
	term := false
	if fi, err := os.Stderr.Stat(); err == nil {
		term = fi.Mode()&os.ModeCharDevice != 0
	}
	return Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, IsTerminal: term}
}
