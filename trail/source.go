package trail

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/iamwhy/iamwhy/inputfile"
	"github.com/iamwhy/iamwhy/internal/lazyre"
)

// input is one file, S3 object or standard input to decode.
type input struct {
	path string
	open func(context.Context) (io.ReadCloser, error)
}

// lister expands the paths given to Read into inputs. It runs in one
// goroutine; its stats hold skipped files and listing failures.
type lister struct {
	opts        *Options
	total       *atomic.Int64
	stats       Stats
	maxProblems int
	s3          S3API
}

// Reasons a file is skipped, the keys of Stats.Skipped.
const (
	SkipDigest  = "digest file"
	SkipInsight = "Insights file"
	SkipNotJSON = "not named .json, .json.gz, .jsonl or .ndjson"
	SkipBefore  = "delivered before the time range (by its name)"
	// SkipSpecial is a directory entry that is not a regular file (a FIFO,
	// socket or device, or a link to one): reading it could block or never
	// end.
	SkipSpecial = "not a regular file"
)

func (l *lister) list(ctx context.Context, paths []string, out chan<- input) {
	for _, p := range paths {
		if ctx.Err() != nil {
			return
		}
		switch {
		case p == "-":
			l.total.Store(-1)
			r := l.opts.stdinReader()
			out <- input{path: "-", open: func(ctx context.Context) (io.ReadCloser, error) {
				return io.NopCloser(&ctxReader{ctx: ctx, r: r}), nil
			}}
		case strings.HasPrefix(p, "s3://"):
			l.listS3(ctx, p, out)
		default:
			l.listLocal(ctx, p, out)
		}
	}
}

func (l *lister) fail(p string, err error) {
	l.stats.Files++
	l.stats.FilesFailed++
	l.stats.addProblem(l.maxProblems, Problem{Path: p, Record: -1, Message: err.Error()})
}

func (l *lister) addTotal(n int64) {
	if l.total.Load() >= 0 {
		l.total.Add(n)
	}
}

func (l *lister) listLocal(ctx context.Context, root string, out chan<- input) {
	fi, err := os.Stat(root)
	if err != nil {
		l.fail(root, err)
		return
	}
	if !fi.IsDir() {
		// A device or socket never ends or blocks; a named pipe given
		// explicitly is read (process substitution, <(zcat ...), passes
		// one).
		if !fi.Mode().IsRegular() && fi.Mode()&fs.ModeNamedPipe == 0 {
			l.fail(root, fmt.Errorf("not a regular file (%s)", inputfile.Kind(fi.Mode())))
			return
		}
		// A file named explicitly is read whatever its name, except digest
		// and Insights files.
		if reason := skipReason(root, false); reason != "" {
			l.stats.skip(reason)
			return
		}
		l.addTotal(fi.Size())
		out <- fileInput(root)
		return
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			l.fail(p, err)
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p != root && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir // .git and the like
			}
			return nil
		}
		if reason := l.skipReason(p, true); reason != "" {
			l.stats.skip(reason)
			return nil
		}
		// The walk does not follow links: a link is read when it leads to
		// a regular file.
		info, err := os.Stat(p)
		if err != nil {
			l.fail(p, err)
			return nil
		}
		if !info.Mode().IsRegular() {
			l.stats.skip(SkipSpecial)
			l.stats.addProblem(l.maxProblems, Problem{Path: p, Record: -1, Message: "skipped: not a regular file (" + inputfile.Kind(info.Mode()) + ")"})
			return nil
		}
		l.addTotal(info.Size())
		select {
		case out <- fileInput(p):
		case <-ctx.Done():
			return ctx.Err()
		}
		return nil
	})
	if err != nil && ctx.Err() == nil {
		l.fail(root, err)
	}
}

func fileInput(p string) input {
	return input{path: p, open: func(context.Context) (io.ReadCloser, error) { return os.Open(p) }}
}

// skipReason says why a file is not read, or "" to read it. CloudTrail
// writes digest files under AWSLogs/<account>/CloudTrail-Digest/ named
// <account>_CloudTrail-Digest_<region>_..., and Insights events under
// CloudTrail-Insight/ named <account>_CloudTrail-Insight_...; neither holds
// records of API calls.
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-insights-events.html
func skipReason(p string, walked bool) string {
	p = filepath.ToSlash(p)
	base := path.Base(p)
	switch {
	case strings.Contains(base, "_CloudTrail-Digest_") || strings.Contains(p, "/CloudTrail-Digest/"):
		return SkipDigest
	case strings.Contains(base, "_CloudTrail-Insight_") || strings.Contains(p, "/CloudTrail-Insight/"):
		return SkipInsight
	}
	if walked && !jsonName(base) {
		return SkipNotJSON
	}
	return ""
}

func jsonName(name string) bool {
	name = strings.ToLower(strings.TrimSuffix(strings.ToLower(name), ".gz"))
	return strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".jsonl") || strings.HasSuffix(name, ".ndjson")
}

// skipReason adds to the package-level rules the one that needs the
// filter: a log file CloudTrail delivered before Filter.Since holds only
// earlier events, since an event is delivered after it happens.
func (l *lister) skipReason(p string, walked bool) string {
	if reason := skipReason(p, walked); reason != "" {
		return reason
	}
	if since := l.opts.Filter.Since; walked && !since.IsZero() {
		if t, ok := deliveryTime(p); ok && t.Before(since) {
			return SkipBefore
		}
	}
	return ""
}

// deliveryName matches CloudTrail's log file names,
// <account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz, whose
// timestamp is when the file was written.
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html
var deliveryName = lazyre.New(`^\d{12}_CloudTrail_[a-z0-9-]+_(\d{8}T\d{4}Z)_[A-Za-z0-9]+\.json(\.gz)?$`)

// clockSkew widens the delivery time: event times come from the
// services' clocks, the file name from CloudTrail's.
const clockSkew = time.Hour

// deliveryTime reads the delivery time from a CloudTrail file name.
func deliveryTime(p string) (time.Time, bool) {
	m := deliveryName().FindStringSubmatch(path.Base(filepath.ToSlash(p)))
	if m == nil {
		return time.Time{}, false
	}
	t, err := time.Parse("20060102T1504Z", m[1])
	if err != nil {
		return time.Time{}, false
	}
	// The name has minutes: the file may hold events up to the end of
	// that minute.
	return t.Add(time.Minute + clockSkew), true
}

// ctxReader gives way to ctx while a read blocks: standard input may be a
// pipe or a terminal that sends nothing for ever, and an interrupted
// command must still stop. The abandoned read ends with the process.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
	buf []byte
}

type ctxRead struct {
	n   int
	err error
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	if cap(c.buf) < len(p) {
		c.buf = make([]byte, len(p))
	}
	buf := c.buf[:len(p)]
	ch := make(chan ctxRead, 1)
	go func() {
		n, err := c.r.Read(buf)
		ch <- ctxRead{n, err}
	}()
	select {
	case res := <-ch:
		copy(p, buf[:res.n])
		return res.n, res.err
	case <-c.ctx.Done():
		c.buf = nil // still being written by the abandoned read
		return 0, c.ctx.Err()
	}
}
