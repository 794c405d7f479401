package generate

import (
	"reflect"
	"testing"
)

// TestWithoutCovered: an ARN is dropped only when another one of the list
// ends in its only "*" and is a prefix of it.
func TestWithoutCovered(t *testing.T) {
	for _, c := range []struct{ in, want []string }{
		{
			[]string{"arn:aws:ec2:us-east-1:111122223333:subnet/*", "arn:aws:ec2:us-east-1:111122223333:subnet/subnet-1", "arn:aws:ec2:us-east-1:111122223333:vpc/vpc-1"},
			[]string{"arn:aws:ec2:us-east-1:111122223333:subnet/*", "arn:aws:ec2:us-east-1:111122223333:vpc/vpc-1"},
		},
		{ // another account or Region is not covered
			[]string{"arn:aws:ec2:us-east-1:111122223333:subnet/*", "arn:aws:ec2:us-east-1:444455556666:subnet/subnet-1", "arn:aws:ec2:us-west-2:111122223333:subnet/subnet-1"},
			[]string{"arn:aws:ec2:us-east-1:111122223333:subnet/*", "arn:aws:ec2:us-east-1:444455556666:subnet/subnet-1", "arn:aws:ec2:us-west-2:111122223333:subnet/subnet-1"},
		},
		{ // a wildcard inside the pattern is not taken as a prefix
			[]string{"arn:aws:s3:::b-?/*", "arn:aws:s3:::b-?/k"},
			[]string{"arn:aws:s3:::b-?/*", "arn:aws:s3:::b-?/k"},
		},
		{ // an image owned by no account, beside image/*
			[]string{"arn:aws:ec2:us-east-1::image/*", "arn:aws:ec2:us-east-1::image/ami-1"},
			[]string{"arn:aws:ec2:us-east-1::image/*"},
		},
		{[]string{"arn:aws:s3:::b/k"}, []string{"arn:aws:s3:::b/k"}},
	} {
		if got := withoutCovered(append([]string(nil), c.in...)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("withoutCovered(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
