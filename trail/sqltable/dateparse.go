package sqltable

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// dateParse is Athena's date_parse(string, format): it parses string with
// a MySQL-style format and returns a timestamp
// (https://trino.io/docs/current/functions/datetime.html#mysql-date-functions).
// DuckDB's strptime wants a constant format and C specifiers, so a macro
// cannot translate it; this is a Go scalar function instead.
type dateParse struct{}

func (dateParse) Config() duckdb.ScalarFuncConfig {
	varchar, _ := duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR)
	ts, _ := duckdb.NewTypeInfo(duckdb.TYPE_TIMESTAMP)
	return duckdb.ScalarFuncConfig{InputTypeInfos: []duckdb.TypeInfo{varchar, varchar}, ResultTypeInfo: ts}
}

func (dateParse) Executor() duckdb.ScalarFuncExecutor {
	return duckdb.ScalarFuncExecutor{RowExecutor: func(v []driver.Value) (any, error) {
		s, _ := v[0].(string)
		f, _ := v[1].(string)
		return parseMySQLTime(s, f)
	}}
}

// registerGoFunctions adds the Go scalar functions to the database; they
// live in its catalog for as long as it is open.
func registerGoFunctions(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := duckdb.RegisterScalarUDF(conn, "date_parse", dateParse{}); err != nil {
		return fmt.Errorf("define date_parse: %w", err)
	}
	return nil
}

var (
	monthNames   = []string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}
	weekdayNames = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}
)

// parseMySQLTime parses s with the MySQL format specifiers Trino's
// date_parse accepts; the week-based ones (%U %u %V %v %X %x) are refused,
// as Trino refuses them. Fields not in the format default to 1970-01-01
// 00:00:00.
func parseMySQLTime(s, format string) (time.Time, error) {
	year, month, day, hour, minute, sec, nano := 1970, 1, 1, 0, 0, 0, 0
	pm, hour12 := -1, false
	yday := 0
	in := s
	fail := func(what string) (time.Time, error) {
		return time.Time{}, fmt.Errorf("date_parse: %q does not match format %q (at %s)", s, format, what)
	}
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			if len(in) == 0 || in[0] != c {
				return fail(fmt.Sprintf("%q", string(c)))
			}
			in = in[1:]
			continue
		}
		i++
		spec := format[i]
		var ok bool
		switch spec {
		case 'Y':
			year, in, ok = digits(in, 4, 4)
		case 'y':
			year, in, ok = digits(in, 2, 2)
			// Two-digit years are 1970 to 2069, as in Joda-Time.
			if year < 70 {
				year += 2000
			} else {
				year += 1900
			}
		case 'm', 'c':
			month, in, ok = digits(in, 1, 2)
		case 'd', 'e':
			day, in, ok = digits(in, 1, 2)
		case 'H', 'k':
			hour, in, ok = digits(in, 1, 2)
		case 'h', 'I', 'l':
			hour, in, ok = digits(in, 1, 2)
			hour12 = true
		case 'i':
			minute, in, ok = digits(in, 1, 2)
		case 's', 'S':
			sec, in, ok = digits(in, 1, 2)
		case 'f':
			var frac, n int
			start := len(in)
			frac, in, ok = digits(in, 1, 9)
			n = start - len(in)
			for ; n < 9; n++ {
				frac *= 10
			}
			nano = frac
		case 'j':
			yday, in, ok = digits(in, 1, 3)
		case 'p':
			switch {
			case len(in) >= 2 && strings.EqualFold(in[:2], "AM"):
				pm, in, ok = 0, in[2:], true
			case len(in) >= 2 && strings.EqualFold(in[:2], "PM"):
				pm, in, ok = 1, in[2:], true
			}
		case 'b', 'M':
			month, in, ok = name(in, monthNames, spec == 'b')
		case 'a', 'W':
			_, in, ok = name(in, weekdayNames, spec == 'a')
		case 'T':
			var t time.Time
			t, in, ok = clock(in, "15:04:05")
			hour, minute, sec = t.Hour(), t.Minute(), t.Second()
		case 'r':
			var t time.Time
			t, in, ok = clock(in, "03:04:05 PM")
			hour, minute, sec = t.Hour(), t.Minute(), t.Second()
		case '%':
			ok = len(in) > 0 && in[0] == '%'
			if ok {
				in = in[1:]
			}
		default:
			return time.Time{}, fmt.Errorf("date_parse: format specifier %%%c is not supported", spec)
		}
		if !ok {
			return fail("%" + string(spec))
		}
	}
	if in != "" {
		return fail(fmt.Sprintf("trailing %q", in))
	}
	if hour12 {
		if hour < 1 || hour > 12 {
			return fail("hour")
		}
		hour %= 12
		if pm == 1 {
			hour += 12
		}
	} else if pm == 1 && hour < 12 {
		hour += 12
	}
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 59 {
		return fail("a field out of range")
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nano, time.UTC)
	if yday > 0 {
		t = time.Date(year, 1, yday, hour, minute, sec, nano, time.UTC)
		if t.Year() != year {
			return fail("day of year")
		}
	}
	if t.Day() != day && yday == 0 {
		return fail("day of month")
	}
	return t, nil
}

// digits reads min to max decimal digits.
func digits(s string, min, max int) (int, string, bool) {
	n, v := 0, 0
	for n < len(s) && n < max && '0' <= s[n] && s[n] <= '9' {
		v = v*10 + int(s[n]-'0')
		n++
	}
	return v, s[n:], n >= min
}

// name reads a month or weekday name, full or (abbrev) its first three
// letters, ignoring case; it returns the 1-based index.
func name(s string, names []string, abbrev bool) (int, string, bool) {
	for i, full := range names {
		n := full
		if abbrev {
			n = full[:3]
		}
		if len(s) >= len(n) && strings.EqualFold(s[:len(n)], n) {
			return i + 1, s[len(n):], true
		}
	}
	return 0, s, false
}

// clock reads a time of day in layout.
func clock(s, layout string) (time.Time, string, bool) {
	if len(s) < len(layout) {
		return time.Time{}, s, false
	}
	t, err := time.Parse(layout, s[:len(layout)])
	return t, s[len(layout):], err == nil
}
