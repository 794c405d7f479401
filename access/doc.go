// Package access answers questions across an environment: who can do an
// action on a resource (WhoCan), and what a principal can do (Can). It
// decides each request with package eval, on the layers package snapshot
// resolves, and names actions with package catalog; it does no I/O.
//
// Conditions: a request names only the context keys the caller gives and
// those the environment knows (the principal's ARN, tags and organisation,
// the resource's account). A statement whose condition tests a key the
// request does not carry is reported as a condition that must hold, not
// passed off as a deny: WhoCan supplies a value that satisfies each such
// condition (a witness), decides again, and reports the principal as
// allowed if the conditions hold only when that decision allows.
package access
