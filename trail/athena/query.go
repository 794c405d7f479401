// Package athena runs CloudTrail SQL in Amazon Athena, for organisations
// whose trails outgrow one machine: the same cloudtrail_logs table and SQL
// as the local DuckDB engine (package sqltable), over the trail's bucket.
//
// It creates the table with partition projection (CreateTableSQL), starts
// a query, polls it with backoff and streams the result pages, all
// through the AWS SDK for Go v2.
package athena

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
)

// API is the part of the Athena client this package calls; *athena.Client
// satisfies it.
type API interface {
	StartQueryExecution(context.Context, *sdk.StartQueryExecutionInput, ...func(*sdk.Options)) (*sdk.StartQueryExecutionOutput, error)
	GetQueryExecution(context.Context, *sdk.GetQueryExecutionInput, ...func(*sdk.Options)) (*sdk.GetQueryExecutionOutput, error)
	GetQueryResults(context.Context, *sdk.GetQueryResultsInput, ...func(*sdk.Options)) (*sdk.GetQueryResultsOutput, error)
	StopQueryExecution(context.Context, *sdk.StopQueryExecutionInput, ...func(*sdk.Options)) (*sdk.StopQueryExecutionOutput, error)
}

// Config says where queries run.
type Config struct {
	// Database is the Glue database holding the table; Catalog the data
	// catalog ("" means AwsDataCatalog).
	Database string
	Catalog  string
	// Workgroup is the Athena workgroup; "" means the account's primary.
	Workgroup string
	// OutputLocation is the s3:// URI for query results; "" means the
	// workgroup's setting.
	OutputLocation string
	// PollInitial and PollMax bound the wait between GetQueryExecution
	// calls, doubling from the first to the second; 0 means 250 ms and
	// 5 s.
	PollInitial, PollMax time.Duration
	// PageSize is the number of rows per GetQueryResults call; 0 means
	// 1000, the API's maximum.
	PageSize int32
	// AllowDDL lets Execute send statements other than SELECT, WITH, SHOW
	// and DESCRIBE (readonly.go).
	AllowDDL bool
}

// Client runs queries in Athena.
type Client struct {
	api   API
	cfg   Config
	sleep func(context.Context, time.Duration) error
}

// New returns a Client calling api.
func New(api API, cfg Config) *Client {
	if cfg.PollInitial <= 0 {
		cfg.PollInitial = 250 * time.Millisecond
	}
	if cfg.PollMax <= 0 {
		cfg.PollMax = 5 * time.Second
	}
	if cfg.PageSize <= 0 || cfg.PageSize > 1000 {
		cfg.PageSize = 1000
	}
	return &Client{api: api, cfg: cfg, sleep: sleepCtx}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// QueryError is a query Athena ran and failed or cancelled.
type QueryError struct {
	QueryExecutionID string
	State            types.QueryExecutionState
	Reason           string // StateChangeReason
	ErrorType        string // Athena's error category and type, when given
}

func (e *QueryError) Error() string {
	s := fmt.Sprintf("athena query %s %s", e.QueryExecutionID, strings.ToLower(string(e.State)))
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	if e.ErrorType != "" {
		s += " (" + e.ErrorType + ")"
	}
	return s
}

// Execute starts sql, waits for it to finish and returns its result,
// whose rows are fetched page by page as they are read. When ctx ends
// while the query runs, the query is stopped.
func (c *Client) Execute(ctx context.Context, sql string) (*Result, error) {
	if !c.cfg.AllowDDL {
		if err := CheckReadOnly(sql); err != nil {
			return nil, err
		}
	}
	in := &sdk.StartQueryExecutionInput{QueryString: aws.String(sql)}
	if c.cfg.Database != "" || c.cfg.Catalog != "" {
		in.QueryExecutionContext = &types.QueryExecutionContext{}
		if c.cfg.Database != "" {
			in.QueryExecutionContext.Database = aws.String(c.cfg.Database)
		}
		if c.cfg.Catalog != "" {
			in.QueryExecutionContext.Catalog = aws.String(c.cfg.Catalog)
		}
	}
	if c.cfg.Workgroup != "" {
		in.WorkGroup = aws.String(c.cfg.Workgroup)
	}
	if c.cfg.OutputLocation != "" {
		in.ResultConfiguration = &types.ResultConfiguration{OutputLocation: aws.String(c.cfg.OutputLocation)}
	}
	out, err := c.api.StartQueryExecution(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("start athena query: %w", err)
	}
	id := aws.ToString(out.QueryExecutionId)
	qe, err := c.wait(ctx, id)
	if err != nil {
		return nil, err
	}
	r := &Result{c: c, ctx: ctx, id: id, first: true}
	if qe.StatementType == types.StatementTypeDml {
		r.skipHeader = true
	}
	if s := qe.Statistics; s != nil {
		r.Scanned = aws.ToInt64(s.DataScannedInBytes)
		r.Elapsed = time.Duration(aws.ToInt64(s.TotalExecutionTimeInMillis)) * time.Millisecond
	}
	// Read the first page now so Columns is known before the first row.
	if err := r.fetch(); err != nil {
		return nil, err
	}
	return r, nil
}

// wait polls GetQueryExecution, doubling the interval up to PollMax, until
// the query ends.
func (c *Client) wait(ctx context.Context, id string) (*types.QueryExecution, error) {
	delay := c.cfg.PollInitial
	for {
		out, err := c.api.GetQueryExecution(ctx, &sdk.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			if ctx.Err() != nil {
				return nil, c.stop(id, ctx.Err())
			}
			return nil, fmt.Errorf("athena query %s: %w", id, err)
		}
		qe := out.QueryExecution
		if qe == nil || qe.Status == nil {
			return nil, fmt.Errorf("athena query %s: GetQueryExecution returned no status", id)
		}
		switch st := qe.Status.State; st {
		case types.QueryExecutionStateSucceeded:
			return qe, nil
		case types.QueryExecutionStateFailed, types.QueryExecutionStateCancelled:
			e := &QueryError{QueryExecutionID: id, State: st, Reason: aws.ToString(qe.Status.StateChangeReason)}
			if ae := qe.Status.AthenaError; ae != nil {
				e.ErrorType = fmt.Sprintf("error category %d, type %d", aws.ToInt32(ae.ErrorCategory), aws.ToInt32(ae.ErrorType))
			}
			return nil, e
		}
		if err := c.sleep(ctx, delay); err != nil {
			return nil, c.stop(id, err)
		}
		delay = min(delay*2, c.cfg.PollMax)
	}
}

// stop asks Athena to stop a query the caller gave up on, so it is not
// billed to the end; cause is returned.
func (c *Client) stop(id string, cause error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.api.StopQueryExecution(ctx, &sdk.StopQueryExecutionInput{QueryExecutionId: aws.String(id)}); err != nil {
		return fmt.Errorf("athena query %s: %w (and stopping it failed: %v)", id, cause, err)
	}
	return fmt.Errorf("athena query %s stopped: %w", id, cause)
}

// Column is a result column as Athena describes it.
type Column struct {
	Name string
	Type string // Athena's type name: varchar, bigint, boolean, row(...), ...
}

// Result is a finished query's rows, fetched a page at a time.
type Result struct {
	// Scanned is the data the query scanned, in bytes, and Elapsed its
	// run time, from the query's statistics.
	Scanned int64
	Elapsed time.Duration

	c          *Client
	ctx        context.Context
	id         string
	cols       []Column
	page       []types.Row
	next       *string
	first      bool
	skipHeader bool
	vals       []any
	err        error
}

// QueryExecutionID identifies the query in Athena.
func (r *Result) QueryExecutionID() string { return r.id }

// Columns are the result's columns.
func (r *Result) Columns() []Column { return r.cols }

func (r *Result) fetch() error {
	in := &sdk.GetQueryResultsInput{QueryExecutionId: aws.String(r.id), MaxResults: aws.Int32(r.c.cfg.PageSize)}
	if !r.first {
		in.NextToken = r.next
	}
	out, err := r.c.api.GetQueryResults(r.ctx, in)
	if err != nil {
		return fmt.Errorf("athena query %s results: %w", r.id, err)
	}
	if r.first {
		if md := out.ResultSet; md != nil && md.ResultSetMetadata != nil {
			for _, ci := range md.ResultSetMetadata.ColumnInfo {
				r.cols = append(r.cols, Column{Name: aws.ToString(ci.Name), Type: aws.ToString(ci.Type)})
			}
		}
	}
	r.page = nil
	if out.ResultSet != nil {
		r.page = out.ResultSet.Rows
	}
	// The first row of the first page of a SELECT holds the column
	// names ("GetQueryResults", Athena API reference).
	if r.first && r.skipHeader && len(r.page) > 0 {
		r.page = r.page[1:]
	}
	r.first = false
	r.next = out.NextToken
	return nil
}

// Next advances to the next row, fetching the next page when needed.
func (r *Result) Next() bool {
	for len(r.page) == 0 {
		if r.err != nil || r.next == nil {
			return false
		}
		if r.err = r.fetch(); r.err != nil {
			return false
		}
	}
	row := r.page[0]
	r.page = r.page[1:]
	if cap(r.vals) < len(r.cols) {
		r.vals = make([]any, len(r.cols))
	}
	r.vals = r.vals[:len(r.cols)]
	for i := range r.vals {
		r.vals[i] = nil
		if i < len(row.Data) {
			r.vals[i] = typedValue(row.Data[i].VarCharValue, r.cols[i].Type)
		}
	}
	if len(row.Data) != len(r.cols) && r.err == nil {
		r.err = fmt.Errorf("athena query %s: a row has %d values for %d columns", r.id, len(row.Data), len(r.cols))
		return false
	}
	return true
}

// Values are the current row's values: NULL as nil, booleans as bool,
// numbers as json.Number, json values as json.RawMessage, everything else
// (row, array and map values included, which Athena returns in its own
// text form, not JSON) as string. The slice is reused by Next.
func (r *Result) Values() []any { return r.vals }

// Err is the error that ended iteration, if any.
func (r *Result) Err() error { return r.err }

func typedValue(v *string, typ string) any {
	if v == nil {
		return nil
	}
	s := *v
	switch strings.ToLower(typ) {
	case "boolean":
		switch s {
		case "true":
			return true
		case "false":
			return false
		}
	case "tinyint", "smallint", "integer", "int", "bigint", "double", "float", "real", "decimal":
		var n json.Number = json.Number(s)
		if _, err := n.Float64(); err == nil && !strings.ContainsAny(s, "NnIi") {
			return n
		}
	case "json":
		if json.Valid([]byte(s)) {
			return json.RawMessage(s)
		}
	}
	return s
}
