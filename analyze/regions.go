package analyze

import "github.com/iamwhy/iamwhy/arn"

// partitions and their Regions, from "Regions, Availability Zones, and
// Local Zones" and "Amazon Resource Names: partition"
// (https://docs.aws.amazon.com/general/latest/gr/rande.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
// A Region AWS opens after this list was written is reported as invalid
// until the list is updated; the list is short so that updating it is
// easy.
var partitions = map[string][]string{
	"aws": {
		"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
		"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
		"ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1",
		"eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
		"il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1",
		"us-east-1", "us-east-2", "us-west-1", "us-west-2",
	},
	"aws-cn":     {"cn-north-1", "cn-northwest-1"},
	"aws-us-gov": {"us-gov-east-1", "us-gov-west-1"},
	"aws-iso":    {"us-iso-east-1", "us-iso-west-1"},
	"aws-iso-b":  {"us-isob-east-1", "us-isob-west-1"},
	"aws-iso-e":  {"eu-isoe-west-1"},
	"aws-iso-f":  {"us-isof-east-1", "us-isof-south-1"},
	"aws-eusc":   {"eusc-de-east-1"},
}

var regionSet = func() map[string]bool {
	m := map[string]bool{}
	for _, rs := range partitions {
		for _, r := range rs {
			m[r] = true
		}
	}
	return m
}()

// knownPartition is arn's fact; TestPartitionsAgree keeps the Region
// list above keyed by the same names.
func knownPartition(p string) bool { return arn.KnownPartition(p) }

func knownRegion(r string) bool { return regionSet[r] }

func partitionNames() []string { return arn.Partitions() }
