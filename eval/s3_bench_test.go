package eval

import "testing"

// BenchmarkDecideRealisticS3Settings is BenchmarkDecideRealistic with the
// bucket's S3 settings given (account and bucket Block Public Access with
// every option on, Object Ownership BucketOwnerEnforced): the cost of the
// S3 layer when present. Absent (BenchmarkDecideRealistic) it costs one
// nil check per hook.
func BenchmarkDecideRealisticS3Settings(b *testing.B) {
	req, l := realisticLayers(b, false)
	all := &BlockPublicAccess{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}
	withS3 := *l
	withS3.S3 = &S3{AccountBlockPublicAccess: all, BucketBlockPublicAccess: all, ObjectOwnership: BucketOwnerEnforced}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if Decide(req, &withS3).Outcome != Allow {
			b.Fatal("not allowed")
		}
	}
}
