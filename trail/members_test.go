package trail

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// A projected decode fills the members asked for and leaves the rest
// empty; DecodeAll then gives the record a whole decode gives, for every
// record of the bundled samples (every shape they hold).
func TestMembersAndDecodeAll(t *testing.T) {
	dir := filepath.Join("..", "testdata", "cloudtrail")
	full := map[string][]byte{}
	var mu sync.Mutex
	enc := func(r *Record) []byte {
		c := *r
		c.Raw = nil
		if len(c.Resources) == 0 {
			c.Resources = nil // an empty list where the reused record had none
		}
		b, err := json.Marshal(&c)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	key := func(r *Record) string { return r.Path + "#" + r.EventID }
	if _, err := Read(context.Background(), []string{dir}, Options{}, func(r *Record) error {
		mu.Lock()
		defer mu.Unlock()
		full[key(r)] = enc(r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	n, partial := 0, 0
	if _, err := Read(context.Background(), []string{dir}, Options{Members: []string{"userIdentity", "ErrorCode"}}, func(r *Record) error {
		mu.Lock()
		defer mu.Unlock()
		n++
		if r.UserAgent != "" || r.AWSRegion != "" || r.RequestParameters != nil || len(r.Resources) > 0 {
			t.Errorf("%s: a member not asked for was decoded", key(r))
		}
		if want := full[key(r)]; r.ErrorCode == "" && json.Valid(want) {
			var f Record
			_ = json.Unmarshal(want, &f)
			if f.ErrorCode != "" || f.UserIdentity.Type != r.UserIdentity.Type {
				t.Errorf("%s: errorCode or userIdentity not decoded", key(r))
			}
		}
		if r.partial {
			partial++
		}
		if err := r.DecodeAll(); err != nil {
			t.Fatal(err)
		}
		if got, want := enc(r), full[key(r)]; string(got) != string(want) {
			t.Errorf("%s: DecodeAll gives\n%s\nwant\n%s", key(r), got, want)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != len(full) || partial == 0 {
		t.Fatalf("%d records projected (%d partial), %d whole", n, partial, len(full))
	}
}

// Some userIdentity fields only: the others stay empty until DecodeAll.
func TestMembersOfUserIdentity(t *testing.T) {
	raw := `{"eventVersion":"1.09","eventID":"00000000-0000-4000-8000-000000000001","eventTime":"2026-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject",
	 "userIdentity":{"type":"AssumedRole","principalId":"AROA:s","arn":"arn:aws:sts::111122223333:assumed-role/app/s","accountId":"111122223333","accessKeyId":"ASIA",
	  "sessionContext":{"attributes":{"creationDate":"2026-01-01T00:00:00Z","mfaAuthenticated":"false"},"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/app","userName":"app"}}}}`
	c, _ := (&Filter{}).compile()
	d := newRecordDecoder()
	d.members = c.members([]string{"userIdentity.arn", "userIdentity.sessionContext.sessionIssuer"})
	var r Record
	if err := d.decode([]byte(raw), &r); err != nil {
		t.Fatal(err)
	}
	u := r.UserIdentity
	if u.ARN == "" || u.SessionContext.SessionIssuer.ARN == "" || u.SessionContext.SessionIssuer.UserName != "app" {
		t.Errorf("asked-for fields empty: %+v", u)
	}
	if u.Type != "" || u.AccessKeyID != "" || u.SessionContext.CreationDate != "" || !r.partial {
		t.Errorf("fields not asked for decoded: %+v", u)
	}
	if err := r.DecodeAll(); err != nil || r.UserIdentity.AccessKeyID != "ASIA" || r.UserIdentity.SessionContext.CreationDate == "" {
		t.Errorf("DecodeAll: %v %+v", err, r.UserIdentity)
	}
}

// The filter's criteria read their members even when not asked for.
func TestMembersOfFilter(t *testing.T) {
	f := Filter{Regions: []string{"us-east-1"}, DeniedOnly: true}
	c, err := f.compile()
	if err != nil {
		t.Fatal(err)
	}
	m := c.members([]string{"eventType"})
	for _, k := range []string{"eventtype", "awsregion", "errorcode"} {
		if !m.top[k] {
			t.Errorf("%s not decoded", k)
		}
	}
	if c.members(nil) != nil {
		t.Error("nil Members must decode every member")
	}
}

// TestTopMemberOf: every member the decoder reads has its own name, and a
// key it reads no field from is memOther; case does not matter.
func TestTopMemberOf(t *testing.T) {
	seen := map[topMember]string{}
	for _, name := range []string{"eventversion", "eventid", "eventtime", "eventsource", "eventname", "awsregion",
		"sourceipaddress", "useragent", "errorcode", "errormessage", "requestid", "eventtype", "eventcategory",
		"recipientaccountid", "sharedeventid", "vpcendpointid", "vpcendpointaccountid", "readonly", "managementevent",
		"sessioncredentialfromconsole", "useridentity", "resources", "tlsdetails", "requestparameters",
		"responseelements", "additionaleventdata", "cloudtrailevent", "detail-type", "detail"} {
		m := topMemberOf([]byte(name))
		if m == memOther {
			t.Errorf("%s: memOther", name)
		}
		if prev, dup := seen[m]; dup {
			t.Errorf("%s and %s are both member %d", prev, name, m)
		}
		seen[m] = name
	}
	if len(seen) != int(numTopMembers)-1 {
		t.Errorf("%d names for %d members", len(seen), numTopMembers-1)
	}
	for _, name := range []string{"eventID", "EVENTID", "detail-Type", "useridentity"} {
		if m := topMemberOf([]byte(name)); m == memOther || topMemberNames[m] != strings.ToLower(name) {
			t.Errorf("%q: member %d", name, m)
		}
	}
	for _, name := range []string{"apiversion", "", "e", "serviceeventdetails", "eventid ", "eventidx", "eventid\\u0041", "detail_type"} {
		if m := topMemberOf([]byte(name)); m != memOther {
			t.Errorf("%q: member %d, want memOther", name, m)
		}
	}
}

// TestMembersOtherProjected: a projection naming a member no field is
// decoded from keeps the record whole for it (not partial), as before.
func TestMembersOtherProjected(t *testing.T) {
	raw := []byte(`{"eventVersion":"1.08","eventID":"e1","eventTime":"2024-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","apiVersion":"x"}`)
	for _, tc := range []struct {
		members []string
		partial bool
	}{
		{[]string{"eventVersion", "apiVersion"}, false},
		{[]string{"eventVersion"}, true},
		{[]string{"apiVersion"}, true},
	} {
		d := newRecordDecoder()
		filt, err := (&Filter{}).compile()
		if err != nil {
			t.Fatal(err)
		}
		d.members = filt.members(tc.members)
		var r Record
		if err := d.decode(raw, &r); err != nil {
			t.Fatal(err)
		}
		if r.partial != tc.partial {
			t.Errorf("%v: partial %v, want %v", tc.members, r.partial, tc.partial)
		}
		if r.EventName != "GetObject" || r.EventID != "e1" {
			t.Errorf("%v: identifying members not decoded: %+v", tc.members, r)
		}
		if want := map[bool]string{true: "1.08"}[slices.Contains(tc.members, "eventVersion")]; r.EventVersion != want {
			t.Errorf("%v: eventVersion %q, want %q", tc.members, r.EventVersion, want)
		}
	}
}

// TestTopMemberOfMutations: a key one byte away from a name, or of
// another case, is the member lowerKey and an exact comparison say.
func TestTopMemberOfMutations(t *testing.T) {
	want := func(k []byte) topMember {
		var buf [48]byte
		l := string(lowerKey(buf[:0], append(append([]byte{'"'}, k...), '"')))
		for m, n := range topMemberNames {
			if m != int(memOther) && n == l {
				return topMember(m)
			}
		}
		return memOther
	}
	for _, name := range topMemberNames[1:] {
		for i := range len(name) {
			for _, c := range []byte{'A', 'Z', 'a', 'z', '-', '_', '@', '`', '\\', 0, 0xff, name[i] &^ 0x20, name[i] + 1} {
				k := []byte(name)
				k[i] = c
				if got := topMemberOf(k); got != want(k) {
					t.Errorf("%q: member %d, want %d", k, got, want(k))
				}
			}
		}
		if got := topMemberOf([]byte(name[1:])); got != want([]byte(name[1:])) {
			t.Errorf("%q: member %d", name[1:], got)
		}
	}
}
