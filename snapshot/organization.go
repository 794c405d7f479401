package snapshot

// NodeKind is the kind of a node of the organisation tree.
type NodeKind uint8

const (
	NodeRoot NodeKind = iota
	NodeOU
	NodeAccount
)

func (k NodeKind) String() string {
	switch k {
	case NodeRoot:
		return "root"
	case NodeOU:
		return "ou"
	}
	return "account"
}

// Organization is an AWS Organizations organisation: its tree, and the SCP
// and RCP documents attached to its nodes.
type Organization struct {
	ID                string
	ManagementAccount string
	// Policies are the SCP and RCP documents by policy id.
	Policies map[string]*OrgPolicy
	Root     *OrgNode
	// Source is the organisation file.
	Source string

	accounts map[string]*OrgNode
}

// OrgPolicy is an SCP or RCP document by id.
type OrgPolicy struct {
	ID       string
	Document *Document
}

// OrgNode is the root, an OU or an account of the organisation tree.
type OrgNode struct {
	Kind NodeKind
	ID   string
	Name string
	// SCPs and RCPs are the ids of the policies attached to this node. As
	// in AWS, RCPFullAWSAccess is in force at every node whether listed or
	// not.
	SCPs     []string
	RCPs     []string
	Parent   *OrgNode
	OUs      []*OrgNode
	Accounts []*OrgNode
	// Source is file:line:col of the node.
	Source string
}

// AccountNode returns the account's node, ok false when the account is not
// in the organisation.
func (o *Organization) AccountNode(account string) (*OrgNode, bool) {
	n, ok := o.accounts[account]
	return n, ok
}

// Accounts returns the ids of the organisation's accounts in tree order.
func (o *Organization) Accounts() []string {
	var out []string
	var walk func(n *OrgNode)
	walk = func(n *OrgNode) {
		for _, a := range n.Accounts {
			out = append(out, a.ID)
		}
		for _, c := range n.OUs {
			walk(c)
		}
	}
	if o.Root != nil {
		walk(o.Root)
	}
	return out
}

// PolicyLevel is one level of the path from the organisation root down to an
// account: the node and the policies attached to it. Every level must allow
// a request for the SCPs (or RCPs) to allow it.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
type PolicyLevel struct {
	Node     *OrgNode
	Policies []*OrgPolicy
}

// path returns the nodes from the root down to n.
func (n *OrgNode) path() []*OrgNode {
	var rev []*OrgNode
	for c := n; c != nil; c = c.Parent {
		rev = append(rev, c)
	}
	out := make([]*OrgNode, len(rev))
	for i, c := range rev {
		out[len(rev)-1-i] = c
	}
	return out
}
