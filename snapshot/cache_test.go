package snapshot

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/iamwhy/iamwhy/internal/synth"
)

// cacheEnvironments are the environments the cache tests load: the
// example, the s3kms example and the small synthetic organisation.
func cacheEnvironments(t *testing.T) map[string]string {
	t.Helper()
	small := t.TempDir()
	if _, err := synth.Generate(small, synth.Small); err != nil {
		t.Fatal(err)
	}
	envs := map[string]string{"synth-small": small}
	for _, p := range []string{"../examples/env", "../examples/s3kms-env"} {
		if _, err := os.Stat(p); err == nil {
			envs[filepath.Base(p)] = p
		}
	}
	return envs
}

// An environment read back from the cache is the environment Load builds,
// private indexes and nil-versus-empty distinctions included.
func TestCacheRoundTrip(t *testing.T) {
	for name, path := range cacheEnvironments(t) {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			fresh, err := LoadFile(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			first, info, err := LoadCached(Spec{File: path}, Options{}, dir)
			if err != nil || info.Hit || info.Problem != "" {
				t.Fatalf("first load: hit=%v problem=%q err=%v", info.Hit, info.Problem, err)
			}
			second, info, err := LoadCached(Spec{File: path}, Options{}, dir)
			if err != nil || !info.Hit {
				t.Fatalf("second load: hit=%v problem=%q err=%v", info.Hit, info.Problem, err)
			}
			if !reflect.DeepEqual(fresh, first) {
				t.Errorf("the loaded environment differs from Load's")
			}
			if !reflect.DeepEqual(fresh, second) {
				t.Errorf("the cached environment differs from Load's: %s", firstDiff(reflect.ValueOf(fresh), reflect.ValueOf(second), "env", 0))
			}
		})
	}
}

// A change to any input file, a damaged cache file or a cache written for
// other inputs is never used: the environment is loaded from the files.
func TestCacheInvalidation(t *testing.T) {
	src := t.TempDir()
	if _, err := synth.Generate(src, synth.Small); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	spec := Spec{File: src}
	if _, _, err := LoadCached(spec, Options{}, dir); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.env"))
	if len(files) != 1 {
		t.Fatalf("cache files: %v", files)
	}
	// Damage the payload: the checksum refuses it, the environment is
	// loaded again and the cache rewritten.
	data, _ := os.ReadFile(files[0])
	data[len(data)-10] ^= 0xff
	os.WriteFile(files[0], data, 0o600)
	e, info, err := LoadCached(spec, Options{}, dir)
	if err != nil || info.Hit || !strings.Contains(info.Problem, "checksum") || e == nil {
		t.Fatalf("damaged cache: hit=%v problem=%q err=%v", info.Hit, info.Problem, err)
	}
	if _, info, _ = LoadCached(spec, Options{}, dir); !info.Hit {
		t.Fatalf("rewritten cache not used: %q", info.Problem)
	}
	// Truncated.
	os.WriteFile(files[0], data[:100], 0o600)
	if _, info, err = LoadCached(spec, Options{}, dir); err != nil || info.Hit {
		t.Fatalf("truncated cache: hit=%v err=%v", info.Hit, err)
	}
	// Same size, same modification time, other content. Whether the
	// content is hashed again depends on how close to the stamping the
	// file was last modified, so the test sets both times: the clock that
	// stamps (cacheClock) and the file's modification time.
	org0 := filepath.Join(src, "organization.yaml")
	text0, _ := os.ReadFile(org0)
	swapped := []byte(strings.Replace(string(text0), "r-", "r_", 1))
	modified := time.Now().Add(-time.Hour).Truncate(time.Second)
	edit := func(text []byte) {
		t.Helper()
		if err := os.WriteFile(org0, text, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(org0, modified, modified); err != nil {
			t.Fatal(err)
		}
	}
	stampAt := func(at time.Time) {
		t.Helper()
		cacheClock = func() time.Time { return at }
		t.Cleanup(func() { cacheClock = time.Now })
		os.Remove(files[0])
		if _, info, err := LoadCached(spec, Options{}, dir); err != nil || info.Hit {
			t.Fatalf("rewriting the cache: hit=%v err=%v", info.Hit, err)
		}
	}
	// Stamped a second after the file changed: the stamp is racy, the
	// content is hashed on use, and the edit is seen.
	edit(text0)
	stampAt(modified.Add(time.Second))
	edit(swapped)
	if _, info, _ = LoadCached(spec, Options{}, dir); info.Hit {
		t.Fatal("a same-size, same-time edit of a racy file was not seen")
	}
	// Stamped well after the file changed: size and time are trusted and
	// the content is not read again (git's rule for its index; an edit
	// that keeps both is not seen, which is why racy files are hashed).
	edit(text0)
	stampAt(modified.Add(10 * time.Second))
	edit(swapped)
	if _, info, _ = LoadCached(spec, Options{}, dir); !info.Hit {
		t.Fatalf("a file stamped long after its change was read again: %q", info.Problem)
	}
	cacheClock = time.Now
	edit(text0)
	// An input changes.
	org := filepath.Join(src, "organization.yaml")
	text, err := os.ReadFile(org)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(org, append(text, []byte("\n# edited\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, info, err = LoadCached(spec, Options{}, dir); err != nil || info.Hit {
		t.Fatalf("after an edit: hit=%v err=%v", info.Hit, err)
	}
	// A file added to a directory the environment reads changes the key.
	res := filepath.Join(src, "resources", "extra.json")
	if err := os.WriteFile(res, []byte(`[]`), 0o644); err == nil {
		if _, info, _ = LoadCached(spec, Options{}, dir); info.Hit {
			t.Fatal("a new input file did not change the key")
		}
	}
}

// IAMWHY_CACHE_DIR=off disables the cache.
func TestCacheDirOff(t *testing.T) {
	t.Setenv(CacheEnv, "off")
	if d := CacheDir(); d != "" {
		t.Fatalf("CacheDir() = %q with %s=off", d, CacheEnv)
	}
	t.Setenv(CacheEnv, "/somewhere")
	if d := CacheDir(); d != "/somewhere" {
		t.Fatalf("CacheDir() = %q", d)
	}
}

// firstDiff names the first place where a and b differ (for test output).
func firstDiff(a, b reflect.Value, path string, depth int) string {
	if depth > 40 {
		return ""
	}
	if a.IsValid() != b.IsValid() {
		return path + ": validity"
	}
	if !a.IsValid() {
		return ""
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() != b.IsNil() {
			return path + ": nil vs non-nil"
		}
		if a.IsNil() {
			return ""
		}
		return firstDiff(a.Elem(), b.Elem(), path, depth+1)
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if d := firstDiff(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name, depth+1); d != "" {
				return d
			}
		}
	case reflect.Slice:
		if a.IsNil() != b.IsNil() {
			return path + ": nil vs empty slice"
		}
		if a.Len() != b.Len() {
			return path + ": length"
		}
		for i := 0; i < a.Len(); i++ {
			if d := firstDiff(a.Index(i), b.Index(i), path+"["+strings.Repeat("", 0)+"]", depth+1); d != "" {
				return d
			}
		}
	case reflect.Map:
		if a.IsNil() != b.IsNil() {
			return path + ": nil vs empty map"
		}
		if a.Len() != b.Len() {
			return path + ": map length"
		}
		for _, k := range a.MapKeys() {
			if d := firstDiff(a.MapIndex(k), b.MapIndex(k), path+"["+k.String()+"]", depth+1); d != "" {
				return d
			}
		}
	default:
		if a.CanInterface() && b.CanInterface() && !reflect.DeepEqual(a.Interface(), b.Interface()) {
			return path + ": value"
		}
		if !a.CanInterface() && a.String() != b.String() {
			return path + ": value"
		}
	}
	return ""
}

// A cache directory keeps the most recently used environments only.
func TestCachePrune(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < cacheKeep+5; i++ {
		p := filepath.Join(dir, strings.Repeat("a", i+1)+".env")
		os.WriteFile(p, []byte("old"), 0o600)
		old := time.Now().Add(-time.Duration(i+1) * time.Hour)
		os.Chtimes(p, old, old)
	}
	if _, _, err := LoadCached(Spec{File: "../examples/env"}, Options{}, dir); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.env"))
	if len(files) != cacheKeep {
		t.Fatalf("%d cache files kept, want %d", len(files), cacheKeep)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.env")); err != nil {
		t.Fatal("the most recently used old file was removed")
	}
}
