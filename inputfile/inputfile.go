// Package inputfile reads the files iamwhy is given (policy documents, check
// files, environments, organisation files, resource records, events and
// pasted messages) with two guarantees: only regular files are read (a
// device such as /dev/zero, a FIFO or a socket is refused at once, since it
// may never end or block forever), and no file is read past a size limit,
// so one argument cannot take all memory.
//
// The limit is DefaultLimit (64 MiB, far above any IAM document: AWS caps
// managed policies at 6,144 characters and the largest resource policies
// at tens of kilobytes, and an account's authorization details are a few
// megabytes) unless SetLimit raises or lowers it; the CLI sets it from its
// --max-file-size flag. CloudTrail logs are streamed by the trail package
// and are not subject to it.
package inputfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync/atomic"
)

// DefaultLimit is the size limit when SetLimit was not called.
const DefaultLimit int64 = 64 << 20

var limit atomic.Int64

func init() { limit.Store(DefaultLimit) }

// SetLimit sets the largest file Read accepts, in bytes; n <= 0 restores
// DefaultLimit. It is safe to call at any time.
func SetLimit(n int64) {
	if n <= 0 {
		n = DefaultLimit
	}
	limit.Store(n)
}

// Limit returns the current size limit in bytes.
func Limit() int64 { return limit.Load() }

// NotRegularError is the error for a path that is not a regular file.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s: not a regular file (%s): refused, it may never end", e.Path, Kind(e.Mode))
}

// TooLargeError is the error for a file over the limit.
type TooLargeError struct {
	Path  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: larger than the %s limit (raise it with --max-file-size)", e.Path, Size(e.Limit))
}

// ErrNotRegular and ErrTooLarge match the errors above with errors.Is.
var (
	ErrNotRegular = errors.New("not a regular file")
	ErrTooLarge   = errors.New("file too large")
)

func (e *NotRegularError) Is(target error) bool { return target == ErrNotRegular }
func (e *TooLargeError) Is(target error) bool   { return target == ErrTooLarge }

// Read returns the contents of the regular file at path, or an error if
// it is not a regular file (after following links) or is larger than the
// limit. The size is checked both before reading and while reading, as a
// file may grow.
func Read(path string) ([]byte, error) {
	f, size, err := openSized(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f, path, size)
}

// openSized opens path as Open does and returns the opened file's size.
func openSized(path string) (*os.File, int64, error) {
	f, err := Open(path)
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

// Open opens path for reading if it is a regular file within the limit.
// The check is made on the opened file, so a path swapped for a device
// between a check and the open is still refused; opening a FIFO does not
// block (it is opened non-blocking where the system allows it, then
// refused).
func Open(path string) (*os.File, error) {
	// Refuse what stat already shows before opening: opening a FIFO for
	// reading blocks until a writer comes.
	fi, err := os.Stat(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			pe.Op = "open" // what the caller asked for
		}
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &NotRegularError{Path: path, Mode: fi.Mode()}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err = f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &NotRegularError{Path: path, Mode: fi.Mode()}
	}
	if max := Limit(); fi.Size() > max {
		f.Close()
		return nil, &TooLargeError{Path: path, Limit: max}
	}
	return f, nil
}

// ReadAllFrom reads r to its end, failing once more than the limit has been
// read; path names the input in the error.
func ReadAllFrom(r io.Reader, path string) ([]byte, error) {
	return readAll(r, path, 0)
}

// readAll reads r to its end within the limit. size is what the file's
// size said (0: unknown): the buffer is allocated once at that size plus
// one byte, to see the end (or growth) without io.ReadAll's doubling and
// copying, which for a large check file cost more than parsing it.
func readAll(r io.Reader, path string, size int64) ([]byte, error) {
	max := Limit()
	if size <= 0 || size > max {
		size = 512
	}
	data := make([]byte, 0, size+1)
	lr := io.LimitReader(r, max+1)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := lr.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if int64(len(data)) > max {
		return nil, &TooLargeError{Path: path, Limit: max}
	}
	return data, nil
}

// Kind names a file mode for messages: "a character device", "a named
// pipe", ...
func Kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a directory"
	}
	return "mode " + m.String()
}

// Size formats a byte count: "64 MiB", "1.5 GiB", "512 B".
func Size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d %ciB", int64(v), "KMGTPE"[exp])
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTPE"[exp])
}
