package collect

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"gopkg.in/yaml.v3"
)

// The organisation: DescribeOrganization, ListRoots, then from the root down
// ListOrganizationalUnitsForParent and ListAccountsForParent, with
// ListPoliciesForTarget (SCPs and RCPs) at every node and DescribePolicy for
// each policy met. Written as organization.yaml (docs/environment.md) with
// each policy's content in policies/ID.json, exactly as DescribePolicy
// returns it.

// fullAWSAccess is the content of the AWS managed SCP FullAWSAccess. When
// the SCP policy type is not enabled no SCP applies, which the organisation
// file says by attaching this allow-everything policy at every node.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
const fullAWSAccess = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    }
  ]
}
`

type orgTree struct {
	id, mgmt   string
	root       *orgNode
	policies   map[string]string // id -> content
	scpEnabled bool
	rcpEnabled bool
	accounts   []*orgNode
}

type orgNode struct {
	ID       string     `yaml:"id"`
	Name     string     `yaml:"name,omitempty"`
	SCP      []string   `yaml:"scp"`
	RCP      []string   `yaml:"rcp"`
	Accounts []*orgNode `yaml:"accounts,omitempty"`
	OUs      []*orgNode `yaml:"ous,omitempty"`
	status   string
}

func (o *orgTree) activeAccounts() []string {
	var out []string
	for _, a := range o.accounts {
		if a.status == "" || a.status == "ACTIVE" {
			out = append(out, a.ID)
		}
	}
	return out
}

// organization reads the organisation; nil, nil when the account is in none.
func (c *collector) organization(ctx context.Context) (*orgTree, error) {
	cl := organizations.NewFromConfig(c.cfg)
	d, err := cl.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		if isAPIError(err, "AWSOrganizationsNotInUseException") {
			return nil, nil
		}
		return nil, fmt.Errorf("DescribeOrganization: %w", err)
	}
	o := &orgTree{
		id: aws.ToString(d.Organization.Id), mgmt: aws.ToString(d.Organization.MasterAccountId),
		policies: map[string]string{},
	}
	var roots []types.Root
	rp := organizations.NewListRootsPaginator(cl, &organizations.ListRootsInput{})
	for rp.HasMorePages() {
		page, err := rp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("ListRoots: %w", err)
		}
		roots = append(roots, page.Roots...)
	}
	if len(roots) != 1 {
		return nil, fmt.Errorf("ListRoots: %d roots, expected 1", len(roots))
	}
	for _, pt := range roots[0].PolicyTypes {
		if pt.Status != types.PolicyTypeStatusEnabled {
			continue
		}
		switch pt.Type {
		case types.PolicyTypeServiceControlPolicy:
			o.scpEnabled = true
		case types.PolicyTypeResourceControlPolicy:
			o.rcpEnabled = true
		}
	}
	o.root = &orgNode{ID: aws.ToString(roots[0].Id), Name: aws.ToString(roots[0].Name)}
	if err := c.walk(ctx, cl, o, o.root, 0); err != nil {
		return nil, err
	}
	return o, nil
}

func (c *collector) walk(ctx context.Context, cl *organizations.Client, o *orgTree, n *orgNode, depth int) error {
	if depth > 10 {
		return fmt.Errorf("organisation deeper than AWS allows below %s", n.ID)
	}
	if err := c.attachments(ctx, cl, o, n); err != nil {
		return err
	}
	ap := organizations.NewListAccountsForParentPaginator(cl, &organizations.ListAccountsForParentInput{ParentId: aws.String(n.ID)})
	for ap.HasMorePages() {
		page, err := ap.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("ListAccountsForParent %s: %w", n.ID, err)
		}
		for _, a := range page.Accounts {
			an := &orgNode{ID: aws.ToString(a.Id), Name: aws.ToString(a.Name), status: string(a.Status)}
			if a.State != "" {
				an.status = string(a.State)
			}
			if err := c.attachments(ctx, cl, o, an); err != nil {
				return err
			}
			n.Accounts = append(n.Accounts, an)
			o.accounts = append(o.accounts, an)
		}
	}
	op := organizations.NewListOrganizationalUnitsForParentPaginator(cl, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(n.ID)})
	for op.HasMorePages() {
		page, err := op.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("ListOrganizationalUnitsForParent %s: %w", n.ID, err)
		}
		for _, ou := range page.OrganizationalUnits {
			child := &orgNode{ID: aws.ToString(ou.Id), Name: aws.ToString(ou.Name)}
			if err := c.walk(ctx, cl, o, child, depth+1); err != nil {
				return err
			}
			n.OUs = append(n.OUs, child)
		}
	}
	return nil
}

// attachments lists the SCPs and RCPs attached to a node and describes each
// policy the first time it is met.
func (c *collector) attachments(ctx context.Context, cl *organizations.Client, o *orgTree, n *orgNode) error {
	n.SCP, n.RCP = []string{}, []string{}
	if !o.scpEnabled {
		n.SCP = []string{"p-FullAWSAccess"}
		o.policies["p-FullAWSAccess"] = fullAWSAccess
	}
	for _, f := range []types.PolicyType{types.PolicyTypeServiceControlPolicy, types.PolicyTypeResourceControlPolicy} {
		if (f == types.PolicyTypeServiceControlPolicy && !o.scpEnabled) || (f == types.PolicyTypeResourceControlPolicy && !o.rcpEnabled) {
			continue
		}
		pp := organizations.NewListPoliciesForTargetPaginator(cl, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(n.ID), Filter: f})
		for pp.HasMorePages() {
			page, err := pp.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("ListPoliciesForTarget %s %s: %w", n.ID, f, err)
			}
			for _, p := range page.Policies {
				id := aws.ToString(p.Id)
				if f == types.PolicyTypeServiceControlPolicy {
					n.SCP = append(n.SCP, id)
				} else {
					n.RCP = append(n.RCP, id)
				}
				if _, seen := o.policies[id]; seen {
					continue
				}
				dp, err := cl.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(id)})
				if err != nil {
					return fmt.Errorf("DescribePolicy %s: %w", id, err)
				}
				if dp.Policy == nil || dp.Policy.Content == nil {
					return fmt.Errorf("DescribePolicy %s: no content", id)
				}
				o.policies[id] = aws.ToString(dp.Policy.Content)
			}
		}
	}
	return nil
}

// writeOrganization writes organization.yaml and policies/ID.json.
func (c *collector) writeOrganization(o *orgTree) (string, error) {
	ids := make([]string, 0, len(o.policies))
	for id := range o.policies {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	paths := map[string]string{}
	for _, id := range ids {
		p := filepath.Join(c.out, "policies", id+".json")
		if err := writeFile(p, []byte(o.policies[id])); err != nil {
			return "", err
		}
		paths[id] = "policies/" + id + ".json"
	}
	doc := struct {
		ID                string            `yaml:"id"`
		ManagementAccount string            `yaml:"management_account,omitempty"`
		Policies          map[string]string `yaml:"policies"`
		Root              *orgNode          `yaml:"root"`
	}{o.id, o.mgmt, paths, o.root}
	data, err := yaml.Marshal(doc)
	if err != nil {
		return "", err
	}
	header := "# Written by iamwhy collect from AWS Organizations (docs/environment.md).\n"
	if !o.scpEnabled {
		header += "# The SCP policy type is not enabled: no SCP applies, recorded as FullAWSAccess at every node.\n"
	}
	p := filepath.Join(c.out, "organization.yaml")
	return p, writeFile(p, append([]byte(header), data...))
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
