package trail

import "fmt"

// The nested objects of a record (userIdentity, resources[], tlsDetails)
// are decoded in one pass each: the record's top-level members come with
// their extents from the scan that validated it, but inside them a walk
// that first found each member's extent and then walked into the objects
// it wanted scanned a session issuer three times (as part of
// userIdentity, of sessionContext, then itself). userIdentity is decoded
// for every record `unused` reads, so this is on its hot path.

// objWalk walks the members of an already validated JSON object once: at
// each member the caller takes the value (value), skips it (skip), or
// walks into it (enter), after which the outer walk continues past it.
// On malformed input a walk ends early and never panics.
type objWalk struct {
	b []byte
	i int // where the next member (or the closing brace) starts
}

// next moves to the next member and returns its key lower-cased in buf
// (lowerKey); the walk then stands at the member's value.
func (w *objWalk) next(buf []byte) ([]byte, bool) {
	b := w.b
	i := skipWS(b, w.i)
	if i < len(b) && b[i] == ',' {
		i = skipWS(b, i+1)
	}
	if i >= len(b) || b[i] != '"' {
		if i < len(b) && b[i] == '}' {
			w.i = i + 1
		} else {
			w.i = len(b)
		}
		return nil, false
	}
	ke := skipValid(b, i)
	if ke <= i+1 || ke > len(b) || b[ke-1] != '"' {
		w.i = len(b)
		return nil, false
	}
	key := lowerKey(buf, b[i:ke])
	i = skipWS(b, ke)
	if i >= len(b) || b[i] != ':' {
		w.i = len(b)
		return nil, false
	}
	i = skipWS(b, i+1)
	if i >= len(b) {
		w.i = len(b)
		return nil, false
	}
	w.i = i
	return key, true
}

// value returns the value the walk stands at and moves past it; nil on
// malformed input (the walk then ends).
func (w *objWalk) value() []byte {
	e := skipValid(w.b, w.i)
	if e <= w.i {
		w.i = len(w.b)
		return nil
	}
	v := w.b[w.i:e]
	w.i = e
	return v
}

// skip moves past the value the walk stands at.
func (w *objWalk) skip() { w.value() }

// enter starts a walk of the object the walk stands at, named for errors:
// null is an empty object, and another kind of value a field error; both
// are skipped and ok is false. When the inner walk is done, call leave.
func (w *objWalk) enter(d *recordDecoder, name string) (inner objWalk, ok bool) {
	switch c := w.b[w.i]; c {
	case '{':
		return objWalk{b: w.b, i: w.i + 1}, true
	case 'n':
	default:
		d.setErr(fmt.Errorf("field %s: expected an object, got %s", name, kindOf(c)))
	}
	w.skip()
	return objWalk{}, false
}

// leave continues the walk after the object inner walked.
func (w *objWalk) leave(inner *objWalk) { w.i = inner.i }

// field decodes the value the walk stands at as the string field name
// (recordDecoder.str); a malformed value leaves it empty.
func (w *objWalk) field(d *recordDecoder, name string) string {
	v := w.value()
	if len(v) == 0 || v[0] == '"' && (len(v) < 2 || v[len(v)-1] != '"') {
		// Cut short: only input that was not validated gets here.
		w.i = len(w.b)
		return ""
	}
	return d.str(v, name, true)
}

// take fills dst from the value w stands at when the decode wants the
// userIdentity field with index id in identityPaths, and skips it
// otherwise.
func (d *recordDecoder) take(w *objWalk, dst *string, id int, name string) {
	if !d.wants(id) {
		w.skip()
		return
	}
	*dst = w.field(d, name)
}

// walkObject starts a walk of v, a whole value, as enter does.
func walkObject(d *recordDecoder, v []byte, name string) (objWalk, bool) {
	if len(v) == 0 {
		return objWalk{}, false
	}
	w := objWalk{b: v}
	return w.enter(d, name)
}

// wants reports whether a projected decode asked for the userIdentity
// field with index id in identityPaths (every field when it named none).
func (d *recordDecoder) wants(id int) bool {
	return d.members == nil || d.members.identity == nil || d.members.identity[id]
}

// wantsAny reports whether any of the userIdentity fields from index lo to
// hi (inclusive) is wanted: an object holding none of them is skipped.
func (d *recordDecoder) wantsAny(lo, hi int) bool {
	for id := lo; id <= hi; id++ {
		if d.wants(id) {
			return true
		}
	}
	return false
}

// Indexes into identityPaths of the fields in sessionContext, its
// attributes and its sessionIssuer.
const (
	idSessionFirst = 9
	idAttrsFirst   = 11
	idAttrsLast    = 12
	idIssuerFirst  = 13
	idIssuerLast   = 17
)

func (d *recordDecoder) userIdentity(v []byte, u *UserIdentity) {
	w, ok := walkObject(d, v, "userIdentity")
	if !ok {
		return
	}
	var buf [48]byte
	for {
		key, ok := w.next(buf[:0])
		if !ok {
			return
		}
		switch string(key) {
		case "type":
			d.take(&w, &u.Type, 0, "userIdentity.type")
		case "principalid":
			d.take(&w, &u.PrincipalID, 1, "userIdentity.principalId")
		case "arn":
			d.take(&w, &u.ARN, 2, "userIdentity.arn")
		case "accountid":
			d.take(&w, &u.AccountID, 3, "userIdentity.accountId")
		case "accesskeyid":
			d.take(&w, &u.AccessKeyID, 4, "userIdentity.accessKeyId")
		case "username":
			d.take(&w, &u.UserName, 5, "userIdentity.userName")
		case "invokedby":
			d.take(&w, &u.InvokedBy, 6, "userIdentity.invokedBy")
		case "identityprovider":
			d.take(&w, &u.IdentityProvider, 7, "userIdentity.identityProvider")
		case "credentialid":
			d.take(&w, &u.CredentialID, 8, "userIdentity.credentialId")
		case "sessioncontext":
			if !d.wantsAny(idSessionFirst, idIssuerLast) {
				w.skip()
				continue
			}
			if sc, ok := w.enter(d, "userIdentity.sessionContext"); ok {
				d.sessionContext(&sc, &u.SessionContext)
				w.leave(&sc)
			}
			continue
		default:
			w.skip()
		}
	}
}

func (d *recordDecoder) sessionContext(w *objWalk, sc *SessionContext) {
	var buf [48]byte
	for {
		key, ok := w.next(buf[:0])
		if !ok {
			return
		}
		switch string(key) {
		case "sourceidentity":
			d.take(w, &sc.SourceIdentity, 9, "sessionContext.sourceIdentity")
			continue
		case "ec2roledelivery":
			d.take(w, &sc.EC2RoleDelivery, 10, "sessionContext.ec2RoleDelivery")
			continue
		case "attributes":
			if !d.wantsAny(idAttrsFirst, idAttrsLast) {
				break
			}
			if in, ok := w.enter(d, "sessionContext.attributes"); ok {
				d.sessionAttributes(&in, sc)
				w.leave(&in)
			}
			continue
		case "sessionissuer":
			if !d.wantsAny(idIssuerFirst, idIssuerLast) {
				break
			}
			if in, ok := w.enter(d, "sessionContext.sessionIssuer"); ok {
				d.sessionIssuer(&in, &sc.SessionIssuer)
				w.leave(&in)
			}
			continue
		}
		w.skip()
	}
}

func (d *recordDecoder) sessionAttributes(w *objWalk, sc *SessionContext) {
	var buf [48]byte
	for {
		key, ok := w.next(buf[:0])
		if !ok {
			return
		}
		switch string(key) {
		case "mfaauthenticated":
			d.take(w, &sc.MFAAuthenticated, 11, "sessionContext.attributes.mfaAuthenticated")
		case "creationdate":
			d.take(w, &sc.CreationDate, 12, "sessionContext.attributes.creationDate")
		default:
			w.skip()
		}
	}
}

func (d *recordDecoder) sessionIssuer(w *objWalk, si *SessionIssuer) {
	var buf [48]byte
	for {
		key, ok := w.next(buf[:0])
		if !ok {
			return
		}
		switch string(key) {
		case "type":
			d.take(w, &si.Type, 13, "sessionIssuer.type")
		case "principalid":
			d.take(w, &si.PrincipalID, 14, "sessionIssuer.principalId")
		case "arn":
			d.take(w, &si.ARN, 15, "sessionIssuer.arn")
		case "accountid":
			d.take(w, &si.AccountID, 16, "sessionIssuer.accountId")
		case "username":
			d.take(w, &si.UserName, 17, "sessionIssuer.userName")
		default:
			w.skip()
		}
	}
}

func (d *recordDecoder) resources(v []byte, r *Record) {
	if v[0] == 'n' {
		return
	}
	if v[0] != '[' {
		d.setErr(fmt.Errorf("field resources: expected an array, got %s", kindOf(v[0])))
		return
	}
	ai := arrIter{b: v, i: 1}
	var buf [48]byte
	for {
		e, ok := ai.next()
		if !ok {
			return
		}
		w, ok := walkObject(d, e, "resources[]")
		if !ok {
			continue
		}
		var res Resource
		for {
			key, ok := w.next(buf[:0])
			if !ok {
				break
			}
			switch string(key) {
			case "arn":
				res.ARN = w.field(d, "resources.ARN")
			case "accountid":
				res.AccountID = w.field(d, "resources.accountId")
			case "type":
				res.Type = w.field(d, "resources.type")
			default:
				w.skip()
			}
		}
		r.Resources = append(r.Resources, res)
	}
}

func (d *recordDecoder) tlsDetails(v []byte, r *Record) {
	w, ok := walkObject(d, v, "tlsDetails")
	if !ok {
		return
	}
	t := &TLSDetails{}
	var buf [48]byte
	for {
		key, ok := w.next(buf[:0])
		if !ok {
			break
		}
		switch string(key) {
		case "tlsversion":
			t.TLSVersion = w.field(d, "tlsDetails.tlsVersion")
		case "ciphersuite":
			t.CipherSuite = w.field(d, "tlsDetails.cipherSuite")
		case "clientprovidedhostheader":
			t.ClientProvidedHostHeader = w.field(d, "tlsDetails.clientProvidedHostHeader")
		default:
			w.skip()
		}
	}
	r.TLSDetails = t
}
