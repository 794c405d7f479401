package reproduce

import "fmt"

// Comparison relates AWS's answer to what the record or message said and
// to iamwhy's own, offline, decision of the same request.
type Comparison struct {
	// Recorded is what the input said AWS decided: "denied".
	Recorded string `json:"recorded"`
	// StillDenied is true when AWS denies the call again, false when it
	// allows it now, null when AWS gave no authorization answer.
	StillDenied *bool `json:"still_denied"`
	// Offline is iamwhy's decision from an environment (allow,
	// implicit-deny, explicit-deny, undetermined); null without one.
	Offline *string `json:"offline"`
	// Agree says whether AWS's answer is iamwhy's offline decision; null
	// when there is nothing to compare (no offline decision, an
	// undetermined one, or no authorization answer from AWS).
	Agree   *bool  `json:"agree"`
	Summary string `json:"summary"`
}

// Compare fills r.Comparison. offline is iamwhy's decision of the request
// against an environment, "" when there is none.
func (r *Run) Compare(offline string) {
	c := Comparison{Recorded: "denied"}
	if offline != "" {
		c.Offline = &offline
	}
	if r.Answer == AnswerError {
		c.Summary = fmt.Sprintf("AWS answered %s, which is not an authorization decision: whether the call is allowed is not known", deref(r.ErrorCode))
		r.Comparison = &c
		return
	}
	denied := r.Answer == AnswerDenied
	c.StillDenied = &denied
	if denied {
		c.Summary = "AWS still denies the call"
	} else {
		c.Summary = "AWS allows the call now: what denied it has changed, or the original request differed (context, session policy, tags)"
	}
	switch offline {
	case "":
	case "undetermined":
		c.Summary += "; iamwhy's offline decision is undetermined"
	default:
		agree := offline == "allow" && !denied || offline != "allow" && denied
		if agree && denied && r.Deny != nil && offline != "deny" {
			// AWS's message names the kind of deny; so does iamwhy.
			agree = offline == *r.Deny+"-deny"
		}
		c.Agree = &agree
		if agree {
			c.Summary += "; iamwhy's offline decision (" + offline + ") agrees"
		} else {
			c.Summary += "; iamwhy's offline decision (" + offline + ") DISAGREES: the environment is out of date or the simulator is wrong"
		}
	}
	r.Comparison = &c
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
