package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/inputfile"
	"github.com/iamwhy/iamwhy/replay"
	"github.com/iamwhy/iamwhy/trail"
)

// trailCommands lists the `iamwhy trail` subcommands; each lives in its
// own file (trail_*.go) and adds its constructor here.
var trailCommands = []func(Streams) *cobra.Command{
	newTrailDeniedCmd,
	newTrailQueryCmd, newTrailIngestCmd,
	newTrailDiagnoseCmd,
}

func newTrailCmd(s Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "trail",
		Short: "Read CloudTrail logs: the denials in them, SQL over them",
		Long: `Reads CloudTrail as AWS delivers it: the S3 layout of a trail
(AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz, organisation trails
under AWSLogs/o-xxxx/), .json and .json.gz files holding {"Records": [...]},
'aws cloudtrail lookup-events' output, EventBridge events, bare arrays, JSON
lines, s3://bucket/prefix URIs and - for standard input. Directories are walked
recursively; digest and Insights files are skipped. Unreadable files and
records are reported with their place, and duplicates (same eventID) removed.`,
		Example: `  iamwhy trail denied testdata/cloudtrail
  iamwhy trail query --sql "SELECT count(*) FROM cloudtrail_logs" examples/trail
  iamwhy trail diagnose examples/trail --env examples/env`,
	}
	for _, c := range trailCommands {
		cmd.AddCommand(c(s))
	}
	return cmd
}

// parseTimeFlag reads an RFC 3339 time, a date (UTC midnight), a date
// and minute, or a duration before now ("36h", "7d").
func parseTimeFlag(name, v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	if days, ok := strings.CutSuffix(v, "d"); ok {
		if n, err := strconv.ParseFloat(days, 64); err == nil && n >= 0 {
			return now.Add(-time.Duration(n * float64(24*time.Hour))).UTC(), nil
		}
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return now.Add(-d).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%s %q: want an RFC 3339 time, YYYY-MM-DD, or a duration ago such as 36h or 7d", name, v)
}

// progressBar draws read progress on a terminal, at most five times a
// second (Read's Progress calls pace it).
type progressBar struct {
	mu    sync.Mutex
	w     io.Writer
	start time.Time
	drawn bool
}

func newProgressBar(w io.Writer) *progressBar {
	return &progressBar{w: w, start: time.Now()}
}

func (p *progressBar) update(done, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	el := time.Since(p.start).Seconds()
	rate := ""
	if el > 0 {
		rate = fmt.Sprintf("  %s/s", inputfile.Size(int64(float64(done)/el)))
	}
	const width = 30
	if total > 0 {
		frac := float64(done) / float64(total)
		if frac > 1 {
			frac = 1
		}
		n := int(frac * width)
		fmt.Fprintf(p.w, "\r[%s%s] %3.0f%%  %s / %s%s \x1b[K", strings.Repeat("=", n), strings.Repeat(" ", width-n),
			frac*100, inputfile.Size(done), inputfile.Size(total), rate)
	} else {
		fmt.Fprintf(p.w, "\r%s read%s \x1b[K", inputfile.Size(done), rate)
	}
	p.drawn = true
}

// clear erases the bar so that what follows starts on a clean line.
func (p *progressBar) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

// trailDeniedOptions are the flags of `iamwhy trail denied`.
type trailDeniedOptions struct {
	Paths  []string
	Output string
	Bucket time.Duration
	Filter trailFilterFlags
}

func newTrailDeniedCmd(s Streams) *cobra.Command {
	var o trailDeniedOptions
	cmd := &cobra.Command{
		Use:   "denied PATH...",
		Short: "Summarise the access-denied errors in CloudTrail logs",
		Long: `Finds every access-denied-class error (AccessDenied, AccessDeniedException,
Client.UnauthorizedOperation, AuthorizationError, ...) in the logs and groups
them by principal (a role session under its role), action, resource and error
message (with request IDs, encoded authorization messages and session names
normalised), with counts, first and last seen, and a time histogram.

Output: text (default), json (one object: groups, histogram, read statistics),
or csv (one row per group; statistics on standard error).

Exit status: 0 when every input was read cleanly; 1 when some files or records
could not be read or had fields of the wrong type (the summary covers the rest,
the problems are listed on standard error); 2 when the command could not run.`,
		Example: `  iamwhy trail denied testdata/cloudtrail
  iamwhy trail denied --since 7d --principal arn:aws:iam::111122223333:role/app s3://trail/AWSLogs/
  iamwhy trail denied -o json examples/trail | jq '.groups[0]'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Paths = args
			return runTrailDenied(cmd.Context(), s, o)
		},
	}
	outputFlag(cmd, &o.Output, "text", "json", "csv")
	cmd.Flags().DurationVar(&o.Bucket, "bucket", 0, "histogram bucket width (default: chosen from the time span, at most 48 buckets)")
	o.Filter.register(cmd)
	return cmd
}

func runTrailDenied(ctx context.Context, s Streams, o trailDeniedOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if o.Bucket < 0 {
		return fmt.Errorf("--bucket %s: must not be negative", o.Bucket)
	}
	opts, err := o.Filter.options(s, time.Now())
	if err != nil {
		return err
	}
	bar := o.Filter.progress(s, o.Output)
	if bar != nil {
		opts.Progress = bar.update
	}
	d, err := trail.SummarizeDenials(ctx, o.Paths, opts, replay.DefaultOptions().DenialGrouping(o.Bucket))
	if bar != nil {
		bar.clear()
	}
	if err != nil {
		return err
	}
	if err := failNoInput(s, &d.Stats); err != nil {
		return err
	}
	if err := trailDeniedRenderers[o.Output](s, d); err != nil {
		return err
	}
	return reportTrailProblems(s, &d.Stats)
}

// trailDeniedRenderers are trail denied's outputs, by --output format.
// CSV has no room for the read statistics: they go to standard error.
var trailDeniedRenderers = map[string]func(Streams, *trail.Denials) error{
	"text": func(s Streams, d *trail.Denials) error { return renderDeniedText(s.Out, d) },
	"json": func(s Streams, d *trail.Denials) error { return renderDeniedJSON(s.Out, d) },
	"csv": func(s Streams, d *trail.Denials) error {
		if err := renderDeniedCSV(s.Out, d); err != nil {
			return err
		}
		fmt.Fprintln(s.Err, "iamwhy: "+readSummary(&d.Stats))
		return nil
	},
}

// printTrailProblems lists on standard error what Read could not read.
func printTrailProblems(s Streams, st *trail.Stats) {
	for _, p := range st.Problems {
		fmt.Fprintln(s.Err, "iamwhy: trail:", p)
	}
	if st.ProblemsOmitted > 0 {
		fmt.Fprintf(s.Err, "iamwhy: trail: %d more problems not shown\n", st.ProblemsOmitted)
	}
}

// reportTrailProblems lists the inputs that could not be read on standard
// error and returns exit status 1 when there were any.
func reportTrailProblems(s Streams, st *trail.Stats) error {
	printTrailProblems(s, st)
	if len(st.Problems) > 0 || st.ProblemsOmitted > 0 {
		return silentExit(1)
	}
	return nil
}

// noInputError is the error (exit status 2) of a trail command none of
// whose inputs could be read: an empty answer would say nothing about the
// logs.
func noInputError(st *trail.Stats) error {
	return fmt.Errorf("no input could be read (%s)", readSummary(st))
}

// failNoInput lists what could not be read and returns noInputError when
// none of the inputs could be read, nil otherwise.
func failNoInput(s Streams, st *trail.Stats) error {
	if !st.NoInput() {
		return nil
	}
	printTrailProblems(s, st)
	return noInputError(st)
}

// readSummary is one line on what was read.
func readSummary(st *trail.Stats) string {
	skipped := ""
	if len(st.Skipped) > 0 {
		var parts []string
		for _, k := range sortedStatKeys(st.Skipped) {
			parts = append(parts, fmt.Sprintf("%d %s", st.Skipped[k], k))
		}
		skipped = ": " + strings.Join(parts, ", ")
	}
	out := fmt.Sprintf("read %d files (%s, %s of JSON), skipped %d%s, failed %d; %d records, %d unreadable, %d duplicates removed",
		st.Files, inputfile.Size(st.Bytes), inputfile.Size(st.TextBytes), st.FilesSkipped, skipped, st.FilesFailed,
		st.Records, st.RecordsFailed, st.Duplicates)
	if st.EmptyFiles > 0 {
		out += fmt.Sprintf("; %d empty files", st.EmptyFiles)
	}
	if st.FilteredBadTime > 0 {
		out += fmt.Sprintf("; %d records left out of the time range because their eventTime is not a time", st.FilteredBadTime)
	}
	return out
}

func sortedStatKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// deniedJSON is the JSON document of `trail denied --output json`.
type deniedJSON struct {
	FormatVersion int                 `json:"format_version"`
	Total         int64               `json:"total"`
	First         *time.Time          `json:"first"`
	Last          *time.Time          `json:"last"`
	UnknownTime   int64               `json:"unknown_time"`
	Histogram     deniedHistogramJSON `json:"histogram"`
	Stats         deniedStatsJSON     `json:"stats"`
	// groups follow, written one by one (renderDeniedJSON).
}

type deniedHistogramJSON struct {
	Start  *time.Time `json:"start"`
	Bucket *string    `json:"bucket"`
	Counts []int64    `json:"counts"`
}

type deniedGroupJSON struct {
	Count         int64    `json:"count"`
	Principal     string   `json:"principal"`
	PrincipalType *string  `json:"principal_type"`
	Action        string   `json:"action"`
	Resource      *string  `json:"resource"`
	ErrorCodes    []string `json:"error_codes"`
	Message       *string  `json:"message"`
	First         *string  `json:"first"`
	Last          *string  `json:"last"`
	Accounts      []string `json:"accounts"`
	Regions       []string `json:"regions"`
	Example       *string  `json:"example_event_id"`
	Histogram     []int64  `json:"histogram"`
}

// trailStatsJSON is how a trail was read, in the snake_case of every JSON
// document (trail denied, trail diagnose).
func trailStatsJSON(st *trail.Stats) deniedStatsJSON {
	problems := st.Problems
	if problems == nil {
		problems = []trail.Problem{}
	}
	return deniedStatsJSON{
		Files: st.Files, FilesSkipped: st.FilesSkipped, Skipped: st.Skipped, FilesFailed: st.FilesFailed,
		Records: st.Records, RecordsFailed: st.RecordsFailed, FieldErrors: st.FieldErrors, Duplicates: st.Duplicates,
		FilteredBadTime: st.FilteredBadTime, EmptyFiles: st.EmptyFiles, LinesSkipped: st.LinesSkipped,
		Bytes: st.Bytes, TextBytes: st.TextBytes, Problems: problems, ProblemsOmitted: st.ProblemsOmitted,
	}
}

type deniedStatsJSON struct {
	Files           int64            `json:"files"`
	FilesSkipped    int64            `json:"files_skipped"`
	Skipped         map[string]int64 `json:"skipped"`
	FilesFailed     int64            `json:"files_failed"`
	Records         int64            `json:"records"`
	RecordsFailed   int64            `json:"records_failed"`
	FieldErrors     int64            `json:"field_errors"`
	Duplicates      int64            `json:"duplicates"`
	FilteredBadTime int64            `json:"filtered_bad_time"`
	EmptyFiles      int64            `json:"empty_files"`
	LinesSkipped    int64            `json:"lines_skipped"`
	Bytes           int64            `json:"bytes"`
	TextBytes       int64            `json:"text_bytes"`
	Problems        []trail.Problem  `json:"problems"`
	ProblemsOmitted int64            `json:"problems_omitted"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func timeString(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func renderDeniedJSON(w io.Writer, d *trail.Denials) error {
	out := deniedJSON{
		FormatVersion: 1, Total: d.Total, First: timePtr(d.First), Last: timePtr(d.Last), UnknownTime: d.UnknownTime,
		Histogram: deniedHistogramJSON{Start: timePtr(d.Histogram.Start), Counts: d.Histogram.Counts},
		Stats:     trailStatsJSON(&d.Stats),
	}
	if out.Histogram.Counts == nil {
		out.Histogram.Counts = []int64{}
	}
	if d.Histogram.Bucket > 0 {
		b := d.Histogram.Bucket.String()
		out.Histogram.Bucket = &b
	}
	if out.Stats.Skipped == nil {
		out.Stats.Skipped = map[string]int64{}
	}
	if out.Stats.Problems == nil {
		out.Stats.Problems = []trail.Problem{}
	}
	// The groups can be many (one per distinct resource): they are
	// encoded one at a time after the rest instead of in one value.
	head, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	bw.Write(bytes.TrimSuffix(head, []byte("\n}")))
	bw.WriteString(",\n  \"groups\": [")
	for i, g := range d.Groups {
		b, err := json.MarshalIndent(deniedGroupJSON{
			Count: g.Count, Principal: g.Principal, PrincipalType: nullString(g.PrincipalType), Action: g.Action,
			Resource: nullString(g.Resource), ErrorCodes: emptyList(g.ErrorCodes), Message: nullString(g.Message),
			First: timeString(g.First), Last: timeString(g.Last), Accounts: emptyList(g.Accounts), Regions: emptyList(g.Regions),
			Example: nullString(g.Example), Histogram: nonNil(g.Histogram),
		}, "    ", "  ")
		if err != nil {
			return err
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		bw.Write(b)
	}
	if len(d.Groups) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]\n}\n")
	return bw.Flush()
}

func renderDeniedCSV(w io.Writer, d *trail.Denials) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"count", "principal", "principal_type", "action", "resource", "error_codes", "message",
		"first", "last", "accounts", "regions", "example_event_id"})
	opt := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, g := range d.Groups {
		cw.Write([]string{strconv.FormatInt(g.Count, 10), g.Principal, g.PrincipalType, g.Action, g.Resource,
			strings.Join(g.ErrorCodes, " "), g.Message, opt(g.First), opt(g.Last),
			strings.Join(g.Accounts, " "), strings.Join(g.Regions, " "), g.Example})
	}
	cw.Flush()
	return cw.Error()
}

// sparkline draws counts as block characters scaled to their maximum.
func sparkline(counts []int64) string {
	const levels = "▁▂▃▄▅▆▇█"
	blocks := []rune(levels)
	var max int64
	for _, c := range counts {
		if c > max {
			max = c
		}
	}
	var b strings.Builder
	for _, c := range counts {
		switch {
		case c == 0:
			b.WriteRune(' ')
		default:
			i := int((c*int64(len(blocks)) - 1) / max)
			if i >= len(blocks) {
				i = len(blocks) - 1
			}
			b.WriteRune(blocks[i])
		}
	}
	return b.String()
}

func bucketLabel(t time.Time, w time.Duration) string {
	switch {
	case w >= 24*time.Hour:
		return t.UTC().Format("2006-01-02")
	default:
		return t.UTC().Format("2006-01-02 15:04")
	}
}

func renderDeniedText(w io.Writer, d *trail.Denials) error {
	bw := &errWriter{w: w}
	if d.Total == 0 {
		bw.printf("No access-denied errors.\n")
	} else {
		bw.printf("%d access-denied errors in %d groups", d.Total, len(d.Groups))
		if !d.First.IsZero() {
			bw.printf(", %s to %s", d.First.UTC().Format(time.RFC3339), d.Last.UTC().Format(time.RFC3339))
		}
		bw.printf(".\n")
		if d.UnknownTime > 0 {
			bw.printf("%d of them have no valid eventTime.\n", d.UnknownTime)
		}
	}
	bw.printf("%s.\n", capitalize(readSummary(&d.Stats)))
	if h := d.Histogram; len(h.Counts) > 0 {
		bw.printf("\nPer %s:\n", durationWord(h.Bucket))
		var max int64
		for _, c := range h.Counts {
			max = max2(max, c)
		}
		for i := 0; i < len(h.Counts); i++ {
			c := h.Counts[i]
			// A run of three or more empty buckets is shown as one line.
			if j := i; c == 0 {
				for j < len(h.Counts) && h.Counts[j] == 0 {
					j++
				}
				if j-i >= 3 {
					bw.printf("  %-16s %7s (%d empty)\n", bucketLabel(h.Start.Add(time.Duration(i)*h.Bucket), h.Bucket), "...", j-i)
					i = j - 1
					continue
				}
			}
			bar := ""
			if max > 0 {
				bar = strings.Repeat("█", int((c*40+max-1)/max))
			}
			bw.printf("  %-16s %7d %s\n", bucketLabel(h.Start.Add(time.Duration(i)*h.Bucket), h.Bucket), c, bar)
		}
	}
	for i, g := range d.Groups {
		bw.printf("\n%d. %d× %s by %s", i+1, g.Count, g.Action, g.Principal)
		if g.PrincipalType != "" {
			bw.printf(" (%s)", g.PrincipalType)
		}
		bw.printf("\n")
		res := g.Resource
		if res == "" {
			res = "(not recorded)"
		}
		bw.printf("   resource: %s\n", res)
		bw.printf("   %s: %s\n", strings.Join(g.ErrorCodes, ", "), orNone(g.Message))
		if !g.First.IsZero() {
			bw.printf("   first %s, last %s", g.First.UTC().Format(time.RFC3339), g.Last.UTC().Format(time.RFC3339))
			if len(g.Histogram) > 1 {
				bw.printf("  |%s|", sparkline(g.Histogram))
			}
			bw.printf("\n")
		}
		bw.printf("   accounts %s; regions %s; e.g. event %s\n", orNone(strings.Join(g.Accounts, ", ")), orNone(strings.Join(g.Regions, ", ")), orNone(g.Example))
	}
	return bw.err
}

func max2(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// durationWord names a bucket width: "minute", "5 minutes", "day", ...
func durationWord(d time.Duration) string {
	unit := func(n int64, one string) string {
		if n == 1 {
			return one
		}
		return fmt.Sprintf("%d %ss", n, one)
	}
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return unit(int64(d/(24*time.Hour)), "day")
	case d >= time.Hour && d%time.Hour == 0:
		return unit(int64(d/time.Hour), "hour")
	case d >= time.Minute && d%time.Minute == 0:
		return unit(int64(d/time.Minute), "minute")
	}
	return d.String()
}

// errWriter keeps the first write error so rendering code stays linear.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
