package trail

import (
	"strings"
	"testing"
)

// TestNestedDecode covers the one-pass walk of userIdentity, resources[]
// and tlsDetails: keys in any case, duplicates (the last wins), nulls,
// values of the wrong kind (a field error, the record still delivered),
// members iamwhy does not read, and a projected decode that asks for a
// few identity fields only.
func TestNestedDecode(t *testing.T) {
	const rec = `{"eventTime":"2025-03-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject",
	 "userIdentity":{"TYPE":"AssumedRole","principalId":"AROAX:s","arn":"arn:aws:sts::111122223333:assumed-role/r/s",
	  "extra":{"a":[1,{"b":"}"}]},"accountId":"111122223333","accessKeyId":"ASIAX",
	  "sessionContext":{"webIdFederationData":{},"attributes":{"creationDate":"2025-03-01T00:00:00Z","mfaAuthenticated":"false"},
	   "sessionIssuer":{"type":"Role","principalId":"AROAX","arn":"arn:aws:iam::111122223333:role/r","accountId":"111122223333","userName":"r"},
	   "sourceIdentity":"me","ec2RoleDelivery":"2.0"},"invokedBy":"x","invokedBy":"y"},
	 "resources":[{"ARN":"arn:aws:s3:::b/k","accountId":"111122223333","type":"AWS::S3::Object","more":{"x":1}},null,{"arn":"arn:aws:s3:::b"}],
	 "tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"b.s3.amazonaws.com"}}`
	d := newRecordDecoder()
	var r Record
	if err := d.decode([]byte(rec), &r); err != nil {
		t.Fatal(err)
	}
	if d.err != nil {
		t.Fatalf("field error %v", d.err)
	}
	u := r.UserIdentity
	si := u.SessionContext.SessionIssuer
	for _, c := range [][2]string{
		{u.Type, "AssumedRole"}, {u.PrincipalID, "AROAX:s"}, {u.ARN, "arn:aws:sts::111122223333:assumed-role/r/s"},
		{u.AccountID, "111122223333"}, {u.AccessKeyID, "ASIAX"}, {u.InvokedBy, "y"},
		{u.SessionContext.CreationDate, "2025-03-01T00:00:00Z"}, {u.SessionContext.MFAAuthenticated, "false"},
		{u.SessionContext.SourceIdentity, "me"}, {u.SessionContext.EC2RoleDelivery, "2.0"},
		{si.Type, "Role"}, {si.PrincipalID, "AROAX"}, {si.ARN, "arn:aws:iam::111122223333:role/r"},
		{si.AccountID, "111122223333"}, {si.UserName, "r"},
	} {
		if c[0] != c[1] {
			t.Errorf("got %q, want %q", c[0], c[1])
		}
	}
	if len(r.Resources) != 2 || r.Resources[0].ARN != "arn:aws:s3:::b/k" || r.Resources[0].Type != "AWS::S3::Object" ||
		r.Resources[1].ARN != "arn:aws:s3:::b" {
		t.Errorf("resources %+v", r.Resources)
	}
	if r.TLSDetails == nil || r.TLSDetails.TLSVersion != "TLSv1.3" || r.TLSDetails.ClientProvidedHostHeader != "b.s3.amazonaws.com" {
		t.Errorf("tlsDetails %+v", r.TLSDetails)
	}

	// A projected decode fills only what it asked for.
	c := compiledFilter{f: &Filter{}}
	d = newRecordDecoder()
	d.members = c.members([]string{"userIdentity.type", "userIdentity.sessionContext.sessionIssuer.arn"})
	var p Record
	if err := d.decode([]byte(rec), &p); err != nil {
		t.Fatal(err)
	}
	pu := p.UserIdentity
	if pu.Type != "AssumedRole" || pu.SessionContext.SessionIssuer.ARN != si.ARN || pu.ARN != "" ||
		pu.SessionContext.CreationDate != "" || pu.SessionContext.SessionIssuer.UserName != "" {
		t.Errorf("projected userIdentity %+v", pu)
	}

	for _, bad := range []struct{ rec, field string }{
		{`{"eventName":"X","userIdentity":"me"}`, "userIdentity"},
		{`{"eventName":"X","userIdentity":{"type":"IAMUser","sessionContext":7}}`, "userIdentity.sessionContext"},
		{`{"eventName":"X","userIdentity":{"sessionContext":{"sessionIssuer":[1]}}}`, "sessionContext.sessionIssuer"},
		{`{"eventName":"X","userIdentity":{"arn":{"x":1}}}`, "userIdentity.arn"},
		{`{"eventName":"X","resources":[{"arn":"a"},"b"]}`, "resources[]"},
		{`{"eventName":"X","tlsDetails":true}`, "tlsDetails"},
	} {
		d := newRecordDecoder()
		var r Record
		if err := d.decode([]byte(bad.rec), &r); err != nil {
			t.Fatalf("%s: %v", bad.rec, err)
		}
		if d.err == nil || !strings.Contains(d.err.Error(), "field "+bad.field+":") {
			t.Errorf("%s: field error %v, want one for %s", bad.rec, d.err, bad.field)
		}
	}
	// null objects are empty, without an error.
	d = newRecordDecoder()
	var n Record
	if err := d.decode([]byte(`{"eventName":"X","userIdentity":{"sessionContext":null,"type":"Root"},"resources":null,"tlsDetails":null}`), &n); err != nil || d.err != nil {
		t.Fatalf("%v %v", err, d.err)
	}
	if n.UserIdentity.Type != "Root" || n.TLSDetails != nil || n.Resources != nil {
		t.Errorf("null members: %+v", n)
	}
}

// FuzzNestedWalk: a walk over any bytes ends without a panic.
func FuzzNestedWalk(f *testing.F) {
	f.Add([]byte(`{"type":"AssumedRole","sessionContext":{"sessionIssuer":{"arn":"x"}}}`))
	f.Add([]byte(`{"a":{"b":{`))
	f.Add([]byte(`{"sessionContext":{"attributes":`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d := newRecordDecoder()
		var u UserIdentity
		var r Record
		if len(b) > 0 {
			d.userIdentity(b, &u)
			d.resources(b, &r)
			d.tlsDetails(b, &r)
		}
	})
}
