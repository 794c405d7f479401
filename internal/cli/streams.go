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
	// OutIsTerminal reports whether Out is a terminal (text output is
	// coloured only then: color.go).
	OutIsTerminal bool
	// Term is standard error as it is, for the progress bars iamwhy draws
	// itself with terminal escapes; Main escapes everything written to Out
	// and Err (escape.go). Nil means Err.
	Term io.Writer
}

// term is where progress bars are drawn.
func (s Streams) term() io.Writer {
	if s.Term != nil {
		return s.Term
	}
	return s.Err
}

// StdStreams returns the process's standard streams.
func StdStreams() Streams {
	return Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, IsTerminal: isTerminal(os.Stderr), OutIsTerminal: isTerminal(os.Stdout)}
}

// isTerminal reports whether f is a terminal: a character device other than
// the null device. Output sent to /dev/null is not coloured, drawn on or
// flushed line by line as a terminal's would be (colour makes the text
// writer flush around every coloured word).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(fi, null)
}
