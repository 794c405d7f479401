// Package eval decides AWS requests offline, as AWS's policy evaluation
// logic does, and says why.
//
// A decision needs three things:
//
//   - a Request: who (Principal, an ARN or a service principal), what
//     (Action, "service:Action"), on which Resource (an ARN, or "*"), in
//     which Context (condition keys);
//   - the Layers of policies that apply to it: identity-based policies,
//     the resource-based policy, the permissions boundary, session
//     policies, SCPs and RCPs by organisation level, a VPC endpoint
//     policy, and the layers that exist but whose policy is not known
//     (Layers.Unknown);
//   - the policies themselves, compiled once with Compile or
//     ParseAndCompile (documents come from package policy, with their
//     positions) and used for any number of decisions.
//
// One path decides:
//
//   - Decide returns the Decision: the Outcome (allow, implicit-deny,
//     explicit-deny, undetermined), the Layer and statement that decided,
//     and the Reason. It derives the context keys that follow from the
//     principal (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType,
//     aws:username, aws:PrincipalIsAWSService) when the request lacks
//     them, does not change the request, does not allocate for policies
//     without policy variables, and is safe for concurrent use.
//   - Explain is Decide with a Trace: every layer, the statements that
//     matched and the near misses, with the element that failed and the
//     expected and actual values. The Trace marshals to JSON with
//     snake_case keys and enums as text.
//   - ExplainWith adds the checks that need reference data (Options: a
//     Reference, which package catalog provides from the IAM service
//     reference): unknown actions, resources an action cannot apply to,
//     operators used on keys of another type, as Trace.Warnings. The
//     decision is always Decide's.
//
// Where the engine cannot know, it says so: an Undetermined decision
// always carries its reason (an unknown condition operator, a policy
// variable outside the resource part of an ARN, a policy that matters and
// was not given). It never guesses a deny.
//
// The engine is pure: no I/O, no globals. Package snapshot builds Layers
// from an environment (accounts, organisation, resources); packages
// check, diagnose and access build on Decide and Explain.
//
// The rules follow "Policy evaluation logic" in the IAM User Guide and the
// pages cited beside each rule in the code; docs/evaluation.md lists them.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
package eval
