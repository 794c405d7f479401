// Package trail reads CloudTrail as AWS delivers it: the S3 layout of a
// trail (AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz, and
// AWSLogs/o-xxxx/<account>/... for organisation trails), single files,
// `aws cloudtrail lookup-events` output, EventBridge events, bare arrays,
// JSON lines and standard input, locally or from S3. It summarises the
// access-denied errors in them (Denials).
//
// Reading is parallel per file and streaming: each worker decodes one file
// at a time through a bounded buffer and picks the needed fields out of
// each record without building a generic JSON tree, so memory stays flat
// whatever the input size (the duplicate filter keeps 16 bytes per kept
// record). Nothing is dropped silently: skipped files, unreadable files
// and records, duplicates and filtered records are counted in Stats.
package trail

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iamwhy/iamwhy/internal/jsonenc"
	"github.com/iamwhy/iamwhy/policy"
)

// Options control Read.
type Options struct {
	// Filter selects records; the zero Filter keeps all.
	Filter Filter
	// Workers is how many files are decoded at once; 0 means GOMAXPROCS.
	Workers int
	// Serial makes Read call fn from one goroutine at a time (fn need not
	// be safe for concurrent use). Records are in input order only with
	// Workers == 1.
	Serial bool
	// KeepDuplicates turns off removal of records whose eventID was
	// already seen.
	KeepDuplicates bool
	// RawOnly, for callers that only need each record's JSON (Raw), skips
	// decoding the fields Read does not need itself: the Record passed to
	// fn has Raw, EventID, EventTime, Time, EventSource and EventName set
	// and every other field empty. Shapes, duplicates, problems and Stats
	// are as without it, except that FieldErrors and their problems are
	// reported for those fields only. It is ignored when Filter selects
	// anything, since the filter may need any field.
	RawOnly bool
	// Members, when not nil, limits decoding to the record members named
	// (CloudTrail's spelling, case-insensitive: "userIdentity",
	// "requestParameters", "errorCode", ...) besides those Read needs
	// itself (eventID, eventTime, eventSource, eventName and the shape
	// keys) and those the Filter's criteria read; every other field is
	// left empty. "userIdentity.arn", "userIdentity.sessionContext.
	// sessionIssuer.arn" and the like decode those userIdentity fields
	// only. Record.DecodeAll fills the rest, from Raw, for the
	// records a caller needs whole. Filter.Match and Filter.RawMatch see
	// the projected record. Nil decodes every member.
	Members []string
	// Progress, when set, is called about five times a second and once at
	// the end from a single goroutine with the input bytes read so far
	// (compressed, as stored) and the total known so far (it grows while
	// directories and S3 prefixes are listed; -1 when unknown, as for
	// standard input).
	Progress func(bytesDone, bytesTotal int64)
	// S3Client reads s3:// inputs; nil means a client from the default
	// AWS configuration (environment, shared config, instance role).
	S3Client S3API
	// Stdin is read for the path "-"; nil means os.Stdin.
	Stdin io.Reader
	// MaxProblems bounds Stats.Problems (the counts stay exact); 0 means
	// 1000, negative means no bound.
	MaxProblems int
}

// Stats count what Read saw. Records that were decoded = Records; of
// those, Filtered did not pass the filter and Duplicates repeated an
// eventID among those that passed; fn got the rest.
type Stats struct {
	Files         int64 // inputs opened
	FilesSkipped  int64 // not read: digest and Insights files, non-JSON names in directories
	FilesFailed   int64 // inputs that could not be read to the end (records before the fault were used)
	Records       int64 // records decoded
	RecordsFailed int64 // values that are not readable records
	FieldErrors   int64 // records delivered with a field of the wrong JSON type left empty (each also a Problem)
	Duplicates    int64
	Filtered      int64
	// FilteredBadTime counts the Filtered records that failed only a time
	// bound (Since, Until) because their eventTime is not a time; each is
	// also a Problem.
	FilteredBadTime int64
	// EmptyFiles counts inputs that were read and held no bytes at all.
	EmptyFiles int64
	Bytes      int64 // input bytes read, as stored (compressed)
	TextBytes  int64 // JSON text decoded (after decompression)
	// LinesSkipped counts lines passed over to find the next record after
	// a syntax error (JSON lines resume at the next line starting with {
	// or [); each run is also a Problem.
	LinesSkipped int64
	// Skipped counts skipped files by reason.
	Skipped map[string]int64
	// Problems lists unreadable inputs and records, at most
	// Options.MaxProblems of them, sorted by path and position.
	Problems []Problem
	// ProblemsOmitted counts problems left out of Problems.
	ProblemsOmitted int64
}

// NoInput reports that nothing could be read: no input was opened and read
// (every path was missing, unreadable or skipped, or a directory held no
// log files), so an empty result says nothing about the logs.
func (s *Stats) NoInput() bool {
	return s.Records == 0 && s.RecordsFailed == 0 && s.Files-s.FilesFailed <= 0
}

// Delivered is the number of records passed to the callback.
func (s *Stats) Delivered() int64 { return s.Records - s.Filtered - s.Duplicates }

// Problem is an input or a record that could not be read.
type Problem struct {
	Path string `json:"path"`
	// Line and Col (1-based, col in bytes of the decompressed text) place
	// the problem; 0 (JSON null) when unknown.
	Line int `json:"line"`
	Col  int `json:"col"`
	// Record is the 0-based index of the record in its file, or -1 when the
	// problem concerns the whole input.
	Record  int    `json:"record"`
	Message string `json:"message"`
}

// MarshalJSON writes every field of the problem, an unknown line or
// column as null.
func (p Problem) MarshalJSON() ([]byte, error) {
	pos := func(n int) *int {
		if n <= 0 {
			return nil
		}
		return &n
	}
	return jsonenc.Marshal(struct {
		Path    string `json:"path"`
		Line    *int   `json:"line"`
		Col     *int   `json:"col"`
		Record  int    `json:"record"`
		Message string `json:"message"`
	}{p.Path, pos(p.Line), pos(p.Col), p.Record, p.Message})
}

func (p Problem) String() string {
	s := policy.At(p.Path, p.Line, p.Col).String()
	if p.Record >= 0 {
		s += fmt.Sprintf(": record %d", p.Record)
	}
	return s + ": " + p.Message
}

func (s *Stats) addProblem(max int, p Problem) {
	if max >= 0 && len(s.Problems) >= max {
		s.ProblemsOmitted++
		return
	}
	s.Problems = append(s.Problems, p)
}

func (s *Stats) skip(reason string) {
	s.FilesSkipped++
	if s.Skipped == nil {
		s.Skipped = map[string]int64{}
	}
	s.Skipped[reason]++
}

func (s *Stats) merge(o *Stats) {
	s.Files += o.Files
	s.FilesSkipped += o.FilesSkipped
	s.FilesFailed += o.FilesFailed
	s.Records += o.Records
	s.RecordsFailed += o.RecordsFailed
	s.FieldErrors += o.FieldErrors
	s.Duplicates += o.Duplicates
	s.Filtered += o.Filtered
	s.FilteredBadTime += o.FilteredBadTime
	s.EmptyFiles += o.EmptyFiles
	s.Bytes += o.Bytes
	s.TextBytes += o.TextBytes
	s.LinesSkipped += o.LinesSkipped
	for k, v := range o.Skipped {
		if s.Skipped == nil {
			s.Skipped = map[string]int64{}
		}
		s.Skipped[k] += v
	}
	s.Problems = append(s.Problems, o.Problems...)
	s.ProblemsOmitted += o.ProblemsOmitted
}

// Read reads every record of the inputs named by paths (files,
// directories walked recursively, s3://bucket/prefix URIs, "-" for
// standard input) and calls fn with each record that passes opts.Filter,
// once per eventID.
//
// fn is called from several goroutines at once unless opts.Serial is set
// or opts.Workers is 1; the *Record is reused after fn returns (see
// Record). An error from fn stops reading and is returned; no call of fn
// starts after it. Read's error
// is otherwise only for a context cancellation or invalid options: inputs
// that cannot be read are counted and described in Stats.
func Read(ctx context.Context, paths []string, opts Options, fn func(*Record) error) (Stats, error) {
	filt, err := opts.Filter.compile()
	if err != nil {
		return Stats{}, err
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	maxProblems := opts.MaxProblems
	if maxProblems == 0 {
		maxProblems = 1000
	}
	members := filt.members(opts.Members)
	var seen *eventIDSet
	if !opts.KeepDuplicates {
		seen = newEventIDSet()
	}

	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		done, total atomic.Int64
		firstErr    error
		errOnce     sync.Once
	)
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err; cancel() })
	}

	// After fn fails no further call starts (calls already running in
	// other workers finish).
	var stopped atomic.Bool
	inner := fn
	fn = func(r *Record) error {
		if stopped.Load() {
			return context.Canceled
		}
		err := inner(r)
		if err != nil {
			fail(err) // recorded before any other worker sees stopped
			stopped.Store(true)
		}
		return err
	}
	if opts.Serial && workers > 1 {
		var mu sync.Mutex
		unlocked := fn
		fn = func(r *Record) error {
			mu.Lock()
			defer mu.Unlock()
			return unlocked(r)
		}
	}

	lister := &lister{opts: &opts, total: &total, maxProblems: maxProblems}
	inputs := make(chan input, 64)
	go func() {
		defer close(inputs)
		lister.list(ctx, paths, inputs)
	}()

	var progressDone chan struct{}
	if opts.Progress != nil {
		progressDone = make(chan struct{})
		stopProgress := make(chan struct{})
		defer func() {
			close(stopProgress)
			<-progressDone
			opts.Progress(done.Load(), total.Load())
		}()
		go func() {
			defer close(progressDone)
			t := time.NewTicker(200 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stopProgress:
					return
				case <-t.C:
					opts.Progress(done.Load(), total.Load())
				}
			}
		}()
	}

	perWorker := make([]Stats, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(st *Stats) {
			defer wg.Done()
			n := 0
			deliver := func(r *Record) error {
				if n++; n&1023 == 0 && ctx.Err() != nil {
					return ctx.Err()
				}
				if !filt.match(r) {
					st.Filtered++
					if filt.unreadableTime(r) {
						st.FilteredBadTime++
						st.addProblem(maxProblems, Problem{Path: r.Path, Record: r.Index,
							Message: fmt.Sprintf("eventTime %q is not a time: the record is left out of the time range", r.EventTime)})
					}
					return nil
				}
				if seen != nil && !seen.add(r.EventID) {
					st.Duplicates++
					return nil
				}
				return fn(r)
			}
			fd := newFileDecoder(st, maxProblems, deliver)
			fd.dec.rawOnly = opts.RawOnly && !filt.any
			if !fd.dec.rawOnly {
				fd.dec.members = members
			}
			if filt.needsError() {
				fd.skip = lacksErrorCode
			}
			if rm := opts.Filter.RawMatch; rm != nil {
				prev := fd.skip
				fd.skip = func(raw []byte) bool { return (prev != nil && prev(raw)) || !rm(raw) }
			}
			for in := range inputs {
				if ctx.Err() != nil {
					continue // drain so the lister can finish
				}
				if err := readInput(ctx, fd, in, &done, st); err != nil {
					fail(err)
				}
			}
		}(&perWorker[w])
	}
	wg.Wait()

	var stats Stats
	stats.merge(&lister.stats)
	for i := range perWorker {
		stats.merge(&perWorker[i])
	}
	sort.SliceStable(stats.Problems, func(i, j int) bool {
		a, b := stats.Problems[i], stats.Problems[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	if maxProblems >= 0 && len(stats.Problems) > maxProblems {
		stats.ProblemsOmitted += int64(len(stats.Problems) - maxProblems)
		stats.Problems = stats.Problems[:maxProblems]
	}
	if firstErr != nil {
		return stats, firstErr
	}
	return stats, parent.Err()
}

// readInput opens one input and decodes it; the error is the callback's
// or the context's.
func readInput(ctx context.Context, fd *fileDecoder, in input, done *atomic.Int64, st *Stats) error {
	rc, err := in.open(ctx)
	if err != nil {
		st.Files++
		st.FilesFailed++
		st.addProblem(fd.maxProblems, Problem{Path: in.path, Record: -1, Message: err.Error()})
		return nil
	}
	defer rc.Close()
	cr := &countingReader{r: rc, done: done, stats: st}
	err = fd.decodeFile(in.path, cr)
	if err != nil {
		return err
	}
	return ctx.Err()
}

// countingReader feeds the progress and byte counters.
type countingReader struct {
	r     io.Reader
	done  *atomic.Int64
	stats *Stats
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.done.Add(int64(n))
		c.stats.Bytes += int64(n)
	}
	return n, err
}

// stdinReader returns the reader for "-".
func (o *Options) stdinReader() io.Reader {
	if o.Stdin != nil {
		return o.Stdin
	}
	return os.Stdin
}
