// Package snapshot is the environment a request is simulated in: the
// accounts of an organisation with their users, groups, roles and managed
// policies, the organisation tree with the service control policies (SCPs)
// and resource control policies (RCPs) attached at each node, and the
// resources that carry resource-based policies (S3 buckets, KMS keys, SQS
// queues, SNS topics, Lambda functions, secrets, ECR repositories, VPC
// endpoints and any other ARN).
//
// An Environment is loaded from what AWS already produces (see
// docs/environment.md): the output of `aws iam get-account-authorization-details`
// for each account, an organisation file, and resource-policy records. Load
// and LoadFile read them; the methods of Environment answer the questions the
// evaluation engine asks: which identity policies, permissions boundary and
// tags a principal has (Principal), which SCPs and RCPs apply to an account,
// level by level from the root (SCPLevels, RCPLevels), which resource-based
// policy governs a resource (Resource), and who owns it (ResourceAccount).
//
// Policy documents are kept as the JSON text that was read (Document), with
// the file and line:column they start at, and parsed by package policy on
// first use, so a parse error names the file, line and column of the
// offending element. The package does not evaluate anything: deciding is the
// job of package eval.
package snapshot
