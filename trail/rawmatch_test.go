package trail

import (
	"bytes"
	"context"
	"testing"
)

// Filter.RawMatch drops records before decoding; they are counted as
// filtered, never lost.
func TestRawMatch(t *testing.T) {
	in := `{"Records":[{"eventVersion":"1.09","eventID":"` + uuidN(1) + `","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"arn":"arn:aws:iam::111122223333:user/a"}},
	{"eventVersion":"1.09","eventID":"` + uuidN(2) + `","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"arn":"arn:aws:iam::111122223333:user/b"}}]}`
	var got []string
	st, err := Read(context.Background(), []string{"-"}, Options{Stdin: bytes.NewReader([]byte(in)), Serial: true,
		Filter: Filter{RawMatch: func(raw []byte) bool { return bytes.Contains(raw, []byte("user/b")) }}},
		func(r *Record) error { got = append(got, r.UserIdentity.ARN); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "arn:aws:iam::111122223333:user/b" || st.Records != 2 || st.Filtered != 1 {
		t.Errorf("got %v, stats %+v", got, st)
	}
}
