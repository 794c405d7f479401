package catalog_test

import (
	"fmt"

	"github.com/iamwhy/iamwhy/catalog"
)

func ExampleCatalog_Action() {
	c := catalog.Default()
	a, ok := c.Action("S3:getobject")
	fmt.Println(a.FullName, a.Access, ok)
	// Output: s3:GetObject Read true
}

func ExampleCatalog_MatchActions() {
	c := catalog.Default()
	for _, a := range c.MatchActions("s3:GetObjectVersion*") {
		fmt.Println(a.FullName)
	}
	// Output:
	// s3:GetObjectVersion
	// s3:GetObjectVersionAcl
	// s3:GetObjectVersionAnnotation
	// s3:GetObjectVersionAnnotationForReplication
	// s3:GetObjectVersionAttributes
	// s3:GetObjectVersionForReplication
	// s3:GetObjectVersionTagging
	// s3:GetObjectVersionTorrent
}

func ExampleCatalog_KeyType() {
	c := catalog.Default()
	for _, k := range []string{"aws:SourceIp", "aws:ResourceTag/Owner", "aws:MultiFactorAuthAge", "s3:max-keys"} {
		t, _ := c.KeyType(k)
		fmt.Println(k, t)
	}
	// Output:
	// aws:SourceIp IPAddress
	// aws:ResourceTag/Owner String
	// aws:MultiFactorAuthAge Numeric
	// s3:max-keys Numeric
}

func ExampleCatalog_EventActions() {
	c := catalog.Default()
	for _, e := range [][2]string{
		{"s3.amazonaws.com", "ListObjectsV2"},
		{"lambda.amazonaws.com", "UpdateFunctionCode20150331v2"},
		{"monitoring.amazonaws.com", "PutMetricAlarm"},
		{"sts.amazonaws.com", "GetCallerIdentity"},
	} {
		actions, m := c.EventActions(e[0], e[1])
		fmt.Println(e[1], actions, m.Kind)
	}
	// Output:
	// ListObjectsV2 [s3:ListBucket] exception
	// UpdateFunctionCode20150331v2 [lambda:UpdateFunctionCode] derived
	// PutMetricAlarm [cloudwatch:PutMetricAlarm] derived
	// GetCallerIdentity [] no-permission
}

func ExampleCatalog_ResourceTypesForARN() {
	c := catalog.Default()
	for _, rt := range c.ResourceTypesForARN("arn:aws:s3:::my-bucket/photos/cat.jpg") {
		fmt.Println(rt.Service.Prefix, rt.Name, rt.ARNFormats[0])
	}
	// Output: s3 object arn:${Partition}:s3:::${BucketName}/${ObjectName}
}

func ExampleCatalog_ManagedPolicy() {
	c := catalog.Default()
	_, version, ok := c.ManagedPolicy("arn:aws:iam::aws:policy/AdministratorAccess")
	fmt.Println(version, ok)
	// Output: v1 true
}
