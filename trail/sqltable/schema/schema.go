// Package schema describes the cloudtrail_logs table, the table AWS
// documents for querying CloudTrail in Athena: its columns and their types,
// spelled for DuckDB (package sqltable) and for Athena's Hive DDL (package
// athena). It has no dependencies, so using the description does not link
// DuckDB.
package schema

import "strings"

// TableName is the name AWS's CloudTrail documentation gives the Athena
// table, kept so that users' SQL runs unchanged.
const TableName = "cloudtrail_logs"

// Kind is the shape of a column or struct field.
type Kind uint8

const (
	// String is Athena's STRING. A JSON object or array in a string
	// position is kept as its JSON text, the way Athena's JSON SerDe does
	// for requestParameters and the other free-form elements.
	String Kind = iota
	// Struct is STRUCT<...>.
	Struct
	// StructList is ARRAY<STRUCT<...>>.
	StructList
	// StringMap is MAP<STRING,STRING>.
	StringMap
)

// Field is one column or struct field of the table.
type Field struct {
	Name   string // lower case, as in the Athena DDL
	Kind   Kind
	Fields []Field        // for Struct and StructList
	Index  map[string]int // Fields by Name
}

// ColumnIndex finds Columns by name; indexFields fills it and the Index of
// every struct.
var ColumnIndex = indexFields(Columns)

func indexFields(fs []Field) map[string]int {
	m := make(map[string]int, len(fs))
	for i := range fs {
		m[fs[i].Name] = i
		if fs[i].Fields != nil {
			fs[i].Index = indexFields(fs[i].Fields)
		}
	}
	return m
}

func str(name string) Field { return Field{Name: name} }

func strct(name string, fields ...Field) Field {
	return Field{Name: name, Kind: Struct, Fields: fields}
}

// Columns is the cloudtrail_logs table: the column names and types of the
// table in "Creating the table for CloudTrail logs in Athena using manual
// partitioning" and "... using partition projection"
// (https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table.html),
// in the same order. It is the single description from which the DuckDB
// DDL, the read_json column list, the record normaliser and the Athena DDL
// are made.
var Columns = []Field{
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
				Field{Name: "attributes", Kind: StringMap}),
		),
	),
	str("eventtime"), str("eventsource"), str("eventname"), str("awsregion"), str("sourceipaddress"),
	str("useragent"), str("errorcode"), str("errormessage"),
	str("requestparameters"), str("responseelements"), str("additionaleventdata"),
	str("requestid"), str("eventid"), str("readonly"),
	{Name: "resources", Kind: StructList, Fields: []Field{str("arn"), str("accountid"), str("type")}},
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
	fieldSep: ", ", nameSep: " ", quote: QuoteIdent,
}

// hive spells the Hive DDL types Athena takes: STRUCT<type: STRING, ...>,
// ARRAY<STRUCT<...>>.
var hive = dialect{
	str: "STRING", mapOfStr: "MAP<STRING,STRING>",
	structOpen: "STRUCT<", structEnd: ">", listOpen: "ARRAY<", listEnd: ">",
	fieldSep: ", ", nameSep: ": ", quote: func(s string) string { return s },
}

// DuckDBType is f's type in DuckDB: VARCHAR, STRUCT("type" VARCHAR, ...),
// STRUCT(...)[] or MAP(VARCHAR, VARCHAR).
func (f Field) DuckDBType() string { return f.typeIn(duckDB) }

// HiveType is f's type in Athena's Hive DDL: STRING, STRUCT<type: STRING,
// ...>, ARRAY<STRUCT<...>> or MAP<STRING,STRING>.
func (f Field) HiveType() string { return f.typeIn(hive) }

func (f Field) typeIn(d dialect) string {
	switch f.Kind {
	case Struct:
		return d.structOpen + fieldsIn(f.Fields, d) + d.structEnd
	case StructList:
		return d.listOpen + d.structOpen + fieldsIn(f.Fields, d) + d.structEnd + d.listEnd
	case StringMap:
		return d.mapOfStr
	default:
		return d.str
	}
}

func fieldsIn(fs []Field, d dialect) string {
	var b strings.Builder
	for i, f := range fs {
		if i > 0 {
			b.WriteString(d.fieldSep)
		}
		b.WriteString(d.quote(f.Name))
		b.WriteString(d.nameSep)
		b.WriteString(f.typeIn(d))
	}
	return b.String()
}

// DuckDBColumns is the column list of a DuckDB CREATE TABLE:
// "eventversion" VARCHAR, "useridentity" STRUCT(...), ...
func DuckDBColumns() string { return fieldsIn(Columns, duckDB) }

// HiveColumns is the column list of the Athena table in Hive DDL, one
// column a line ("eventversion STRING,\nuseridentity STRUCT<...>, ..."),
// for CREATE EXTERNAL TABLE statements.
func HiveColumns() string {
	lines := make([]string, len(Columns))
	for i, f := range Columns {
		lines[i] = f.Name + " " + f.HiveType()
	}
	return strings.Join(lines, ",\n")
}

// QuoteIdent quotes a DuckDB identifier.
func QuoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// QuoteString quotes a SQL string literal.
func QuoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
