package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/analyze/unused"
)

// unusedOptions are the flags of `iamwhy unused`.
type unusedOptions struct {
	Paths []string
	envFlags
	Principals   []string
	Trail        trailInputFlags
	LastAccessed []string
	OwnerTag     string
	Output       string
}

func newUnusedCmd(s Streams) *cobra.Command {
	var o unusedOptions
	cmd := &cobra.Command{
		Use:   "unused --env ENV PATH...",
		Short: "Report permissions granted but not used, per principal, with proven removals",
		Long: `For every user and role of the environment (or those named with --principal), lists each
action its identity policies grant (wildcards expanded per service with the service
reference) as used (an authorised call in the trail needed it; with its last use), unused
(no such call, and the trail would have recorded one) or unknown (the trail cannot tell:
data events it does not hold, actions CloudTrail does not log, an account it does not
cover; with the reason), with the policies that grant it and the principal's owner (the
--owner-tag tag). For each policy granting unused actions it proposes the policy without
them (for an AWS managed policy, the customer managed policy to replace it), verified by
re-simulating every used call (still allowed) and every removed action (now denied).

--last-accessed reads 'aws iam get-service-last-accessed-details' output, as FILE (the
report's entity) or PRINCIPAL_ARN=FILE, for principals the trail does not cover.

Exit status: 0; 1 when some inputs could not be read; 2 when the command could not run, or
when no trail input could be read and no --last-accessed report was given.`,
		Example: `  iamwhy unused --env examples/env examples/trail
  iamwhy unused --env examples/env --principal arn:aws:iam::111122223333:role/developer \
    --since 90d --output json ./trail-logs/
  iamwhy unused --env prod/ s3://org-trail/AWSLogs/ \
    --last-accessed arn:aws:iam::111122223333:role/app=last-accessed.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Paths = args
			return runUnused(cmd.Context(), s, o)
		},
	}
	o.envFlags.register(cmd)
	f := cmd.Flags()
	f.StringArrayVar(&o.Principals, "principal", nil, "a user or role ARN to report (repeatable; default: every user and role)")
	o.Trail.register(cmd)
	f.StringArrayVar(&o.LastAccessed, "last-accessed", nil, "get-service-last-accessed-details output, FILE or PRINCIPAL_ARN=FILE (repeatable)")
	f.StringVar(&o.OwnerTag, "owner-tag", "owner", "the tag whose value names a principal's owner")
	outputFlag(cmd, &o.Output, "text", "json")
	return cmd
}

func runUnused(ctx context.Context, s Streams, o unusedOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	return jsonErrors(s, o.Output == "json", unusedRun(ctx, s, o))
}

func unusedRun(ctx context.Context, s Streams, o unusedOptions) error {
	defer capMemory(320 << 20)()
	env, err := o.envFlags.require("the environment whose principals are reported")
	if err != nil {
		return err
	}
	ro, err := o.Trail.options(s, time.Now())
	if err != nil {
		return err
	}
	uo := unused.Options{Principals: o.Principals, OwnerTag: o.OwnerTag}
	for _, spec := range o.LastAccessed {
		la, err := unused.ReadLastAccessed(spec)
		if err != nil {
			return fmt.Errorf("--last-accessed: %w", err)
		}
		uo.LastAccessed = append(uo.LastAccessed, la)
	}
	bar := o.Trail.progress(s, o.Output)
	if bar != nil {
		ro.Progress = bar.update
	}
	res, st, err := unused.FromTrail(ctx, env, o.Paths, ro, uo)
	if bar != nil {
		bar.clear()
	}
	if err != nil {
		return err
	}
	if len(o.LastAccessed) == 0 {
		// Every action would be reported unknown from logs that were
		// never read; say that the inputs are what is wrong. With
		// --last-accessed the report still has a source.
		if err := failNoInput(s, &st); err != nil {
			return err
		}
	}
	if err := unusedRenderers[o.Output](s.Out, res); err != nil {
		return err
	}
	return reportTrailProblems(s, &st)
}

// unusedRenderers are unused's outputs, by --output format.
var unusedRenderers = map[string]func(io.Writer, *unused.Result) error{
	"json": writeUnusedJSON,
	"text": renderUnusedText,
}

func renderUnusedText(w io.Writer, res *unused.Result) error {
	var b strings.Builder
	from, to := "(none)", "(none)"
	if res.Window.From != nil {
		from = *res.Window.From
	}
	if res.Window.To != nil {
		to = *res.Window.To
	}
	fmt.Fprintf(&b, "Trail window %s to %s: %d records, accounts %s; data events of %s; %d read-only events.\n",
		from, to, res.Trail.Records, listOrNone(res.Trail.Accounts), listOrNone(res.Trail.DataEventSources), res.Trail.ReadEvents)
	for _, n := range res.Notes {
		fmt.Fprintf(&b, "note: %s\n", escapeText(n))
	}
	for _, p := range res.Principals {
		owner := "no owner tag"
		if p.Owner != nil {
			owner = "owner " + escapeText(*p.Owner)
		}
		fmt.Fprintf(&b, "\n%s (%s, %s): %d calls; %d used, %d unused, %d unknown", p.Principal, p.Kind, owner, p.Calls,
			p.Counts[unused.StatusUsed], p.Counts[unused.StatusUnused], p.Counts[unused.StatusUnknown])
		if p.Blocked > 0 {
			fmt.Fprintf(&b, "; %d granted but refused by a permissions boundary or SCP", p.Blocked)
		}
		b.WriteString("\n")
		byStatus := map[string][]string{}
		for _, a := range p.Actions {
			line := a.Action
			switch {
			case a.Status == unused.StatusUsed && a.LastUsed != nil:
				line += " (last " + *a.LastUsed + ")"
			case (a.Status == unused.StatusUnknown || a.BlockedBy != nil) && a.Reason != nil:
				line += ": " + *a.Reason
			}
			byStatus[a.Status] = append(byStatus[a.Status], line)
		}
		for _, st := range []string{unused.StatusUnused, unused.StatusUnknown, unused.StatusUsed} {
			list := byStatus[st]
			if len(list) == 0 {
				continue
			}
			fmt.Fprintf(&b, "  %s:\n", st)
			for i, l := range list {
				if i == 20 {
					fmt.Fprintf(&b, "    ... and %d more (--output json lists all)\n", len(list)-20)
					break
				}
				fmt.Fprintf(&b, "    %s\n", escapeText(l))
			}
		}
		if rm := p.Removal; rm != nil {
			fmt.Fprintf(&b, "  proposal (verified: %v; %d of %d used calls still allowed, %d of %d removed actions now denied):\n",
				rm.Verified, rm.Checks.StillAllowed, rm.Checks.UsedCalls, rm.Checks.NowDenied, rm.Checks.RemovedActions)
			for _, name := range sortedPolicyNames(rm.Removed) {
				fmt.Fprintf(&b, "    %s: remove %s\n", escapeText(name), strings.Join(limit(rm.Removed[name], 8), ", "))
				if r, ok := rm.Replaces[name]; ok {
					fmt.Fprintf(&b, "      %s\n", r)
				}
			}
			for _, pr := range rm.Problems {
				fmt.Fprintf(&b, "    problem: %s\n", escapeText(pr))
			}
		}
		for _, n := range p.Notes {
			fmt.Fprintf(&b, "  note: %s\n", escapeText(n))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func sortedPolicyNames(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func listOrNone(l []string) string { return orNone(strings.Join(l, ", ")) }

// writeUnusedJSON writes the result one principal at a time, so a report
// on thousands of principals is never held twice in memory as text.
func writeUnusedJSON(w io.Writer, res *unused.Result) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	field := func(name string, v any, last bool) error {
		b, err := json.MarshalIndent(v, "  ", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintf(bw, "  %q: %s", name, b)
		if !last {
			bw.WriteString(",\n")
		}
		return nil
	}
	bw.WriteString("{\n")
	for _, f := range []struct {
		name string
		v    any
	}{{"format_version", res.FormatVersion}, {"window", res.Window}, {"trail", res.Trail}, {"notes", res.Notes}} {
		if err := field(f.name, f.v, false); err != nil {
			return err
		}
	}
	bw.WriteString("  \"principals\": [")
	first := true
	err := marshalInOrder(len(res.Principals), func(i int) any { return &res.Principals[i] }, "    ", "  ", func(b []byte) error {
		if !first {
			bw.WriteString(",")
		}
		first = false
		bw.WriteString("\n    ")
		_, err := bw.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	if len(res.Principals) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]\n}\n")
	return bw.Flush()
}
