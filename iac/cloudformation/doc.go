// Package cloudformation reads AWS CloudFormation and SAM templates (JSON,
// or YAML with the short intrinsic forms) and AWS CDK cloud assemblies
// (cdk.out) as the state a deploy leaves behind, and lays it over a
// snapshot.Environment as package iac/terraform does for plans: roles,
// users, groups, managed and inline policies, and the resource-based
// policies of buckets, keys, queues, topics, functions and organisation
// policies.
//
// Intrinsic functions are resolved offline: Ref and Fn::GetAtt of
// parameters, pseudo parameters and the template's own resources, Fn::Sub
// (both forms), Fn::Join, Fn::Select, Fn::Split, Fn::If with Conditions,
// Fn::FindInMap and Fn::Base64. A value only a deploy knows (Fn::ImportValue,
// a parameter without a value, an attribute CloudFormation generates) is
// unknown, never guessed: a policy holding one is kept as a policy that
// exists and is not known, so a decision it could change is undetermined and
// names the value's template line. Names CloudFormation generates (a role
// without RoleName) stand in as the resource's logical id, used the same way
// wherever the template refers to them.
//
// Typed properties come from AWS's goformation resource types
// (github.com/awslabs/goformation/v7/cloudformation/...). Its intrinsic
// processor is not used: it substitutes example values for pseudo
// parameters, drops unresolved Fn::Sub variables and loses positions, where
// iamwhy must keep unknowns unknown and name template lines.
//
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
package cloudformation
