package catalog_test

import (
	"testing"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/eval"
)

// The catalog is the engine's service reference.
var _ eval.Reference = (*catalog.Catalog)(nil)

func TestReference(t *testing.T) {
	c := catalog.Default()
	tests := []struct {
		rule                      string
		action                    string
		canonical                 string
		serviceKnown, actionKnown bool
		resource                  string
		applies, appliesKnown     bool
	}{
		{"known action on its type", "s3:getobject", "s3:GetObject", true, true, "arn:aws:s3:::b/k", true, true},
		{"known action on another type", "s3:GetObject", "s3:GetObject", true, true, "arn:aws:s3:::b", false, true},
		{"sts:AssumeRole applies to an IAM role ARN", "sts:AssumeRole", "sts:AssumeRole", true, true, "arn:aws:iam::123456789012:role/R", true, true},
		{"unknown action of a known service", "s3:GetObjekt", "s3:GetObjekt", true, false, "arn:aws:s3:::b/k", false, false},
		{"unknown service", "nosuch:Get", "nosuch:Get", false, false, "*", false, false},
		{"star resource cannot be judged", "s3:GetObject", "s3:GetObject", true, true, "*", false, false},
		{"action without resource types", "s3:ListAllMyBuckets", "s3:ListAllMyBuckets", true, true, "arn:aws:s3:::b", false, false},
		{"ARN of no known type", "s3:GetObject", "s3:GetObject", true, true, "arn:aws:nosuch:::x", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			can, sk, ak := c.LookupAction(tt.action)
			if can != tt.canonical || sk != tt.serviceKnown || ak != tt.actionKnown {
				t.Errorf("LookupAction(%q) = %q %v %v", tt.action, can, sk, ak)
			}
			ap, kn := c.ActionAppliesTo(tt.action, tt.resource)
			if ap != tt.applies || kn != tt.appliesKnown {
				t.Errorf("ActionAppliesTo(%q, %q) = %v %v", tt.action, tt.resource, ap, kn)
			}
		})
	}
	if typ, ok := c.KeyTypeName("aws:TagKeys"); !ok || typ != "ArrayOfString" {
		t.Errorf("KeyTypeName(aws:TagKeys) = %q %v", typ, ok)
	}
}
