package snapshot

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/iamwhy/iamwhy/inputfile"
	"github.com/iamwhy/iamwhy/policy"
	"github.com/iamwhy/iamwhy/snapshot/authdetails"
)

// Loading `aws iam get-account-authorization-details` output.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
//
// The file is streamed: the top-level object is read token by token and each
// element of UserDetailList, GroupDetailList, RoleDetailList and Policies is
// decoded on its own, so memory holds the model and one element, never the
// whole file. Several top-level objects in one file (pages printed one
// after the other) are read in turn.

// The entities are package authdetails' wire types with the documents
// Skipped: the decoder passes over them and element.docSpans finds their
// bytes, which are copied only for the documents kept (a non-default
// policy version is never copied).
type (
	adUser   = authdetails.User[authdetails.Skipped]
	adGroup  = authdetails.Group[authdetails.Skipped]
	adRole   = authdetails.Role[authdetails.Skipped]
	adPolicy = authdetails.ManagedPolicy[authdetails.Skipped]
)

// AddAuthorizationDetailsFile reads one `aws iam get-account-authorization-details`
// output file (or several pages of it concatenated).
func (e *Environment) AddAuthorizationDetailsFile(path string) error {
	f, err := inputfile.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return e.AddAuthorizationDetails(bufio.NewReaderSize(f, 1<<20), path)
}

// AddAuthorizationDetails reads authorization details from r; source names r
// in errors and in every Document. The accounts are taken from the ARNs.
func (e *Environment) AddAuthorizationDetails(r io.Reader, source string) error {
	e.Stats.AuthorizationFiles++
	lr := newLineReader(r)
	dec := json.NewDecoder(lr)
	ld := adLoader{env: e, lr: lr, dec: dec, source: source}
	pages := 0
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return ld.syntax(start, err)
		}
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			line, col := lr.Locate(start)
			return fmt.Errorf("%s: not an authorization-details output: expected a JSON object, found %v", policy.At(source, line, col), tokenText(tok))
		}
		if err := ld.page(); err != nil {
			return err
		}
		pages++
	}
	if pages == 0 {
		return fmt.Errorf("%s: empty file, expected the output of aws iam get-account-authorization-details", source)
	}
	e.Stats.Pages += pages
	if ld.lists == 0 {
		return fmt.Errorf("%s: not an authorization-details output: none of UserDetailList, GroupDetailList, RoleDetailList, Policies found", source)
	}
	if ld.truncated {
		e.warnf("%s: the last page says IsTruncated: true; entities on later pages are missing (give every page)", source)
	}
	return nil
}

func tokenText(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		return string(t)
	case string:
		return strconv.Quote(t)
	case nil:
		return "null"
	}
	return fmt.Sprint(tok)
}

type adLoader struct {
	env       *Environment
	lr        *lineReader
	dec       *json.Decoder
	source    string
	lists     int
	truncated bool
}

func (ld *adLoader) errorf(off int64, format string, args ...any) error {
	line, col := ld.lr.Locate(off)
	return fmt.Errorf("%s: %s", policy.At(ld.source, line, col), fmt.Sprintf(format, args...))
}

func (ld *adLoader) syntax(start int64, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		line, col := ld.lr.Locate(ld.lr.base + int64(len(ld.lr.buf)))
		return fmt.Errorf("%s: unexpected end of JSON input", policy.At(ld.source, line, col))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col, msg := ld.lr.syntaxError(start)
		return fmt.Errorf("%s: invalid JSON: %s", policy.At(ld.source, line, col), msg)
	}
	line, col := ld.lr.Locate(start)
	return fmt.Errorf("%s: %v", policy.At(ld.source, line, col), err)
}

// page reads the members of one top-level object; its '{' has been read.
func (ld *adLoader) page() error {
	ld.truncated = false
	for ld.dec.More() {
		keyOff := ld.dec.InputOffset()
		tok, err := ld.dec.Token()
		if err != nil {
			return ld.syntax(keyOff, err)
		}
		key, _ := tok.(string)
		switch key {
		case "UserDetailList", "GroupDetailList", "RoleDetailList", "Policies":
			ld.lists++
			if err := ld.list(key); err != nil {
				return err
			}
		case "IsTruncated":
			var b bool
			off := ld.dec.InputOffset()
			if err := ld.dec.Decode(&b); err != nil {
				return ld.syntax(off, err)
			}
			ld.truncated = b
			ld.env.Stats.SkippedFields++
		default:
			off := ld.dec.InputOffset()
			var skip json.RawMessage
			if err := ld.dec.Decode(&skip); err != nil {
				return ld.syntax(off, err)
			}
			ld.lr.Locate(ld.dec.InputOffset())
			ld.env.Stats.SkippedFields++
		}
	}
	off := ld.dec.InputOffset()
	if _, err := ld.dec.Token(); err != nil { // the closing '}'
		return ld.syntax(off, err)
	}
	return nil
}

// list reads one entity list, element by element.
func (ld *adLoader) list(key string) error {
	off := ld.dec.InputOffset()
	tok, err := ld.dec.Token()
	if err != nil {
		return ld.syntax(off, err)
	}
	if tok == nil {
		return nil // "Policies": null
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return ld.errorf(off, "%s: expected a JSON array, found %s", key, tokenText(tok))
	}
	for ld.dec.More() {
		before := ld.dec.InputOffset()
		var v any
		switch key {
		case "UserDetailList":
			v = new(adUser)
		case "GroupDetailList":
			v = new(adGroup)
		case "RoleDetailList":
			v = new(adRole)
		default:
			v = new(adPolicy)
		}
		// Decoding straight from the stream validates and decodes in
		// one pass; the element's bytes are then read from the line
		// reader's window, without a copy.
		derr := ld.dec.Decode(v)
		var te *json.UnmarshalTypeError
		if derr != nil && !errors.As(derr, &te) {
			return ld.syntax(before, derr)
		}
		end := ld.dec.InputOffset()
		start := ld.lr.valueStart(before)
		line, col := ld.lr.Locate(start)
		raw := ld.lr.buf[:end-start]
		el := element{raw: raw, line: line, col: col, source: ld.source}
		if len(raw) == 0 || raw[0] != '{' {
			return ld.errorf(start, "%s: expected an object for each entry, found %s", key, describeJSONValue(raw))
		}
		if derr != nil {
			return el.decodeError(v)
		}
		var err error
		switch v := v.(type) {
		case *adUser:
			err = ld.user(&el, v)
		case *adGroup:
			err = ld.group(&el, v)
		case *adRole:
			err = ld.role(&el, v)
		case *adPolicy:
			err = ld.policy(&el, v)
		}
		if err != nil {
			return err
		}
	}
	off = ld.dec.InputOffset()
	if _, err := ld.dec.Token(); err != nil { // ']'
		return ld.syntax(off, err)
	}
	return nil
}

// element is one entry of an entity list with its position in the file.
type element struct {
	raw       []byte
	line, col int
	source    string
}

func (el *element) where() string { return policy.At(el.source, el.line, el.col).String() }

// posAt returns the file position of byte offset off inside the element.
func (el *element) posAt(off int) (int, int) {
	return advancePos(el.line, el.col, el.raw[:off])
}

// decodeError decodes the element again from its bytes to locate the error
// the stream decoder met (its offsets are not relative to the element).
func (el *element) decodeError(v any) error {
	if err := json.Unmarshal(el.raw, v); err != nil {
		line, col := el.line, el.col
		if off, ok := jsonErrorOffset(err); ok && off > 0 && int(off) <= len(el.raw) {
			line, col = el.posAt(valueStartBefore(el.raw, int(off), err))
		}
		return fmt.Errorf("%s: %s", policy.At(el.source, line, col), describeJSONError(err))
	}
	return nil
}

// span is where a value lies in an element; start is -1 when absent.
type span struct{ start, end int }

var noSpan = span{-1, -1}

// docSpans finds the documents in the element: the value of top-level key
// single, and the values of inner in each entry of list.
func (el *element) docSpans(single, list, inner string) (singleSpan span, listSpans map[int]span) {
	singleSpan = noSpan
	listSpans = map[int]span{}
	scanSpans(el.raw, func(path []pathSeg, start int) bool {
		switch len(path) {
		case 1:
			return path[0].Key == list
		case 2:
			return true
		}
		return false
	}, func(path []pathSeg, start, end int) {
		switch {
		case len(path) == 1 && single != "" && path[0].Key == single:
			singleSpan = span{start, end}
		case len(path) == 3 && path[0].Key == list && path[2].Key == inner:
			listSpans[path[1].Index] = span{start, end}
		}
	})
	return singleSpan, listSpans
}

// document builds the Document in span sp of the element, nil when the
// span is absent or the value is null. The bytes are copied: the element's
// bytes are the line reader's window, reused for what follows.
func (el *element) document(sp span, name string) (*Document, error) {
	if sp.start < 0 {
		return nil, nil
	}
	line, col := el.posAt(sp.start)
	return newDocumentFromJSONValue(bytes.Clone(el.raw[sp.start:sp.end]), el.source, line, col, name)
}

func (ld *adLoader) parseDate(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		ld.env.Stats.UnparsedDates++
		return time.Time{}
	}
	return t
}

// entityAccount checks the ARN of an entity and returns its account.
func (ld *adLoader) entityAccount(el *element, arn, kind string) (string, error) {
	a, ok := ParseARN(arn)
	if !ok || a.Service != "iam" || !isAccountID(a.Account) {
		return "", fmt.Errorf("%s: %s with missing or malformed Arn %q (the account is read from it)", el.where(), kind, arn)
	}
	// The resource names the entity type: user/, group/ or role/, then
	// the path and name. Another type here would load an entity no
	// request can find.
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-identifiers.html#identifiers-arns
	if typ, _, _ := strings.Cut(kind, " "); !strings.HasPrefix(a.Resource, typ+"/") || len(a.Resource) == len(typ)+1 {
		return "", fmt.Errorf("%s: %s with malformed Arn %q (want arn:aws:iam::ACCOUNT:%s/NAME)", el.where(), kind, arn, typ)
	}
	return a.Account, nil
}

func (ld *adLoader) inline(el *element, entries []authdetails.InlinePolicy[authdetails.Skipped], spans map[int]span, owner string) ([]InlinePolicy, error) {
	out := make([]InlinePolicy, 0, len(entries))
	for i, p := range entries {
		sp, ok := spans[i]
		if !ok {
			sp = noSpan
		}
		doc, err := el.document(sp, "inline policy "+p.PolicyName+" of "+owner)
		if err != nil {
			return nil, err
		}
		if doc == nil {
			return nil, fmt.Errorf("%s: inline policy %q of %s has no PolicyDocument", el.where(), p.PolicyName, owner)
		}
		out = append(out, InlinePolicy{Name: p.PolicyName, Document: doc})
	}
	return out, nil
}

// policyARNs checks the managed policy ARNs an entity refers to (attached
// policies and the permissions boundary): a malformed one is an error here,
// at its place, rather than a policy silently not found when a request is
// decided. A managed policy ARN is arn:PARTITION:iam::ACCOUNT-or-aws:policy/...
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
func (ld *adLoader) policyARNs(el *element, owner string, list []authdetails.AttachedPolicy, b *authdetails.Boundary) error {
	check := func(a, what string) error {
		p, ok := ParseARN(a)
		if !ok || p.Service != "iam" || !(p.Account == "aws" || isAccountID(p.Account)) || !strings.HasPrefix(p.Resource, "policy/") {
			return fmt.Errorf("%s: %s of %s: malformed managed policy ARN %q (want arn:aws:iam::ACCOUNT:policy/NAME)", el.where(), what, owner, a)
		}
		return nil
	}
	for _, a := range list {
		if err := check(a.PolicyArn, "attached policy "+a.PolicyName); err != nil {
			return err
		}
	}
	if b != nil && b.PermissionsBoundaryArn != "" {
		return check(b.PermissionsBoundaryArn, "permissions boundary")
	}
	return nil
}

func attached(list []authdetails.AttachedPolicy) []AttachedManagedPolicy {
	out := make([]AttachedManagedPolicy, len(list))
	for i, a := range list {
		out[i] = AttachedManagedPolicy{Name: a.PolicyName, ARN: a.PolicyArn}
	}
	return out
}

func boundaryARN(b *authdetails.Boundary) string {
	if b == nil {
		return ""
	}
	return b.PermissionsBoundaryArn
}

func (ld *adLoader) user(el *element, u *adUser) error {
	acct, err := ld.entityAccount(el, u.Arn, "user "+u.UserName)
	if err != nil {
		return err
	}
	if err := ld.policyARNs(el, "user "+u.UserName, u.AttachedManagedPolicies, u.PermissionsBoundary); err != nil {
		return err
	}
	_, offs := el.docSpans("", "UserPolicyList", "PolicyDocument")
	owner := "user " + u.UserName
	inl, err := ld.inline(el, u.UserPolicyList, offs, owner)
	if err != nil {
		return err
	}
	a := ld.env.account(acct)
	if prev, dup := a.usersByName[u.UserName]; dup {
		return fmt.Errorf("%s: user %s appears twice (first at %s)", el.where(), u.UserName, prev.Source)
	}
	usr := &User{
		Account: acct, ARN: u.Arn, Path: u.Path, Name: u.UserName, ID: u.UserID,
		Groups: u.GroupList, InlinePolicies: inl, ManagedPolicies: attached(u.AttachedManagedPolicies),
		BoundaryARN: boundaryARN(u.PermissionsBoundary), Tags: u.Tags,
		CreateDate: ld.parseDate(u.CreateDate), Source: el.where(),
	}
	a.Users = append(a.Users, usr)
	a.usersByName[u.UserName] = usr
	ld.env.users[u.Arn] = usr
	ld.env.noteSource(a, ld.source)
	ld.env.Stats.Users++
	return nil
}

func (ld *adLoader) group(el *element, g *adGroup) error {
	acct, err := ld.entityAccount(el, g.Arn, "group "+g.GroupName)
	if err != nil {
		return err
	}
	if err := ld.policyARNs(el, "group "+g.GroupName, g.AttachedManagedPolicies, nil); err != nil {
		return err
	}
	_, offs := el.docSpans("", "GroupPolicyList", "PolicyDocument")
	inl, err := ld.inline(el, g.GroupPolicyList, offs, "group "+g.GroupName)
	if err != nil {
		return err
	}
	a := ld.env.account(acct)
	if prev, dup := a.groupsByName[g.GroupName]; dup {
		return fmt.Errorf("%s: group %s appears twice (first at %s)", el.where(), g.GroupName, prev.Source)
	}
	grp := &Group{
		Account: acct, ARN: g.Arn, Path: g.Path, Name: g.GroupName, ID: g.GroupID,
		InlinePolicies: inl, ManagedPolicies: attached(g.AttachedManagedPolicies),
		CreateDate: ld.parseDate(g.CreateDate), Source: el.where(),
	}
	a.Groups = append(a.Groups, grp)
	a.groupsByName[g.GroupName] = grp
	ld.env.noteSource(a, ld.source)
	ld.env.Stats.Groups++
	return nil
}

func (ld *adLoader) role(el *element, r *adRole) error {
	acct, err := ld.entityAccount(el, r.Arn, "role "+r.RoleName)
	if err != nil {
		return err
	}
	if err := ld.policyARNs(el, "role "+r.RoleName, r.AttachedManagedPolicies, r.PermissionsBoundary); err != nil {
		return err
	}
	trustSpan, offs := el.docSpans("AssumeRolePolicyDocument", "RolePolicyList", "PolicyDocument")
	owner := "role " + r.RoleName
	trust, err := el.document(trustSpan, "trust policy of "+owner)
	if err != nil {
		return err
	}
	if trust == nil {
		ld.env.warnf("%s: role %s has no AssumeRolePolicyDocument; requests to assume it cannot be decided", el.where(), r.RoleName)
	}
	inl, err := ld.inline(el, r.RolePolicyList, offs, owner)
	if err != nil {
		return err
	}
	a := ld.env.account(acct)
	if prev, dup := a.rolesByName[r.RoleName]; dup {
		return fmt.Errorf("%s: role %s appears twice (first at %s)", el.where(), r.RoleName, prev.Source)
	}
	role := &Role{
		Account: acct, ARN: r.Arn, Path: r.Path, Name: r.RoleName, ID: r.RoleID,
		Trust: trust, InlinePolicies: inl, ManagedPolicies: attached(r.AttachedManagedPolicies),
		BoundaryARN: boundaryARN(r.PermissionsBoundary), Tags: r.Tags,
		CreateDate: ld.parseDate(r.CreateDate), Source: el.where(),
	}
	if r.RoleLastUsed != nil {
		role.LastUsed = ld.parseDate(r.RoleLastUsed.LastUsedDate)
		role.LastUsedRegion = r.RoleLastUsed.Region
	}
	a.Roles = append(a.Roles, role)
	a.rolesByName[r.RoleName] = role
	ld.env.roles[r.Arn] = role
	ld.env.noteSource(a, ld.source)
	ld.env.Stats.Roles++
	return nil
}

func (ld *adLoader) policy(el *element, p *adPolicy) error {
	a, ok := ParseARN(p.Arn)
	if !ok || a.Service != "iam" || (a.Account != "aws" && !isAccountID(a.Account)) {
		return fmt.Errorf("%s: managed policy %s with missing or malformed Arn %q", el.where(), p.PolicyName, p.Arn)
	}
	def := -1
	for i, v := range p.PolicyVersionList {
		if v.IsDefaultVersion || (def < 0 && p.DefaultVersionID != "" && v.VersionID == p.DefaultVersionID) {
			def = i
		}
	}
	if def < 0 {
		return fmt.Errorf("%s: managed policy %s: no default version in PolicyVersionList (DefaultVersionId %q)", el.where(), p.Arn, p.DefaultVersionID)
	}
	ld.env.Stats.NonDefaultVersions += len(p.PolicyVersionList) - 1
	if prev := ld.env.ManagedPolicies[p.Arn]; prev != nil {
		if a.Account == "aws" {
			ld.env.Stats.DuplicateAWSManaged++
			return nil
		}
		return fmt.Errorf("%s: managed policy %s appears twice (first at %s)", el.where(), p.Arn, prev.Source)
	}
	_, spans := el.docSpans("", "PolicyVersionList", "Document")
	sp, ok := spans[def]
	if !ok {
		sp = noSpan
	}
	doc, err := el.document(sp, "managed policy "+p.Arn+" "+p.PolicyVersionList[def].VersionID)
	if err != nil {
		return err
	}
	if doc == nil {
		return fmt.Errorf("%s: managed policy %s: the default version has no Document", el.where(), p.Arn)
	}
	mp := &ManagedPolicy{
		ARN: p.Arn, Name: p.PolicyName, Path: p.Path, ID: p.PolicyID,
		DefaultVersion: p.PolicyVersionList[def].VersionID, Document: doc,
		AWSManaged: a.Account == "aws", AttachmentCount: int(p.AttachmentCount), Source: el.where(),
	}
	ld.env.ManagedPolicies[p.Arn] = mp
	if !mp.AWSManaged {
		acct := ld.env.account(a.Account)
		acct.Policies = append(acct.Policies, mp)
		ld.env.noteSource(acct, ld.source)
	}
	ld.env.Stats.ManagedPolicies++
	return nil
}

func (e *Environment) noteSource(a *Account, source string) {
	if n := len(a.Sources); n == 0 || a.Sources[n-1] != source {
		for _, s := range a.Sources {
			if s == source {
				return
			}
		}
		a.Sources = append(a.Sources, source)
	}
}
