package sqltable

import "strings"

// TableName is the name AWS's CloudTrail documentation gives the Athena
// table, kept so that users' SQL runs unchanged.
const TableName = "cloudtrail_logs"

// kind is the shape of a column or struct field.
type kind uint8

const (
	// kindString is Athena's STRING. A JSON object or array in a string
	// position is kept as its JSON text, the way Athena's JSON SerDe does
	// for requestParameters and the other free-form elements.
	kindString kind = iota
	kindStruct
	kindStructList // ARRAY<STRUCT<...>>
	kindStringMap  // MAP<STRING,STRING>
)

// field is one column or struct field of the table.
type field struct {
	name   string // lower case, as in the Athena DDL
	kind   kind
	fields []field        // for kindStruct and kindStructList
	index  map[string]int // fields by name, made by indexFields
}

// columnIndex finds columns by name; indexFields fills it and the index of
// every struct.
var columnIndex = indexFields(columns)

func indexFields(fs []field) map[string]int {
	m := make(map[string]int, len(fs))
	for i := range fs {
		m[fs[i].name] = i
		if fs[i].fields != nil {
			fs[i].index = indexFields(fs[i].fields)
		}
	}
	return m
}

func str(name string) field { return field{name: name} }

func strct(name string, fields ...field) field {
	return field{name: name, kind: kindStruct, fields: fields}
}

// columns is the cloudtrail_logs table: the column names and types of the
// table in "Creating the table for CloudTrail logs in Athena using manual
// partitioning" and "... using partition projection"
// (https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table.html),
// in the same order. It is the single description from which the DuckDB
// DDL, the read_json column list, the record normaliser and the Athena DDL
// are made.
var columns = []field{
	str("eventversion"),
	strct("useridentity",
		str("type"), str("principalid"), str("arn"), str("accountid"), str("invokedby"),
		str("accesskeyid"), str("username"),
		strct("onbehalfof", str("userid"), str("identitystorearn")),
		strct("sessioncontext",
			strct("attributes", str("mfaauthenticated"), str("creationdate")),
			strct("sessionissuer", str("type"), str("principalid"), str("arn"), str("accountid"), str("username")),
			str("ec2roledelivery"),
			strct("webidfederationdata",
				str("federatedprovider"),
				field{name: "attributes", kind: kindStringMap}),
		),
	),
	str("eventtime"), str("eventsource"), str("eventname"), str("awsregion"), str("sourceipaddress"),
	str("useragent"), str("errorcode"), str("errormessage"),
	str("requestparameters"), str("responseelements"), str("additionaleventdata"),
	str("requestid"), str("eventid"), str("readonly"),
	{name: "resources", kind: kindStructList, fields: []field{str("arn"), str("accountid"), str("type")}},
	str("eventtype"), str("apiversion"), str("recipientaccountid"), str("serviceeventdetails"),
	str("sharedeventid"), str("vpcendpointid"), str("vpcendpointaccountid"), str("eventcategory"),
	strct("addendum", str("reason"), str("updatedfields"), str("originalrequestid"), str("originaleventid")),
	str("sessioncredentialfromconsole"), str("edgedevicedetails"),
	strct("tlsdetails", str("tlsversion"), str("ciphersuite"), str("clientprovidedhostheader")),
}

// dialect spells types in one SQL dialect.
type dialect struct {
	str, mapOfStr         string
	structOpen, structEnd string
	listOpen, listEnd     string
	fieldSep, nameSep     string
	quote                 func(string) string
}

// duckDB spells DuckDB types: STRUCT("type" VARCHAR, ...), STRUCT(...)[].
var duckDB = dialect{
	str: "VARCHAR", mapOfStr: "MAP(VARCHAR, VARCHAR)",
	structOpen: "STRUCT(", structEnd: ")", listOpen: "", listEnd: "[]",
	fieldSep: ", ", nameSep: " ", quote: quoteIdent,
}

// hive spells the Hive DDL types Athena takes: STRUCT<type: STRING, ...>,
// ARRAY<STRUCT<...>>.
var hive = dialect{
	str: "STRING", mapOfStr: "MAP<STRING,STRING>",
	structOpen: "STRUCT<", structEnd: ">", listOpen: "ARRAY<", listEnd: ">",
	fieldSep: ", ", nameSep: ": ", quote: func(s string) string { return s },
}

// typeIn is the type of f in dialect d.
func (f field) typeIn(d dialect) string {
	switch f.kind {
	case kindStruct:
		return d.structOpen + fieldsIn(f.fields, d) + d.structEnd
	case kindStructList:
		return d.listOpen + d.structOpen + fieldsIn(f.fields, d) + d.structEnd + d.listEnd
	case kindStringMap:
		return d.mapOfStr
	default:
		return d.str
	}
}

func fieldsIn(fs []field, d dialect) string {
	var b strings.Builder
	for i, f := range fs {
		if i > 0 {
			b.WriteString(d.fieldSep)
		}
		b.WriteString(d.quote(f.name))
		b.WriteString(d.nameSep)
		b.WriteString(f.typeIn(d))
	}
	return b.String()
}

// CreateTableSQL is the DuckDB statement that creates the empty
// cloudtrail_logs table.
func CreateTableSQL() string {
	return "CREATE TABLE IF NOT EXISTS " + TableName + " (" + fieldsIn(columns, duckDB) + ")"
}

// AthenaColumns is the column list of the Athena table, in Hive DDL
// ("eventversion STRING,\nuseridentity STRUCT<...>, ..."), for CREATE
// EXTERNAL TABLE statements.
func AthenaColumns() string {
	lines := make([]string, len(columns))
	for i, f := range columns {
		lines[i] = f.name + " " + f.typeIn(hive)
	}
	return strings.Join(lines, ",\n")
}

// readJSONColumns is the columns={...} argument of read_json: every column
// with its DuckDB type, so DuckDB neither samples nor guesses.
func readJSONColumns() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(f.name))
		b.WriteString(": ")
		b.WriteString(quoteString(f.typeIn(duckDB)))
	}
	b.WriteByte('}')
	return b.String()
}

// quoteIdent quotes a DuckDB identifier.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// quoteString quotes a DuckDB string literal.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
