package athena

import (
	"fmt"
	"strings"

	"github.com/iamwhy/iamwhy/internal/lazyre"
	"github.com/iamwhy/iamwhy/trail/sqltable/schema"
)

// TableOptions describe where a trail delivers its logs, for CreateTableSQL.
type TableOptions struct {
	// Table is the table name; "" means cloudtrail_logs.
	Table string
	// Bucket is the trail's S3 bucket; Prefix the trail's key prefix, if
	// it has one (the part before AWSLogs/).
	Bucket string
	Prefix string
	// OrgID is the organisation ID (o-...) of an organisation trail, whose
	// logs are under AWSLogs/<org-id>/<account>/.
	OrgID string
	// Accounts are the account IDs to project. Empty means the account
	// partition is injected: every query must then name the accounts it
	// reads (WHERE account = '...').
	Accounts []string
	// Regions are the regions to project; empty means DefaultRegions.
	Regions []string
	// StartDate is the first day to project, yyyy/MM/dd; "" means
	// 2020/01/01.
	StartDate string
}

// DefaultRegions are the commercial AWS Regions a trail may deliver logs
// for. Projecting a region with no logs costs nothing but an empty S3
// listing.
var DefaultRegions = []string{
	"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
	"ap-southeast-4", "ap-southeast-5", "ap-southeast-7", "ca-central-1", "ca-west-1",
	"eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1",
	"eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1", "mx-central-1",
	"sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
}

var (
	bucketRE  = lazyre.New(`^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$`)
	accountRE = lazyre.New(`^[0-9]{12}$`)
	regionRE  = lazyre.New(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	orgRE     = lazyre.New(`^o-[a-z0-9]{10,32}$`)
	dateRE    = lazyre.New(`^[0-9]{4}/[0-9]{2}/[0-9]{2}$`)
	tableRE   = lazyre.New(`^[a-z_][a-z0-9_]*$`)
	prefixRE  = lazyre.New(`^[A-Za-z0-9!_.*()\-/]*$`)
)

// CreateTableSQL is the CREATE EXTERNAL TABLE statement for a trail's logs
// with partition projection on account, region and day. The columns,
// SerDe, input format and the day projection are those of "Create the
// table for CloudTrail logs in Athena using partition projection"
// (https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table-partition-projection.html);
// the account and region partitions extend it to every account and region
// of an organisation's bucket, as "Partition projection" describes for enum
// and injected types
// (https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html).
// The day partition keeps AWS's name, timestamp, with values yyyy/MM/dd.
func CreateTableSQL(o TableOptions) (string, error) {
	table := o.Table
	if table == "" {
		table = schema.TableName
	}
	if !tableRE().MatchString(table) {
		return "", fmt.Errorf("table name %q: use lower-case letters, digits and _", table)
	}
	if !bucketRE().MatchString(o.Bucket) {
		return "", fmt.Errorf("bucket %q is not an S3 bucket name", o.Bucket)
	}
	prefix := strings.Trim(o.Prefix, "/")
	if !prefixRE().MatchString(prefix) {
		return "", fmt.Errorf("prefix %q: only the S3 key characters A-Z a-z 0-9 ! _ . * ( ) - / are accepted", o.Prefix)
	}
	if o.OrgID != "" && !orgRE().MatchString(o.OrgID) {
		return "", fmt.Errorf("organisation ID %q: want o- and 10 to 32 letters or digits", o.OrgID)
	}
	for _, a := range o.Accounts {
		if !accountRE().MatchString(a) {
			return "", fmt.Errorf("account %q: want 12 digits", a)
		}
	}
	regions := o.Regions
	if len(regions) == 0 {
		regions = DefaultRegions
	}
	for _, r := range regions {
		if !regionRE().MatchString(r) {
			return "", fmt.Errorf("region %q is not a region name", r)
		}
	}
	start := o.StartDate
	if start == "" {
		start = "2020/01/01"
	}
	if !dateRE().MatchString(start) {
		return "", fmt.Errorf("start date %q: want yyyy/MM/dd", start)
	}

	location := "s3://" + o.Bucket + "/"
	if prefix != "" {
		location += prefix + "/"
	}
	location += "AWSLogs/"
	if o.OrgID != "" {
		location += o.OrgID + "/"
	}
	account := "'projection.account.type'='injected'"
	if len(o.Accounts) > 0 {
		account = "'projection.account.type'='enum',\n  'projection.account.values'='" + strings.Join(o.Accounts, ",") + "'"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE EXTERNAL TABLE IF NOT EXISTS `%s` (\n", table)
	b.WriteString(schema.HiveColumns())
	b.WriteString(`
)
PARTITIONED BY (
  ` + "`account`" + ` string,
  ` + "`region`" + ` string,
  ` + "`timestamp`" + ` string)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION '` + location + `'
TBLPROPERTIES (
  'projection.enabled'='true',
  ` + account + `,
  'projection.region.type'='enum',
  'projection.region.values'='` + strings.Join(regions, ",") + `',
  'projection.timestamp.type'='date',
  'projection.timestamp.format'='yyyy/MM/dd',
  'projection.timestamp.interval'='1',
  'projection.timestamp.interval.unit'='DAYS',
  'projection.timestamp.range'='` + start + `,NOW',
  'storage.location.template'='` + location + "${account}/CloudTrail/${region}/${timestamp}'\n)")
	return b.String(), nil
}
