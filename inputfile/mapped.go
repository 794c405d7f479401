package inputfile

import (
	"runtime"
	"runtime/debug"
)

// MapMin is the size from which Map maps a file instead of reading it:
// below it a read costs less than setting up and removing a mapping.
const MapMin = 1 << 20

// Mapped is the contents of a file, mapped into memory or read.
type Mapped struct {
	// Data is the file's contents. Once Close is called it must not be
	// used, nor anything that points into it: callers copy what they
	// keep.
	Data  []byte
	unmap func() error // nil when read, and once closed
}

// Map returns the contents of the regular file at path, with the same
// checks as Read (a regular file, within the limit). A file of MapMin bytes
// or more is mapped read-only where the system allows it (Linux): its
// pages come from the page cache as they are, where reading it copies them
// into memory of the process's own that the kernel first clears, which for
// a 9 MB check file read once was about a twentieth of the whole run.
// Smaller files, other systems and files that cannot be mapped are read.
//
// A mapped file that is truncated while it is mapped makes reading the
// pages past its new end fault: every goroutine that reads Data must do it
// within CatchFault, which turns the fault into an error. Close releases
// the mapping.
func Map(path string) (*Mapped, error) {
	f, size, err := openSized(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if size >= MapMin {
		if data, unmap, ok := mapFile(f, size); ok {
			return &Mapped{Data: data, unmap: unmap}, nil
		}
	}
	data, err := readAll(f, path, size)
	if err != nil {
		return nil, err
	}
	return &Mapped{Data: data}, nil
}

// Close releases the mapping; a second call does nothing.
func (m *Mapped) Close() error {
	unmap := m.unmap
	m.Data, m.unmap = nil, nil
	if unmap != nil {
		return unmap()
	}
	return nil
}

// CatchFault calls fn, and reports whether it was ended by a fault reading
// memory (the mapped file truncated meanwhile) instead of crashing the
// process. Any other panic goes on. It covers the calling goroutine only:
// a goroutine fn starts that reads the mapping needs its own.
func CatchFault(fn func()) (faulted bool) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			// A memory fault the runtime turned into a panic is a
			// runtime.Error with the faulting address.
			if _, ok := r.(interface{ Addr() uintptr }); ok {
				if _, ok := r.(runtime.Error); ok {
					faulted = true
					return
				}
			}
			panic(r)
		}
	}()
	fn()
	return false
}
