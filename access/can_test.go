package access

import (
	"testing"

	"github.com/iamwhy/iamwhy/catalog"
)

// TestCanExample: known actions of the example environment appear under
// the catalog's access level, and only what the layers allow.
func TestCanExample(t *testing.T) {
	env := loadExample(t)
	cat := catalog.Default()
	tests := []struct {
		rule      string
		principal string
		services  []string
		resource  string
		present   map[string]string // action -> access level
		absent    []string
	}{
		{
			rule:      "DeveloperAccess and the boundary allow lambda:* on any function",
			principal: developer, services: []string{"lambda"},
			present: map[string]string{"lambda:CreateFunction": "Write", "lambda:GetFunction": "Read", "lambda:ListFunctions": "List",
				"lambda:AddPermission": "Permissions management", "lambda:TagResource": "Tagging"},
		},
		{
			rule:      "the boundary does not allow iam: DeveloperAccess's iam:CreateRole is not effective",
			principal: developer, services: []string{"iam"},
			absent: []string{"iam:CreateRole", "iam:PassRole"},
		},
		{
			rule:      "a grant on one bucket does not count as a grant on any bucket (the approximation)",
			principal: configReader, services: []string{"s3"},
			absent: []string{"s3:GetObject", "s3:PutObject"},
		},
		{
			rule:      "with --resource the resource's own actions are decided, with its policy",
			principal: configReader, services: []string{"s3"}, resource: object,
			present: map[string]string{"s3:GetObject": "Read"},
			absent:  []string{"s3:PutObject"},
		},
		{
			rule:      "IAMUserChangePassword: ChangePassword on her own user only, so not on any user",
			principal: alice, services: []string{"iam"},
			present: map[string]string{"iam:GetAccountPasswordPolicy": "Read"},
			absent:  []string{"iam:ChangePassword", "iam:CreateUser"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			r, err := Can(env, cat, CanQuery{Principal: tt.principal, Services: tt.services, Resource: tt.resource, Context: ctxOf("aws:RequestedRegion", "eu-west-1")})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]ActionAnswer{}
			for _, sp := range r.Services {
				for _, a := range sp.Actions {
					got[a.Action] = a
				}
			}
			for action, level := range tt.present {
				a, ok := got[action]
				if !ok || a.Status != Allowed || a.Access != level {
					t.Errorf("%s: %+v, want allowed at %s", action, a, level)
				}
			}
			for _, action := range tt.absent {
				if a, ok := got[action]; ok {
					t.Errorf("%s: %s, want left out", action, a.Summary())
				}
			}
		})
	}
}

func TestActionResource(t *testing.T) {
	cat := catalog.Default()
	tests := []struct{ action, arn string }{
		{"s3:ListAllMyBuckets", "*"},
		{"s3:GetObject", "arn:aws:s3:::*/*"},
		{"lambda:InvokeFunction", "arn:aws:lambda:*:111122223333:function:*"},
	}
	for _, tt := range tests {
		a, ok := cat.Action(tt.action)
		if !ok {
			t.Fatal(tt.action)
		}
		if got, scope := ActionResource(a, "111122223333"); got != tt.arn {
			t.Errorf("%s: %s (%s), want %s", tt.action, got, scope, tt.arn)
		}
	}
}
