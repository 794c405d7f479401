package snapshot

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/zeebo/xxh3"
)

// Loading a large environment (tens of thousands of roles and policies) is
// mostly decoding JSON, and commands are run again and again on the same
// files. LoadCached keeps the loaded environment in a cache file keyed by
// the content of every input file and by the iamwhy binary itself, so that
// a repeated command reads one binary file instead of decoding the JSON.
//
// The cache is never trusted blindly. Its file is named by the input files'
// paths, the options and the running executable (path, size, modification
// time: its embedded catalog and loader code shape the environment); inside,
// each input file's size, modification time and xxh3-128 hash are checked
// on every use (a file whose size and time are unchanged is hashed again
// only when it was modified within two seconds of being stamped, as git
// treats its index); the payload carries a checksum; anything that does not
// match, or fails to decode, is ignored and the environment is loaded from
// the files and cached again.

// CacheEnv is the environment variable that sets the cache directory; "off"
// disables the cache.
const CacheEnv = "IAMWHY_CACHE_DIR"

// cacheFormat changes whenever the encoded form does.
const cacheFormat = "iamwhy-env-cache-2"

// CacheDir returns the directory environment caches are kept in: $IAMWHY_CACHE_DIR,
// or iamwhy/environments under the user's cache directory
// (os.UserCacheDir: $XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches
// on macOS). It returns "" when caching is off or no directory is known.
func CacheDir() string {
	if d, ok := os.LookupEnv(CacheEnv); ok {
		if d == "off" || d == "" {
			return ""
		}
		return d
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(base, "iamwhy", "environments")
}

// CacheInfo says what LoadCached did.
type CacheInfo struct {
	// Hit is true when the environment came from the cache.
	Hit bool
	// Path is the cache file ("" when caching was off or not possible).
	Path string
	// Problem, when not empty, is why a cache file was not used or not
	// written (the environment was loaded from the files all the same).
	Problem string
}

// LoadCached is Load through the cache in dir ("" loads without a cache).
// Only the default Options are cached (a custom resolver cannot be keyed).
func LoadCached(spec Spec, opts Options, dir string) (*Environment, CacheInfo, error) {
	if dir == "" || opts.ManagedPolicyResolver != nil {
		e, err := Load(spec, opts)
		return e, CacheInfo{}, err
	}
	files, err := cacheInputs(spec)
	if err != nil {
		// The inputs cannot be listed: Load reports the problem.
		e, err := Load(spec, opts)
		return e, CacheInfo{}, err
	}
	key := cacheKey(files, opts)
	info := CacheInfo{Path: filepath.Join(dir, key+".env")}
	if e, err := readCache(info.Path, key); err == nil {
		info.Hit = true
		now := time.Now()
		os.Chtimes(info.Path, now, now) // recently used: kept by pruneCache
		return e, info, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		info.Problem = "cache ignored: " + err.Error()
	}
	e, err := Load(spec, opts)
	if err != nil {
		return nil, info, err
	}
	stamps, err := stampInputs(files)
	if err == nil {
		err = writeCache(dir, info.Path, key, stamps, e)
	}
	if err != nil {
		info.Problem = "cache not written: " + err.Error()
	}
	return e, info, nil
}

// cacheInputs lists every file an environment is read from: the
// environment file and every file under the paths it names (all files of a
// directory, whatever Load reads of them, so that any change is seen).
func cacheInputs(spec Spec) ([]string, error) {
	var roots []string
	if spec.File != "" {
		file, err := EnvironmentFile(spec.File)
		if err != nil {
			return nil, err
		}
		roots = append(roots, file)
		n, err := readYAMLFile(file)
		if err != nil {
			return nil, err
		}
		inner, err := DecodeSpec(n, file)
		if err != nil {
			return nil, err
		}
		spec = inner
	}
	for _, p := range spec.AuthorizationDetails {
		roots = append(roots, p.Path)
	}
	if spec.Organization != nil {
		roots = append(roots, spec.Organization.Path)
	}
	if spec.OrganizationNode != nil && spec.OrganizationFile != "" {
		roots = append(roots, spec.OrganizationFile)
	}
	for _, p := range spec.ResourcePolicies {
		roots = append(roots, p.Path)
	}
	var files []string
	for _, r := range roots {
		err := filepath.WalkDir(r, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(files)
	return files, nil
}

// cacheKey names the cache file of an environment: the format, the
// options and the input files' paths (so a new build or an edit replaces
// the file instead of adding one). The executable and the files' contents
// are checked against the header inside the file.
func cacheKey(files []string, opts Options) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00nocatalog=%v\x00", cacheFormat, opts.NoCatalog)
	for _, p := range files {
		abs, _ := filepath.Abs(p)
		fmt.Fprintf(h, "file %s\x00", abs)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// inputStamp is what the cache knows of one input file.
type inputStamp struct {
	Path    string
	Size    int64
	ModTime int64 // nanoseconds
	Hash    [16]byte
}

// cacheHeader opens the structure section of a cache file.
type cacheHeader struct {
	// Executable identifies the iamwhy binary that wrote the file (path,
	// size, modification time): its embedded catalog and loader code shape
	// the environment, so another build does not use it.
	Executable string
	Inputs     []inputStamp
	Written    int64 // when the inputs were stamped, nanoseconds
}

func executableID() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%s %d %d", exe, fi.Size(), fi.ModTime().UnixNano())
}

// cacheKeep is how many environment caches a directory keeps; the least
// recently used beyond it are removed when one is written.
const cacheKeep = 16

func pruneCache(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type file struct {
		path string
		used time.Time
	}
	var files []file
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".env" {
			continue
		}
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() {
			files = append(files, file{filepath.Join(dir, e.Name()), fi.ModTime()})
		}
	}
	if len(files) <= cacheKeep {
		return
	}
	sort.Slice(files, func(i, j int) bool { return files[i].used.After(files[j].used) })
	for _, f := range files[cacheKeep:] {
		os.Remove(f.path)
	}
}

// stampInputs hashes every input file (xxh3-128).
func stampInputs(files []string) ([]inputStamp, error) {
	buf := make([]byte, 1<<20)
	out := make([]inputStamp, 0, len(files))
	for _, p := range files {
		st, err := stampFile(p, buf)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

func stampFile(p string, buf []byte) (inputStamp, error) {
	f, err := os.Open(p)
	if err != nil {
		return inputStamp{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return inputStamp{}, err
	}
	if !fi.Mode().IsRegular() {
		return inputStamp{}, fmt.Errorf("%s: not a regular file", p)
	}
	x := xxh3.New()
	if _, err := io.CopyBuffer(x, f, buf); err != nil {
		return inputStamp{}, err
	}
	return inputStamp{Path: p, Size: fi.Size(), ModTime: fi.ModTime().UnixNano(), Hash: x.Sum128().Bytes()}, nil
}

// racyWindow: a file modified this close to the moment it was stamped may
// have changed again within the file system's timestamp resolution without
// its modification time moving, so its content is hashed again (as git
// does for its index).
const racyWindow = int64(2 * time.Second)

// cacheClock tells when inputs are stamped; tests set it to decide which
// stamps are racy instead of depending on how long a load takes.
var cacheClock = time.Now

// checkInputs reports the first input that is not as stamped. A file whose
// size and modification time are unchanged, and were not racy when
// stamped, is taken as unchanged without reading it; any other is hashed.
func checkInputs(h *cacheHeader) error {
	if h.Executable != executableID() {
		return errors.New("written by another iamwhy build")
	}
	var buf []byte
	for _, st := range h.Inputs {
		fi, err := os.Stat(st.Path)
		if err != nil {
			return err
		}
		if fi.Size() != st.Size || fi.ModTime().UnixNano() != st.ModTime {
			return fmt.Errorf("%s changed", st.Path)
		}
		if h.Written-st.ModTime > racyWindow {
			continue
		}
		if buf == nil {
			buf = make([]byte, 1<<20)
		}
		now, err := stampFile(st.Path, buf)
		if err != nil {
			return err
		}
		if now.Hash != st.Hash {
			return fmt.Errorf("%s changed", st.Path)
		}
	}
	return nil
}

// A cache file is: cacheFormat, a newline, the key, a newline, the
// structure section's length and the blob's (8 bytes each, big endian),
// the xxh3-128 of both sections together, then the structure section (the
// header, then the environment: cachebin.go) and the blob of document
// texts.
func writeCache(dir, path, key string, stamps []inputStamp, e *Environment) error {
	var w binWriter
	w.header(cacheHeader{Executable: executableID(), Inputs: stamps, Written: cacheClock().UnixNano()})
	w.environment(e)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".env-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename, a no-op
	var head bytes.Buffer
	head.WriteString(cacheFormat + "\n" + key + "\n")
	binary.Write(&head, binary.BigEndian, uint64(len(w.buf)))
	binary.Write(&head, binary.BigEndian, uint64(len(w.blob)))
	x := xxh3.New()
	x.Write(w.buf)
	x.Write(w.blob)
	sum := x.Sum128().Bytes()
	head.Write(sum[:])
	// A failed write of any part must fail the save.
	if _, err = tmp.Write(head.Bytes()); err == nil {
		if _, err = tmp.Write(w.buf); err == nil {
			_, err = tmp.Write(w.blob)
		}
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	// The rename is atomic: a reader sees the old file or the whole new
	// one.
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	pruneCache(dir)
	return nil
}

func (w *binWriter) header(h cacheHeader) {
	w.str(h.Executable)
	w.int64(h.Written)
	w.uvarint(uint64(len(h.Inputs)))
	for _, st := range h.Inputs {
		w.str(st.Path)
		w.int64(st.Size)
		w.int64(st.ModTime)
		w.buf = append(w.buf, st.Hash[:]...)
	}
}

func (r *binReader) header() cacheHeader {
	h := cacheHeader{Executable: r.str(), Written: r.int64()}
	n := r.uvarint()
	if n > uint64(len(r.b)-r.off)/19 {
		r.fail("input count past the end")
		return h
	}
	h.Inputs = make([]inputStamp, n)
	for i := range h.Inputs {
		st := inputStamp{Path: r.str(), Size: r.int64(), ModTime: r.int64()}
		copy(st.Hash[:], r.span(16))
		h.Inputs[i] = st
	}
	return h
}

// readWhole reads a cache file into memory. The file is not memory-mapped:
// the checksum reads every page anyway, and a mapping would turn a cache
// file truncated in place by another program into a crash (SIGBUS) instead
// of a cache miss.
func readWhole(f *os.File, size int64) ([]byte, func(), error) {
	if size < 0 || int64(int(size)) != size {
		return nil, nil, errors.New("cache file too large")
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, nil, err
	}
	return data, func() {}, nil
}

// readCache reads an environment from a cache file. The file is read
// whole; strings are carved out of a copy of the structure section and the
// documents' texts are slices of the blob. Any problem (a short, damaged or
// foreign file, a stale input) is an error, and the caller loads the
// environment from its files.
func readCache(path, key string) (e *Environment, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	data, unmap, err := readWhole(f, fi.Size())
	if err != nil {
		return nil, err
	}
	defer func() {
		if e == nil {
			unmap() // nothing refers to it
		}
	}()
	head := cacheFormat + "\n" + key + "\n"
	if !bytes.HasPrefix(data, []byte(head)) || len(data) < len(head)+32 {
		return nil, fmt.Errorf("%s: not a cache of this environment", path)
	}
	rest := data[len(head):]
	n, blobLen := binary.BigEndian.Uint64(rest), binary.BigEndian.Uint64(rest[8:])
	sum, body := rest[16:32], rest[32:]
	if n > uint64(len(body)) || blobLen != uint64(len(body))-n {
		return nil, fmt.Errorf("%s: truncated", path)
	}
	structure := append([]byte(nil), body[:n]...)
	blob := body[n:len(body):len(body)]
	// The checksum runs on the other core while the structure is decoded;
	// nothing decoded is returned before it matched.
	sumOK := make(chan bool, 1)
	go func() {
		x := xxh3.New()
		x.Write(structure)
		x.Write(blob)
		got := x.Sum128().Bytes()
		sumOK <- bytes.Equal(got[:], sum)
	}()
	r := &binReader{b: structure, blob: blob}
	h := r.header()
	if r.err == nil {
		err = checkInputs(&h)
	}
	if r.err == nil && err == nil {
		e, err = r.environment()
	}
	if !<-sumOK {
		return nil, fmt.Errorf("%s: checksum mismatch", path)
	}
	if r.err != nil {
		return nil, fmt.Errorf("%s: %v", path, r.err)
	}
	if err != nil {
		return nil, err
	}
	return e, nil
}
