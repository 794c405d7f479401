package collect

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamwhy/iamwhy/policy"
	"github.com/iamwhy/iamwhy/snapshot/authdetails"
)

// The authorization details of an account: GetAccountAuthorizationDetails,
// every page, written as the AWS CLI prints it (documents as JSON objects,
// not the URL-encoded strings the API returns), one JSON object per page
// one after the other, which the loader reads as one account.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html

// The file's shape is package authdetails' with the documents as JSON.
type (
	cliPage          = authdetails.Page[json.RawMessage]
	cliPolicy        = authdetails.InlinePolicy[json.RawMessage]
	cliUser          = authdetails.User[json.RawMessage]
	cliGroup         = authdetails.Group[json.RawMessage]
	cliRole          = authdetails.Role[json.RawMessage]
	cliVersion       = authdetails.PolicyVersion[json.RawMessage]
	cliManagedPolicy = authdetails.ManagedPolicy[json.RawMessage]
)

// document turns a policy document as the IAM API returns it (URL-encoded
// JSON) into JSON for the file; text that is not JSON after decoding is
// kept as a JSON string so nothing is lost, and the loader reports it.
func document(s *string) json.RawMessage {
	if s == nil {
		return nil
	}
	text := *s
	if dec, _, err := policy.DecodeString(text); err == nil {
		text = string(dec)
	}
	if json.Valid([]byte(text)) && len(text) > 0 && text[0] == '{' {
		return json.RawMessage(text)
	}
	q, _ := json.Marshal(text)
	return q
}

func date(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func policies(list []types.PolicyDetail) []cliPolicy {
	out := make([]cliPolicy, 0, len(list))
	for _, p := range list {
		out = append(out, cliPolicy{PolicyName: aws.ToString(p.PolicyName), PolicyDocument: document(p.PolicyDocument)})
	}
	return out
}

func attachedList(list []types.AttachedPolicy) []authdetails.AttachedPolicy {
	out := make([]authdetails.AttachedPolicy, 0, len(list))
	for _, a := range list {
		out = append(out, authdetails.AttachedPolicy{PolicyName: aws.ToString(a.PolicyName), PolicyArn: aws.ToString(a.PolicyArn)})
	}
	return out
}

func boundary(b *types.AttachedPermissionsBoundary) *authdetails.Boundary {
	if b == nil || b.PermissionsBoundaryArn == nil {
		return nil
	}
	return &authdetails.Boundary{PermissionsBoundaryType: string(b.PermissionsBoundaryType), PermissionsBoundaryArn: aws.ToString(b.PermissionsBoundaryArn)}
}

func tags(list []types.Tag) []authdetails.Tag {
	out := make([]authdetails.Tag, 0, len(list))
	for _, t := range list {
		out = append(out, authdetails.Tag{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)})
	}
	return out
}

func cliPageOf(p *iam.GetAccountAuthorizationDetailsOutput) cliPage {
	page := cliPage{
		UserDetailList: []cliUser{}, GroupDetailList: []cliGroup{}, RoleDetailList: []cliRole{},
		Policies: []cliManagedPolicy{}, IsTruncated: p.IsTruncated,
	}
	for _, u := range p.UserDetailList {
		groups := u.GroupList
		if groups == nil {
			groups = []string{}
		}
		page.UserDetailList = append(page.UserDetailList, cliUser{
			Path: aws.ToString(u.Path), UserName: aws.ToString(u.UserName), UserID: aws.ToString(u.UserId),
			Arn: aws.ToString(u.Arn), CreateDate: date(u.CreateDate), UserPolicyList: policies(u.UserPolicyList),
			GroupList: groups, AttachedManagedPolicies: attachedList(u.AttachedManagedPolicies),
			PermissionsBoundary: boundary(u.PermissionsBoundary), Tags: tags(u.Tags),
		})
	}
	for _, g := range p.GroupDetailList {
		page.GroupDetailList = append(page.GroupDetailList, cliGroup{
			Path: aws.ToString(g.Path), GroupName: aws.ToString(g.GroupName), GroupID: aws.ToString(g.GroupId),
			Arn: aws.ToString(g.Arn), CreateDate: date(g.CreateDate), GroupPolicyList: policies(g.GroupPolicyList),
			AttachedManagedPolicies: attachedList(g.AttachedManagedPolicies),
		})
	}
	for _, r := range p.RoleDetailList {
		cr := cliRole{
			Path: aws.ToString(r.Path), RoleName: aws.ToString(r.RoleName), RoleID: aws.ToString(r.RoleId),
			Arn: aws.ToString(r.Arn), CreateDate: date(r.CreateDate),
			AssumeRolePolicyDocument: document(r.AssumeRolePolicyDocument), RolePolicyList: policies(r.RolePolicyList),
			AttachedManagedPolicies: attachedList(r.AttachedManagedPolicies),
			PermissionsBoundary:     boundary(r.PermissionsBoundary), Tags: tags(r.Tags),
			RoleLastUsed: &authdetails.RoleLastUsed{},
		}
		if r.RoleLastUsed != nil {
			cr.RoleLastUsed = &authdetails.RoleLastUsed{LastUsedDate: date(r.RoleLastUsed.LastUsedDate), Region: aws.ToString(r.RoleLastUsed.Region)}
		}
		page.RoleDetailList = append(page.RoleDetailList, cr)
	}
	for _, m := range p.Policies {
		cm := cliManagedPolicy{
			PolicyName: aws.ToString(m.PolicyName), PolicyID: aws.ToString(m.PolicyId), Arn: aws.ToString(m.Arn),
			Path: aws.ToString(m.Path), DefaultVersionID: aws.ToString(m.DefaultVersionId),
			AttachmentCount: aws.ToInt32(m.AttachmentCount), PermissionsBoundaryUsageCount: aws.ToInt32(m.PermissionsBoundaryUsageCount),
			IsAttachable: m.IsAttachable, CreateDate: date(m.CreateDate), UpdateDate: date(m.UpdateDate),
			PolicyVersionList: []cliVersion{},
		}
		for _, v := range m.PolicyVersionList {
			cm.PolicyVersionList = append(cm.PolicyVersionList, cliVersion{
				Document: document(v.Document), VersionID: aws.ToString(v.VersionId),
				IsDefaultVersion: v.IsDefaultVersion, CreateDate: date(v.CreateDate),
			})
		}
		page.Policies = append(page.Policies, cm)
	}
	return page
}

// authorizationDetails writes accounts/ACCOUNT/authorization-details.json.
func (c *collector) authorizationDetails(ctx context.Context, cfg aws.Config, acct string) error {
	path := filepath.Join(c.out, "accounts", acct, "authorization-details.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".partial"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	w := bufio.NewWriter(f)
	var users, groups, roles, pols int
	pg := iam.NewGetAccountAuthorizationDetailsPaginator(iam.NewFromConfig(cfg), &iam.GetAccountAuthorizationDetailsInput{})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			f.Close()
			return fmt.Errorf("GetAccountAuthorizationDetails: %w", err)
		}
		page := cliPageOf(out)
		data, err := json.MarshalIndent(page, "", "    ")
		if err != nil {
			f.Close()
			return err
		}
		w.Write(data)
		w.WriteByte('\n')
		users += len(page.UserDetailList)
		groups += len(page.GroupDetailList)
		roles += len(page.RoleDetailList)
		pols += len(page.Policies)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	c.mu.Lock()
	c.authFiles = append(c.authFiles, c.rel(path))
	c.sum.Users += users
	c.sum.Groups += groups
	c.sum.Roles += roles
	c.sum.ManagedPolicies += pols
	c.mu.Unlock()
	return nil
}
