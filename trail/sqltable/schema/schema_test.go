package schema_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/trail/sqltable/schema"
)

// contractColumns is the column list of shared/spec/trail-table.md, as
// written there.
const contractColumns = `
eventversion STRING,
useridentity STRUCT<type STRING, principalid STRING, arn STRING, accountid STRING, invokedby STRING,
  accesskeyid STRING, username STRING,
  onbehalfof STRUCT<userid STRING, identitystorearn STRING>,
  sessioncontext STRUCT<attributes STRUCT<mfaauthenticated STRING, creationdate STRING>,
    sessionissuer STRUCT<type STRING, principalid STRING, arn STRING, accountid STRING, username STRING>,
    ec2roledelivery STRING,
    webidfederationdata STRUCT<federatedprovider STRING, attributes MAP<STRING,STRING>>>>,
eventtime STRING, eventsource STRING, eventname STRING, awsregion STRING, sourceipaddress STRING,
useragent STRING, errorcode STRING, errormessage STRING,
requestparameters STRING, responseelements STRING, additionaleventdata STRING,
requestid STRING, eventid STRING, readonly STRING,
resources ARRAY<STRUCT<arn STRING, accountid STRING, type STRING>>,
eventtype STRING, apiversion STRING, recipientaccountid STRING, serviceeventdetails STRING,
sharedeventid STRING, vpcendpointid STRING, vpcendpointaccountid STRING, eventcategory STRING,
addendum STRUCT<reason STRING, updatedfields STRING, originalrequestid STRING, originaleventid STRING>,
sessioncredentialfromconsole STRING, edgedevicedetails STRING,
tlsdetails STRUCT<tlsversion STRING, ciphersuite STRING, clientprovidedhostheader STRING>
`

// squash drops the spacing and the colons Hive puts after struct field
// names, which the contract leaves out.
func squash(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, ":", "")), "")
}

func TestColumnsAreTheContracts(t *testing.T) {
	if got, want := squash(schema.HiveColumns()), squash(contractColumns); got != want {
		t.Errorf("columns differ from the contract:\ngot  %s\nwant %s", got, want)
	}
}

func TestColumnIndex(t *testing.T) {
	i, ok := schema.ColumnIndex["useridentity"]
	if !ok || schema.Columns[i].Name != "useridentity" {
		t.Fatal("useridentity not indexed")
	}
	sc := schema.Columns[i].Fields[schema.Columns[i].Index["sessioncontext"]]
	if sc.Fields[sc.Index["webidfederationdata"]].Kind != schema.Struct {
		t.Error("nested structs are not indexed")
	}
}

func ExampleField_DuckDBType() {
	for _, c := range schema.Columns {
		if c.Name == "resources" || c.Name == "tlsdetails" {
			fmt.Println(c.Name, c.DuckDBType())
			fmt.Println(c.Name, c.HiveType())
		}
	}
	// Output:
	// resources STRUCT("arn" VARCHAR, "accountid" VARCHAR, "type" VARCHAR)[]
	// resources ARRAY<STRUCT<arn: STRING, accountid: STRING, type: STRING>>
	// tlsdetails STRUCT("tlsversion" VARCHAR, "ciphersuite" VARCHAR, "clientprovidedhostheader" VARCHAR)
	// tlsdetails STRUCT<tlsversion: STRING, ciphersuite: STRING, clientprovidedhostheader: STRING>
}
