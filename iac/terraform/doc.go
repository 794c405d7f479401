// Package terraform reads the JSON of `terraform show -json PLANFILE`
// (HashiCorp's plan format, decoded with github.com/hashicorp/terraform-json)
// and applies the state after apply to a snapshot.Environment: it replaces
// the IAM entities, managed policies and resource policies the plan
// changes, adds those it creates and removes those it destroys.
//
// https://developer.hashicorp.com/terraform/internals/json-format
package terraform
