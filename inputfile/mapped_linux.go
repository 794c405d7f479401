package inputfile

import (
	"os"
	"syscall"
)

// mapFile maps size bytes of f read-only and private, populated at once
// (one call instead of a fault per page as the parser first reads it).
func mapFile(f *os.File, size int64) (data []byte, unmap func() error, ok bool) {
	if int64(int(size)) != size {
		return nil, nil, false
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_PRIVATE|syscall.MAP_POPULATE)
	if err != nil {
		return nil, nil, false
	}
	return data, func() error { return syscall.Munmap(data) }, true
}
