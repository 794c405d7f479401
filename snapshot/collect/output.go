package collect

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// envHeader starts every environment.yaml collect writes; it marks an
// output collect may replace. A JSON environment file, which cannot hold
// a comment, says so in its collected block (writtenBy).
const envHeader = "# Written by iamwhy collect"

// writtenBy is the collected block's written_by value.
const writtenBy = "iamwhy collect"

// outputs are the entries of a directory collect writes.
var outputs = []string{"accounts", "resources", "policies", "organization.yaml", "environment.yaml"}

// layout is where a collection goes.
type layout struct {
	// dir receives the parts (accounts/, resources/, ...).
	dir string
	// envFile is the environment file: dir/environment.yaml, or the file
	// Options.Out names.
	envFile string
	// file is true when Out names the environment file; prefix is then
	// the parts' directory as the file names it ("prod/").
	file   bool
	prefix string
	json   bool
}

// outLayout reads Options.Out: an existing directory, or a name without a
// .yaml, .yml or .json extension, is a directory; otherwise it is the
// environment file, and its parts go in the directory named like it
// without the extension.
func outLayout(out string) layout {
	ext := filepath.Ext(out)
	lower := strings.ToLower(ext)
	fi, err := os.Stat(out)
	isDir := err == nil && fi.IsDir()
	if isDir || (lower != ".yaml" && lower != ".yml" && lower != ".json") {
		return layout{dir: out, envFile: filepath.Join(out, "environment.yaml")}
	}
	dir := strings.TrimSuffix(out, ext)
	return layout{dir: dir, envFile: out, file: true, prefix: filepath.Base(dir) + "/", json: lower == ".json"}
}

// check refuses an output that holds anything collect did not write:
//   - a directory must be new or empty, or hold a previous collection (its
//     environment.yaml written by collect), which is replaced;
//   - an environment file must be new, or one collect wrote; its parts
//     directory must be new or empty, or, beside a file collect wrote,
//     hold only what collect writes.
func (l layout) check() error {
	if !l.file {
		empty, err := emptyOrMissing(l.dir)
		if err != nil || empty {
			return err
		}
		if !writtenByCollect(filepath.Join(l.dir, "environment.yaml")) {
			return fmt.Errorf("collect: %s is not empty and holds no environment written by iamwhy collect; give an empty or new directory", l.dir)
		}
		return nil
	}
	ours := false
	if fi, err := os.Lstat(l.envFile); err == nil {
		if !fi.Mode().IsRegular() || !writtenByCollect(l.envFile) {
			return fmt.Errorf("collect: %s exists and was not written by iamwhy collect; give a new file name", l.envFile)
		}
		ours = true
	}
	empty, err := emptyOrMissing(l.dir)
	if err != nil || empty {
		return err
	}
	if !ours {
		return fmt.Errorf("collect: %s (where the parts of %s go) is not empty; give a new file name, or remove it", l.dir, l.envFile)
	}
	ents, err := os.ReadDir(l.dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		known := false
		for _, name := range outputs {
			known = known || e.Name() == name
		}
		if !known {
			return fmt.Errorf("collect: %s holds %s, which iamwhy collect did not write; give a new file name", l.dir, e.Name())
		}
	}
	return nil
}

// emptyOrMissing reports whether dir does not exist or is empty.
func emptyOrMissing(dir string) (bool, error) {
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("collect: %w", err)
	}
	return len(ents) == 0, nil
}

// writtenByCollect reports whether an environment file is one collect
// wrote: YAML with envHeader first, or JSON whose collected block says so.
func writtenByCollect(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return false
	}
	if bytes.HasPrefix(data, []byte(envHeader)) {
		return true
	}
	var doc struct {
		Collected struct {
			WrittenBy string `json:"written_by"`
		} `json:"collected"`
	}
	return json.Unmarshal(data, &doc) == nil && doc.Collected.WrittenBy == writtenBy
}

// replace moves the new collection into place: the parts from tmp into
// l.dir, removing the previous collection's first so that a resource
// deleted since does not linger; then the environment file (written in
// tmp as envFile), last, so that it names parts that are there.
func (l layout) replace(tmp, envFile string) error {
	if err := os.MkdirAll(l.dir, 0o755); err != nil {
		return err
	}
	for _, name := range outputs {
		if err := os.RemoveAll(filepath.Join(l.dir, name)); err != nil {
			return err
		}
	}
	for _, name := range outputs {
		src := filepath.Join(tmp, name)
		if _, err := os.Stat(src); os.IsNotExist(err) || src == envFile {
			continue
		}
		if err := os.Rename(src, filepath.Join(l.dir, name)); err != nil {
			return err
		}
	}
	return os.Rename(envFile, l.envFile)
}
