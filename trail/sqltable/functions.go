package sqltable

// trinoFunctions are DuckDB macros giving the Athena (Trino) functions that
// CloudTrail queries reach for the names and semantics they have in Athena
// (https://trino.io/docs/current/functions/json.html,
// https://trino.io/docs/current/functions/datetime.html). They are
// temporary macros, created on every connection, so a persisted table file
// stays plain DuckDB. Built-in DuckDB functions they shadow are reached as
// system.main.<name>.
//
// Trino JSON paths may use the bracket form $["key"]; DuckDB's need
// $."key", hence trino_json_path.
var trinoFunctions = []string{
	`CREATE OR REPLACE TEMP MACRO trino_json_path(p) AS
		regexp_replace(p, '\["([^"]*)"\]', '."\1"', 'g')`,

	// json_extract returns the JSON value at the path, NULL when the
	// text is not JSON (Trino's behaviour) rather than an error.
	`CREATE OR REPLACE TEMP MACRO json_extract(j, p) AS
		CASE WHEN json_valid(j) THEN system.main.json_extract(j, trino_json_path(p)) END`,

	// json_extract_scalar returns a scalar as VARCHAR and NULL for an
	// object, an array, a JSON null or a missing path.
	`CREATE OR REPLACE TEMP MACRO json_extract_scalar(j, p) AS
		CASE WHEN json_valid(j)
			AND coalesce(json_type(j, trino_json_path(p)), 'NULL') NOT IN ('OBJECT', 'ARRAY', 'NULL')
		THEN json_extract_string(j, trino_json_path(p)) END`,

	// json_size is the number of elements of the array or keys of the
	// object at the path, 0 for a scalar.
	`CREATE OR REPLACE TEMP MACRO json_size(j, p) AS
		CASE WHEN json_valid(j) THEN
			CASE json_type(j, trino_json_path(p))
				WHEN 'ARRAY' THEN json_array_length(j, trino_json_path(p))
				WHEN 'OBJECT' THEN len(json_keys(j, trino_json_path(p)))
				WHEN NULL THEN NULL
				ELSE 0 END
		END`,
	`CREATE OR REPLACE TEMP MACRO json_array_contains(j, v) AS
		CASE WHEN json_valid(j) AND json_type(j) = 'ARRAY'
		THEN list_contains(json_extract_string(j, '$[*]'), CAST(v AS VARCHAR)) END`,
	`CREATE OR REPLACE TEMP MACRO json_parse(s) AS CAST(s AS JSON)`,
	`CREATE OR REPLACE TEMP MACRO json_format(j) AS CAST(j AS VARCHAR)`,

	// cardinality takes arrays and maps in Trino; DuckDB's only maps.
	`CREATE OR REPLACE TEMP MACRO cardinality(x) AS
		CASE json_type(to_json(x))
			WHEN 'ARRAY' THEN json_array_length(to_json(x))
			WHEN 'OBJECT' THEN len(json_keys(to_json(x)))
		END`,
	`CREATE OR REPLACE TEMP MACRO array_join(l, sep) AS array_to_string(l, sep)`,
	`CREATE OR REPLACE TEMP MACRO regexp_like(s, pattern) AS regexp_matches(s, pattern)`,

	// Times. eventtime is an ISO 8601 string; these turn it into a
	// timestamp with time zone, as Athena does.
	`CREATE OR REPLACE TEMP MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)`,
	`CREATE OR REPLACE TEMP MACRO from_iso8601_date(s) AS CAST(s AS DATE)`,
	`CREATE OR REPLACE TEMP MACRO to_iso8601(t) AS
		strftime(CAST(t AS TIMESTAMPTZ) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ')`,
	`CREATE OR REPLACE TEMP MACRO from_unixtime(n) AS to_timestamp(n)`,
	`CREATE OR REPLACE TEMP MACRO to_unixtime(t) AS epoch(t)`,

	// MySQL-style format specifiers (date_format; date_parse is a Go
	// function, dateparse.go) to DuckDB's
	// strftime ones: %i minutes, %s seconds, %M month name, %W weekday
	// name, %h 12-hour clock, %e day and %c month without padding, %T and
	// %r times. %M is rewritten before %i becomes %M.
	`CREATE OR REPLACE TEMP MACRO trino_time_format(f) AS
		replace(replace(replace(replace(replace(replace(replace(replace(replace(
			f, '%M', '%B'), '%i', '%M'), '%s', '%S'), '%W', '%A'), '%h', '%I'),
			'%e', '%-d'), '%c', '%-m'), '%T', '%H:%M:%S'), '%r', '%I:%M:%S %p')`,
	`CREATE OR REPLACE TEMP MACRO date_format(t, f) AS strftime(t, trino_time_format(f))`,
}
