// Package iac reads infrastructure as code — the planned state of a
// Terraform plan (package iac/terraform) — as changes to a snapshot
// environment: laid over an environment of the accounts as they are, or
// standing alone. A value the plan cannot know before apply is kept as
// unknown (snapshot.Document.Unknown), so that a decision that depends on
// it is undetermined and names the value's address, never treated as
// absent.
package iac
