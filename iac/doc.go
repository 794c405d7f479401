// Package iac holds what the readers of infrastructure as code share: the
// planned state of a Terraform plan (package iac/terraform) and of a
// CloudFormation, SAM or CDK template (package iac/cloudformation) is laid
// over a snapshot environment of the accounts as they are, or stands
// alone. A value only apply or deploy knows is kept as unknown
// (snapshot.Document.Unknown), so that a decision that depends on it is
// undetermined and names the value's address or template line, never
// treated as absent.
//
// This package has the pieces both readers use: an entity as the
// environment holds it (Lookup), Lambda permission statements
// (LambdaPermission, MergeStatements) and queue URLs (QueueARN).
package iac
