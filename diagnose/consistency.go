package diagnose

import (
	"fmt"
	"time"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/snapshot"
)

// recentWindow is how soon after a principal's creation a denial is put
// down to IAM's eventual consistency rather than to the policies.
const recentWindow = 10 * time.Minute

// RecentChange explains a replay that allows what AWS denied by the
// caller's age: a role or user created shortly before the request (IAM is
// eventually consistent, so a new principal or policy can take a while to
// be in force everywhere), or one created after the request (the snapshot
// is newer than the event). It needs the request's aws:CurrentTime; ""
// when there is nothing to say.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
func RecentChange(env *snapshot.Environment, req *eval.Request) string {
	v, ok := req.Context.Get("aws:CurrentTime")
	if !ok || len(v) != 1 {
		return ""
	}
	at, err := time.Parse(time.RFC3339, v[0])
	if err != nil {
		return ""
	}
	p, err := env.Principal(req.Principal)
	if err != nil {
		return ""
	}
	created := time.Time{}
	what := ""
	switch {
	case p.Role != nil:
		created, what = p.Role.CreateDate, "role "+p.Role.ARN
	case p.User != nil:
		created, what = p.User.CreateDate, "user "+p.User.ARN
	}
	if created.IsZero() || at.Before(created) {
		if !created.IsZero() {
			return fmt.Sprintf("the %s was created at %s, after the request (%s): the snapshot is newer than the event", what, created.Format(time.RFC3339), v[0])
		}
		return ""
	}
	if at.Sub(created) < recentWindow {
		return fmt.Sprintf("IAM eventual consistency: the %s was created %s before the request; changes can take seconds to apply everywhere", what, at.Sub(created).Round(time.Second))
	}
	return ""
}
