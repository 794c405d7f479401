// Package replay rebuilds the request AWS denied from what the user has:
// an access-denied message, a CloudTrail record (pasted, or the first
// denied record of a file), or the principal, action and resource stated
// explicitly. The result is an eval.Request ready to replay against an
// environment (see diagnose.Replay), with what the rebuild had to assume.
//
// Parsing the inputs is not done here: package denial reads messages and
// package trail reads records; replay decides which applies and how the
// explicit parts combine with them.
package replay
