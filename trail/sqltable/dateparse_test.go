package sqltable

import (
	"testing"
	"time"
)

func TestParseMySQLTime(t *testing.T) {
	tests := []struct {
		rule, s, format string
		want            string // RFC 3339 nano, or "" for an error
	}{
		{"CloudTrail's eventtime", "2024-01-16T09:30:05Z", "%Y-%m-%dT%H:%i:%sZ", "2024-01-16T09:30:05Z"},
		{"%T is %H:%i:%s", "2024-01-16 09:30:05", "%Y-%m-%d %T", "2024-01-16T09:30:05Z"},
		{"%f takes 1 to 9 digits", "09:30:05.123", "%H:%i:%s.%f", "1970-01-01T09:30:05.123Z"},
		{"%M is a month name, %W a weekday name", "Tuesday 16 January 2024", "%W %e %M %Y", "2024-01-16T00:00:00Z"},
		{"%h with %p is a 12-hour clock", "12:15 AM", "%h:%i %p", "1970-01-01T00:15:00Z"},
		{"%r is hh:mm:ss AM/PM", "01:02:03 PM", "%r", "1970-01-01T13:02:03Z"},
		{"%y is 1970 to 2069", "69-01-01", "%y-%m-%d", "2069-01-01T00:00:00Z"},
		{"%y is 1970 to 2069 (70)", "70-01-01", "%y-%m-%d", "1970-01-01T00:00:00Z"},
		{"%j is the day of the year", "2024 060", "%Y %j", "2024-02-29T00:00:00Z"},
		{"the day of the year stays in the year", "2023 366", "%Y %j", ""},
		{"%% is a percent sign", "50%", "50%%", "1970-01-01T00:00:00Z"},
		{"literal text must match", "2024/01/16", "%Y-%m-%d", ""},
		{"trailing input is an error", "2024-01-16x", "%Y-%m-%d", ""},
		{"impossible dates are errors", "2024-02-30", "%Y-%m-%d", ""},
		{"week-based specifiers are refused", "2024 03", "%Y %v", ""},
		{"a 12-hour clock has no hour 13", "13:00 PM", "%h:%i %p", ""},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			got, err := parseMySQLTime(tt.s, tt.format)
			if tt.want == "" {
				if err == nil {
					t.Errorf("accepted as %v", got)
				}
				return
			}
			if err != nil || got.Format(time.RFC3339Nano) != tt.want {
				t.Errorf("got %v, %v; want %s", got.Format(time.RFC3339Nano), err, tt.want)
			}
		})
	}
}

func FuzzParseMySQLTime(f *testing.F) {
	f.Add("2024-01-16T09:30:05Z", "%Y-%m-%dT%H:%i:%sZ")
	f.Add("16 Jan 2024 09:30:05.25 PM", "%d %b %Y %h:%i:%s.%f %p")
	f.Add("x", "%")
	f.Fuzz(func(t *testing.T, s, format string) {
		if tm, err := parseMySQLTime(s, format); err == nil && tm.IsZero() {
			t.Fatalf("zero time without an error for %q %q", s, format)
		}
	})
}
