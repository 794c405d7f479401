package trail

import (
	"context"
	"encoding/json"
	"path/filepath"
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
