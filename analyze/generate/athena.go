package generate

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/iamwhy/iamwhy/internal/lazyre"
	"github.com/iamwhy/iamwhy/trail"
	"github.com/iamwhy/iamwhy/trail/athena"
)

// AthenaQuery is the aggregation generate runs in Athena over the table
// CreateTableSQL defines: the principal's calls grouped by everything the
// policy depends on (event source and name, region, error, caller,
// request parameters, resources), with a count, the first and last time
// and one event ID per group. Only the groups travel back; the policy is
// built locally from them, as from records.
type AthenaQuery struct {
	// Table is the table name; "" means cloudtrail_logs.
	Table string
	// Since and Until bound eventTime (zero: open); they also prune the
	// table's day partitions.
	Since, Until time.Time
}

var tableName = lazyre.New(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$`)

// athenaColumns are the SELECT list; rowRecord reads them by position.
const athenaColumns = `eventsource, eventname, awsregion, recipientaccountid, errorcode, eventtype, readonly,
  useridentity.type AS uid_type, useridentity.arn AS uid_arn, useridentity.accountid AS uid_account,
  useridentity.invokedby AS uid_invokedby, useridentity.sessioncontext.sessionissuer.arn AS issuer_arn,
  requestparameters, array_join(transform(resources, r -> r.arn), ' ') AS resource_arns,
  ` + responseColumn + `,
  count(*) AS n, min(eventtime) AS first_time, max(eventtime) AS last_time, min(eventid) AS event_id`

// responseColumn carries the response elements of the calls whose
// resource is named only in their response (a create call: CreateVpc's
// vpc.vpcId, CreateTopic's topicArn, AllocateAddress's allocationId, as
// the local reader takes them) and is NULL for every other call: other
// responses hold per-call values (credentials, request IDs) that would
// make every call its own group, and the policy does not read them.
const responseColumn = `CASE WHEN eventname LIKE 'Create%' OR eventname IN ('AllocateAddress', 'RegisterImage', 'CopyImage')
    THEN responseelements END AS responseelements`

// SQL is the query for the generator's principal. ARNs and times are
// checked before they are quoted, so the text holds no caller-chosen SQL.
func (q AthenaQuery) SQL(g *Generator) (string, error) {
	table := q.Table
	if table == "" {
		table = "cloudtrail_logs"
	}
	if !tableName().MatchString(table) {
		return "", fmt.Errorf("table %q: want a name such as cloudtrail_logs or db.cloudtrail_logs", table)
	}
	var where []string
	// The table's account partition is injected unless projected: the
	// principal's calls are recorded in its own account.
	where = append(where, "account = '"+g.account+"'")
	p := g.o.Principal
	switch g.kind {
	case kindRole:
		where = append(where, "useridentity.type = 'AssumedRole'",
			fmt.Sprintf("(lower(useridentity.sessioncontext.sessionissuer.arn) LIKE '%%:role/%%%s' OR lower(useridentity.arn) LIKE '%%:assumed-role/%s/%%')",
				likeEscape(strings.ToLower(g.name)), likeEscape(strings.ToLower(g.name))))
	default:
		where = append(where, "useridentity.arn = '"+p+"'")
	}
	if !q.Since.IsZero() {
		where = append(where, "eventtime >= '"+q.Since.UTC().Format(time.RFC3339)+"'",
			"\"timestamp\" >= '"+q.Since.UTC().Format("2006/01/02")+"'")
	}
	if !q.Until.IsZero() {
		where = append(where, "eventtime < '"+q.Until.UTC().Format(time.RFC3339)+"'",
			"\"timestamp\" <= '"+q.Until.UTC().Format("2006/01/02")+"'")
	}
	return "SELECT " + athenaColumns + "\nFROM " + table + "\nWHERE " + strings.Join(where, "\n  AND ") +
		"\nGROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15", nil
}

// likeEscape leaves a role name safe inside a LIKE pattern: the name's
// characters ([\w+=,.@-]) include "_" which LIKE reads as one character;
// matching one more character than intended is refined by Matches.
func likeEscape(s string) string { return strings.ReplaceAll(s, "'", "") }

// FromAthena runs the aggregation in Athena and builds the verified policy
// from the rows. Events.Read is null (Athena returns only the principal's
// groups); the data scanned is in the returned result's statistics.
func FromAthena(ctx context.Context, c *athena.Client, q AthenaQuery, o Options) (*Result, *athena.Result, error) {
	g, err := New(o)
	if err != nil {
		return nil, nil, err
	}
	sql, err := q.SQL(g)
	if err != nil {
		return nil, nil, err
	}
	rows, err := c.Execute(ctx, sql)
	if err != nil {
		return nil, nil, err
	}
	n := 0
	for rows.Next() {
		n++
		rec, count, first, last, err := rowRecord(rows.Values())
		if err != nil {
			return nil, rows, fmt.Errorf("athena row %d: %w", n, err)
		}
		g.AddAggregate(rec, count, first, last)
	}
	if err := rows.Err(); err != nil {
		return nil, rows, err
	}
	res, err := g.Result(nil, q.Since, q.Until)
	if res != nil {
		res.Notes = append(res.Notes, fmt.Sprintf("aggregated in Athena (query %s): %d groups", rows.QueryExecutionID(), n))
	}
	return res, rows, err
}

// rowRecord turns one row of athenaColumns into the record it stands for.
func rowRecord(vals []any) (*trail.Record, int64, time.Time, time.Time, error) {
	if len(vals) != 19 {
		return nil, 0, time.Time{}, time.Time{}, fmt.Errorf("%d columns, want 19", len(vals))
	}
	s := func(i int) string {
		switch v := vals[i].(type) {
		case string:
			return v
		case bool:
			return strconv.FormatBool(v)
		case json.Number:
			return v.String()
		case json.RawMessage:
			return string(v)
		}
		return ""
	}
	r := &trail.Record{
		EventSource: s(0), EventName: s(1), AWSRegion: s(2), RecipientAccountID: s(3), ErrorCode: s(4),
		EventType: s(5), ReadOnly: s(6), EventID: s(18),
	}
	r.UserIdentity = trail.UserIdentity{Type: s(7), ARN: s(8), AccountID: s(9), InvokedBy: s(10)}
	r.UserIdentity.SessionContext.SessionIssuer.ARN = s(11)
	if p := s(12); p != "" {
		if !json.Valid([]byte(p)) {
			return nil, 0, time.Time{}, time.Time{}, fmt.Errorf("requestparameters is not JSON")
		}
		r.RequestParameters = json.RawMessage(p)
	}
	for _, arn := range strings.Fields(s(13)) {
		r.Resources = append(r.Resources, trail.Resource{ARN: arn})
	}
	if p := s(14); p != "" {
		if !json.Valid([]byte(p)) {
			return nil, 0, time.Time{}, time.Time{}, fmt.Errorf("responseelements is not JSON")
		}
		r.ResponseElements = json.RawMessage(p)
	}
	n, err := strconv.ParseInt(s(15), 10, 64)
	if err != nil || n < 0 {
		return nil, 0, time.Time{}, time.Time{}, fmt.Errorf("count %q", s(15))
	}
	first, _ := time.Parse(time.RFC3339, s(16))
	last, _ := time.Parse(time.RFC3339, s(17))
	r.EventTime, r.Time = s(16), first
	return r, n, first, last, nil
}
