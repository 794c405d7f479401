package catalog

import (
	"strings"

	"github.com/iamwhy/iamwhy/internal/lazyre"
)

// EventKind says how EventActions found the IAM actions for a CloudTrail
// event.
type EventKind uint8

const (
	// EventUnknown: the service prefix plus the event name is not an
	// action of the catalog. EventActions still returns that derived
	// name, so a caller can show it, but it is not known to exist.
	EventUnknown EventKind = iota
	// EventDerived: the service prefix plus the event name (with an API
	// version suffix removed, see EventActions) is a catalog action.
	EventDerived
	// EventException: an entry of the exception table: the call is
	// authorised by differently named action(s).
	EventException
	// EventNoPermission: AWS documents that the call needs no IAM
	// permission; no policy can allow or deny it. No actions.
	EventNoPermission
	// EventNotAPICall: the event records something other than an API
	// call that IAM authorises (a console sign-in, an action a service
	// took on its own schedule). No actions.
	EventNotAPICall
)

var eventKindNames = [...]string{"unknown", "derived", "exception", "no-permission", "not-api-call"}

func (k EventKind) String() string {
	if int(k) < len(eventKindNames) {
		return eventKindNames[k]
	}
	return "unknown"
}

// EventMapping explains the answer of EventActions.
type EventMapping struct {
	Kind EventKind
	// Note says why, for anything but a plain derivation.
	Note string
	// DocURL is the AWS page an exception rests on.
	DocURL string
}

// EventActions returns the IAM action(s) a CloudTrail event's API call
// needs; when there are several, the call needs all of them. eventSource
// is the record's eventSource ("s3.amazonaws.com"), eventName its
// eventName ("ListObjectsV2").
//
// In order: the exception table (eventExceptions) for calls authorised by
// differently named actions (HeadObject -> s3:GetObject), calls that need
// several actions (CopyObject, kms:ReEncrypt), calls that need none
// (sts:GetCallerIdentity) and events that are not API calls; then the
// event source's IAM prefix (renamed where they differ, e.g. monitoring ->
// cloudwatch) joined to the event name and canonicalised by the catalog;
// then the same with an API-version suffix removed (Lambda logs
// "GetFunction20150331v2" for lambda:GetFunction); then, for API Gateway's
// management API, the HTTP-method action. What none of these resolves is
// returned as the derived name with EventUnknown.
func (c *Catalog) EventActions(eventSource, eventName string) ([]string, EventMapping) {
	k := [2]string{eventSource, eventName}
	if v, ok := c.events.Load(k); ok {
		e := v.(*eventResult)
		return e.actions, e.m
	}
	actions, m := c.eventActions(eventSource, eventName)
	if c.eventsCached.Add(1) <= maxEventsCached {
		c.events.Store(k, &eventResult{actions, m})
	}
	return actions, m
}

// eventResult is a cached EventActions answer; its slice is shared, as
// EventActions' callers only read it.
type eventResult struct {
	actions []string
	m       EventMapping
}

// maxEventsCached bounds the EventActions cache (event names come from
// untrusted records).
const maxEventsCached = 1 << 14

func (c *Catalog) eventActions(eventSource, eventName string) ([]string, EventMapping) {
	source := strings.TrimSuffix(eventSource, ".amazonaws.com")
	names := []string{eventName}
	// Every suffix versionSuffix matches ends in a digit: the regular
	// expression runs only on those names (it is the costly part of a
	// lookup made once per record).
	if n := len(eventName); n > 0 && eventName[n-1] >= '0' && eventName[n-1] <= '9' {
		if base := versionSuffix().ReplaceAllString(eventName, ""); base != eventName && base != "" {
			names = append(names, base)
		}
	}
	for _, n := range names {
		if r, ok := eventExceptionIndex[eventKey{source, n}]; ok {
			return c.canonical(r.actions), EventMapping{Kind: r.kind, Note: r.note, DocURL: r.doc}
		}
	}
	prefix := source
	if p, ok := eventSourcePrefixes[source]; ok {
		prefix = p
	}
	for i, n := range names {
		if a, ok := c.Action(prefix + ":" + n); ok {
			m := EventMapping{Kind: EventDerived}
			if i > 0 {
				m.Note = "API version suffix removed from the event name"
			}
			return []string{a.FullName}, m
		}
	}
	if prefix == "apigateway" {
		if verb, ok := apiGatewayMethod(eventName); ok {
			return []string{"apigateway:" + verb}, EventMapping{Kind: EventException,
				Note:   "API Gateway management calls are authorised by the HTTP method of the request on the resource path",
				DocURL: "https://docs.aws.amazon.com/apigateway/latest/developerguide/security_iam_service-with-iam.html"}
		}
	}
	return []string{prefix + ":" + eventName}, EventMapping{Kind: EventUnknown,
		Note: "no action " + prefix + ":" + eventName + " in the service reference"}
}

// versionSuffix is the API version some services append to event names:
// Lambda's "20150331", "20150331v2", "20181031"; CloudFront's "2020_05_31".
var versionSuffix = lazyre.New(`(\d{8}(v\d+)?|\d{4}_\d{2}_\d{2})$`)

// apiGatewayMethod maps an API Gateway management event name to the HTTP
// method its REST call uses: the API Gateway v1 and v2 management APIs
// create with POST, read with GET, update with PATCH, replace with PUT and
// delete with DELETE. Other verbs (Import, Tag, Flush, ...) are left
// undetermined.
func apiGatewayMethod(event string) (string, bool) {
	for _, m := range [...]struct{ verb, method string }{
		{"Get", "GET"}, {"Create", "POST"}, {"Update", "PATCH"}, {"Put", "PUT"}, {"Delete", "DELETE"},
	} {
		if rest, ok := strings.CutPrefix(event, m.verb); ok && rest != "" && rest[0] >= 'A' && rest[0] <= 'Z' {
			return m.method, true
		}
	}
	return "", false
}

// canonical spells each action as the catalog does; names it lacks are
// kept as written (the table test rules that out).
func (c *Catalog) canonical(names []string) []string {
	if len(names) == 0 {
		return nil
	}
	out := make([]string, len(names))
	for i, n := range names {
		if a, ok := c.Action(n); ok {
			out[i] = a.FullName
		} else {
			out[i] = n
		}
	}
	return out
}

// eventSourcePrefixes are the event sources whose name differs from the
// IAM service prefix of their actions.
var eventSourcePrefixes = map[string]string{
	// CloudWatch's API endpoint is monitoring.<region>.amazonaws.com.
	"monitoring": "cloudwatch",
	// SES v1's endpoint is email.<region>.amazonaws.com.
	"email": "ses",
	// Resource Groups Tagging API actions use the "tag" prefix.
	"tagging": "tag",
	// AppRegistry actions are servicecatalog: actions.
	"servicecatalog-appregistry": "servicecatalog",
	// DynamoDB Streams actions are dynamodb: actions.
	"streams.dynamodb": "dynamodb",
}

type eventKey struct{ source, event string }

var eventExceptionIndex = func() map[eventKey]*eventRule {
	m := make(map[eventKey]*eventRule, len(eventExceptions))
	for i := range eventExceptions {
		r := &eventExceptions[i]
		m[eventKey{r.source, r.event}] = r
	}
	return m
}()
