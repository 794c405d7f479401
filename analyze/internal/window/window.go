// Package window is the time window of a trail analysis as results report
// it: the bounds asked for, else the first and last record seen.
package window

import "time"

// Window holds RFC 3339 times; nil for an open, unknown bound.
type Window struct {
	From *string `json:"from"`
	To   *string `json:"to"`
}

// Of returns the window: since and until when given (non-zero), else
// first and last (zero when nothing was seen).
func Of(first, last, since, until time.Time) Window {
	if !since.IsZero() {
		first = since
	}
	if !until.IsZero() {
		last = until
	}
	return Window{From: format(first), To: format(last)}
}

func format(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}
