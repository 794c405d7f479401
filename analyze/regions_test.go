package analyze

import (
	"slices"
	"testing"

	"github.com/iamwhy/iamwhy/arn"
)

// The Regions listed per partition are keyed by arn's partition names,
// every one of them, and each Region is in the partition arn gives it.
func TestPartitionsAgree(t *testing.T) {
	var keys []string
	for p, regions := range partitions {
		keys = append(keys, p)
		for _, r := range regions {
			if got := arn.PartitionOfRegion(r); got != p {
				t.Errorf("Region %s listed under %s, arn.PartitionOfRegion says %s", r, p, got)
			}
		}
	}
	slices.Sort(keys)
	if !slices.Equal(keys, arn.Partitions()) {
		t.Errorf("partitions with Regions %v, arn.Partitions %v", keys, arn.Partitions())
	}
}
