package trail

// topMember is a top-level record member the decoder reads. Telling the
// decoder which member a key is by one switch, and whether a projected
// decode wants it by one bit, replaced a map lookup (the projection) and a
// second switch per member of every record: on `unused`'s hot path that
// was about 30 M map lookups for the 2 GB generated trail.
type topMember uint8

const (
	memOther topMember = iota // a member no field is decoded from
	memEventVersion
	memEventID
	memEventTime
	memEventSource
	memEventName
	memAWSRegion
	memSourceIPAddress
	memUserAgent
	memErrorCode
	memErrorMessage
	memRequestID
	memEventType
	memEventCategory
	memRecipientAccountID
	memSharedEventID
	memVPCEndpointID
	memVPCEndpointAccountID
	memReadOnly
	memManagementEvent
	memSessionCredentialFromConsole
	memUserIdentity
	memResources
	memTLSDetails
	memRequestParameters
	memResponseElements
	memAdditionalEventData
	memCloudTrailEvent
	memDetailType
	memDetail
	numTopMembers
)

// memberBits holds every topMember in one word.
var _ [64 - numTopMembers]struct{}

// topMemberNames are the members' names, lower-cased (keys match
// case-insensitively, as in Athena's JSON SerDe: lowerKey).
var topMemberNames = [numTopMembers]string{
	memEventVersion: "eventversion", memEventID: "eventid", memEventTime: "eventtime",
	memEventSource: "eventsource", memEventName: "eventname", memAWSRegion: "awsregion",
	memSourceIPAddress: "sourceipaddress", memUserAgent: "useragent", memErrorCode: "errorcode",
	memErrorMessage: "errormessage", memRequestID: "requestid", memEventType: "eventtype",
	memEventCategory: "eventcategory", memRecipientAccountID: "recipientaccountid",
	memSharedEventID: "sharedeventid", memVPCEndpointID: "vpcendpointid",
	memVPCEndpointAccountID: "vpcendpointaccountid", memReadOnly: "readonly",
	memManagementEvent: "managementevent", memSessionCredentialFromConsole: "sessioncredentialfromconsole",
	memUserIdentity: "useridentity", memResources: "resources", memTLSDetails: "tlsdetails",
	memRequestParameters: "requestparameters", memResponseElements: "responseelements",
	memAdditionalEventData: "additionaleventdata", memCloudTrailEvent: "cloudtrailevent",
	memDetailType: "detail-type", memDetail: "detail",
}

// topHash places every name of topMemberNames in its own slot of
// topSlots, from the key's length, its first byte and its third byte from
// the end, case-folded (the constants were searched for that): a member
// is then known by one table read and one comparison.
func topHash(k []byte) byte {
	return ((k[0]|0x20)*47 + (k[len(k)-3] | 0x20) + byte(len(k))*21) & 63
}

// topSlots is topMemberNames by topHash (memOther in empty slots).
var topSlots = func() (t [64]topMember) {
	for m := memOther + 1; m < numTopMembers; m++ {
		h := topHash([]byte(topMemberNames[m]))
		if t[h] != memOther {
			panic("trail: topHash places " + topMemberNames[m] + " on " + topMemberNames[t[h]])
		}
		t[h] = m
	}
	return t
}()

// topMemberOf names the member of key, a JSON key without its quotes, in
// any case: the member whose name it equals lower-cased, as lowerKey
// lowers it (no name is long enough for lowerKey to leave it as is).
func topMemberOf(k []byte) topMember {
	if len(k) < 3 {
		return memOther
	}
	m := topSlots[topHash(k)]
	name := topMemberNames[m]
	if m == memOther || len(name) != len(k) {
		return memOther
	}
	for i := range len(k) {
		c := k[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != name[i] {
			return memOther
		}
	}
	return m
}

// memberBits is a set of topMembers.
type memberBits uint64

func (b memberBits) has(m topMember) bool { return b&(1<<m) != 0 }

// identifyingMembers are those decoded in raw-only mode: those that say
// whether a value is a record, which shape it has, and its eventID for
// the duplicate filter.
const identifyingMembers memberBits = 1<<memEventID | 1<<memEventTime | 1<<memEventSource | 1<<memEventName |
	1<<memCloudTrailEvent | 1<<memDetailType | 1<<memDetail
