package snapshot

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/iamwhy/iamwhy/inputfile"
	"github.com/iamwhy/iamwhy/policy"

	"gopkg.in/yaml.v3"
)

// Resource-policy records (docs/environment.md, "resource_policies"): files
// holding one record or a list of records
//
//	{"arn": "...", "account": "...", "policy": {...} | "...", "block_public_access": {...}}
//
// JSON files keep each policy object's exact text, so positions in a policy
// map to the file; YAML files are converted.

// AddResourcePolicies reads a record file, or every .json, .yaml and .yml
// file under a directory (in lexical order). Other files in a directory are
// skipped and named in Warnings.
func (e *Environment) AddResourcePolicies(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return e.addResourceFile(path)
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".json", ".yaml", ".yml":
			files = append(files, p)
		default:
			e.warnf("%s: not a .json, .yaml or .yml file; skipped", p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(files)
	for _, f := range files {
		if err := e.addResourceFile(f); err != nil {
			return err
		}
	}
	return nil
}

func (e *Environment) addResourceFile(path string) error {
	data, err := inputfile.Read(path)
	if err != nil {
		return err
	}
	e.Stats.ResourceFiles++
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		return e.addResourceYAML(data, path)
	}
	return e.AddResourceRecords(data, path)
}

// AddResourceRecords reads JSON record(s) from data; source names it.
func (e *Environment) AddResourceRecords(data []byte, source string) error {
	data = trimBOM(data)
	var raw json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		line, col := 1, 1
		if off, ok := jsonErrorOffset(err); ok && off > 0 {
			line, col = lineCol(data, int(off)-1)
		}
		return fmt.Errorf("%s: invalid JSON: %s", policy.At(source, line, col), describeJSONError(err))
	}
	// Offsets of the records and of their members.
	base := 0
	for base < len(data) && data[base] != raw[0] {
		base++
	}
	type member struct {
		key string
		off int
	}
	recOffs := map[int]int{}
	members := map[int][]member{}
	top := raw[0]
	scanOffsets(data[base:], func(path []pathSeg, start int) bool {
		rec := 0
		p := path
		if top == '[' {
			if len(p) == 1 {
				recOffs[p[0].Index] = base + start
				return true
			}
			rec = p[0].Index
			p = p[1:]
		}
		if len(p) == 1 {
			members[rec] = append(members[rec], member{p[0].Key, base + start})
		}
		return false
	})
	var records []json.RawMessage
	switch top {
	case '[':
		if err := json.Unmarshal(raw, &records); err != nil {
			return fmt.Errorf("%s: %s", source, describeJSONError(err))
		}
	case '{':
		records = []json.RawMessage{raw}
		recOffs[0] = base
	default:
		line, col := lineCol(data, base)
		return fmt.Errorf("%s: a resource-policy file holds a record (an object) or a list of records, found %s", policy.At(source, line, col), describeJSONValue(raw))
	}
	for i, rec := range records {
		off := recOffs[i]
		line, col := lineCol(data, off)
		where := policy.At(source, line, col).String()
		if len(rec) == 0 || rec[0] != '{' {
			return fmt.Errorf("%s: a record must be an object, found %s", where, describeJSONValue(rec))
		}
		var fields struct {
			ARN     json.RawMessage `json:"arn"`
			Account json.RawMessage `json:"account"`
			Policy  json.RawMessage `json:"policy"`
			BPA     json.RawMessage `json:"block_public_access"`
		}
		var settings map[string]json.RawMessage
		if err := json.Unmarshal(rec, &settings); err != nil {
			return fmt.Errorf("%s: %s", where, describeJSONError(err))
		}
		if err := json.Unmarshal(rec, &fields); err != nil {
			return fmt.Errorf("%s: %s", where, describeJSONError(err))
		}
		at := func(key string) (int, int) {
			for _, m := range members[i] {
				if m.key == key {
					return lineCol(data, m.off)
				}
			}
			return line, col
		}
		for _, m := range members[i] {
			switch m.key {
			case "arn", "account", "policy", "block_public_access":
			default:
				if !resourceSettingKeys[m.key] {
					l, c := lineCol(data, m.off)
					return fmt.Errorf("%s: unknown key %q in a resource-policy record (want %s)", policy.At(source, l, c), m.key, resourceRecordKeys)
				}
			}
		}
		r := &Resource{Source: where}
		for _, m := range members[i] {
			if resourceSettingKeys[m.key] {
				if err := r.setSetting(m.key, settings[m.key]); err != nil {
					l, c := lineCol(data, m.off)
					return fmt.Errorf("%s: %v", policy.At(source, l, c), err)
				}
			}
		}
		if err := jsonStringField(fields.ARN, &r.ARN); err != nil {
			l, c := at("arn")
			return fmt.Errorf("%s: arn: %v", policy.At(source, l, c), err)
		}
		if err := jsonStringField(fields.Account, &r.Account); err != nil {
			l, c := at("account")
			return fmt.Errorf("%s: account: %v (quote the account id)", policy.At(source, l, c), err)
		}
		if len(fields.Policy) > 0 {
			l, c := at("policy")
			doc, err := newDocumentFromJSONValue(fields.Policy, source, l, c, "resource policy of "+r.ARN)
			if err != nil {
				return err
			}
			if err := unwrapPolicyField(doc); err != nil {
				return err
			}
			r.Policy = doc
		}
		if len(fields.BPA) > 0 && string(fields.BPA) != "null" {
			var bpa BlockPublicAccess
			if err := strictUnmarshal(fields.BPA, &bpa); err != nil {
				l, c := at("block_public_access")
				return fmt.Errorf("%s: block_public_access: %v", policy.At(source, l, c), err)
			}
			r.BlockPublicAccess = &bpa
		}
		if err := e.addResource(r); err != nil {
			return err
		}
	}
	return nil
}

func trimBOM(data []byte) []byte {
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		return data[3:]
	}
	return data
}

func jsonStringField(raw json.RawMessage, dst *string) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if raw[0] != '"' {
		return fmt.Errorf("must be a string, found %s", describeJSONValue(raw))
	}
	return json.Unmarshal(raw, dst)
}

func strictUnmarshal(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s", describeJSONError(err))
	}
	return nil
}

func (e *Environment) addResourceYAML(data []byte, source string) error {
	n, err := parseYAML(trimBOM(data), source)
	if err != nil {
		return err
	}
	var recs []*yaml.Node
	switch n.Kind {
	case yaml.SequenceNode:
		recs, _ = seqNodes(source, n, "records")
	case yaml.MappingNode:
		recs = []*yaml.Node{n}
	default:
		return nodeErrorf(source, n, "a resource-policy file holds a record (a mapping) or a list of records, found %s", kindName(n))
	}
	dir := filepath.Dir(source)
	for _, rn := range recs {
		pairs, err := mappingPairs(source, rn, "a resource-policy record")
		if err != nil {
			return err
		}
		r := &Resource{Source: nodeWhere(source, rn)}
		for _, kv := range pairs {
			k, v := kv[0], kv[1]
			switch k.Value {
			case "arn":
				if r.ARN, err = scalarString(source, v, "arn"); err != nil {
					return err
				}
			case "account":
				if r.Account, err = scalarString(source, v, "account"); err != nil {
					return err
				}
			case "policy":
				if r.Policy, err = documentFromNode(v, source, dir, "resource policy of "+r.ARN); err != nil {
					return err
				}
			case "block_public_access":
				var bpa BlockPublicAccess
				if err := v.Decode(&bpa); err != nil {
					return nodeErrorf(source, v, "block_public_access:%s", yamlErrorText(err))
				}
				r.BlockPublicAccess = &bpa
			default:
				if !resourceSettingKeys[k.Value] {
					return nodeErrorf(source, k, "unknown key %q in a resource-policy record (want %s)", k.Value, resourceRecordKeys)
				}
				if err := r.setSettingYAML(k.Value, v); err != nil {
					return nodeErrorf(source, v, "%v", err)
				}
			}
		}
		if err := e.addResource(r); err != nil {
			return err
		}
	}
	return nil
}

// addResource validates a record and indexes it.
func (e *Environment) addResource(r *Resource) error {
	if r.ARN == "" && r.Account != "" {
		return e.addAccountRecord(r)
	}
	a, ok := ParseARN(r.ARN)
	if !ok {
		return fmt.Errorf("%s: arn %q is not an ARN", r.Source, r.ARN)
	}
	if r.Account == "" {
		r.Account = a.Account
	}
	if r.Account == "" {
		return fmt.Errorf("%s: %s: account is required when the ARN has none (S3 buckets)", r.Source, r.ARN)
	}
	if !isAccountID(r.Account) {
		return fmt.Errorf("%s: %s: account %q is not a 12-digit account id", r.Source, r.ARN, r.Account)
	}
	if a.Account != "" && a.Account != r.Account {
		return fmt.Errorf("%s: %s: account %s differs from the ARN's account %s", r.Source, r.ARN, r.Account, a.Account)
	}
	// Two records the evaluation would never read: the rest of the
	// environment would answer as if they were not there, so they are
	// refused rather than kept unread. A request on a role reads the
	// role's trust policy from authorization details, and a request on
	// an S3 object its bucket's policy (environment contract).
	if a.Service == "iam" && strings.HasPrefix(a.Resource, "role/") {
		return fmt.Errorf("%s: %s: a role's trust policy is read from authorization details (AssumeRolePolicyDocument), not from a resource-policy record", r.Source, r.ARN)
	}
	if r.Policy != nil && resourceTypeOf(r.ARN) == "s3:object" {
		return fmt.Errorf("%s: %s: an S3 object has no policy of its own: a request on an object uses its bucket's policy (a record for %s)", r.Source, r.ARN, policyResource(r.ARN))
	}
	if r.BlockPublicAccess != nil && a.Service != "s3" {
		return fmt.Errorf("%s: %s: block_public_access applies to S3 buckets and access points only", r.Source, r.ARN)
	}
	if err := r.checkSettings(a); err != nil {
		return err
	}
	if r.ACL != nil && r.ACL.Owner != nil && r.ACL.Owner.ID != "" && resourceTypeOf(r.ARN) == "s3:bucket" {
		// A bucket ACL's owner is the bucket owner's canonical user.
		e.noteCanonicalID(r.ACL.Owner.ID, r.Account)
	}
	if r.Policy != nil {
		r.Policy.Name = resourcePolicyName(r.ARN)
	}
	if prev, dup := e.Resources[r.ARN]; dup {
		return fmt.Errorf("%s: %s has a record already (at %s)", r.Source, r.ARN, prev.Source)
	}
	e.Resources[r.ARN] = r
	if a.Service == "ec2" && strings.HasPrefix(a.Resource, "vpc-endpoint/") {
		e.vpce[strings.TrimPrefix(a.Resource, "vpc-endpoint/")] = r
	}
	e.Stats.Resources++
	if r.Policy == nil {
		e.Stats.ResourcesNoPolicy++
	}
	return nil
}

// resourcePolicyName names a resource's policy the way its service does.
func resourcePolicyName(arn string) string {
	switch resourceTypeOf(arn) {
	case "s3:bucket":
		return "bucket policy of " + arn
	case "kms:key":
		return "key policy of " + arn
	case "sqs:queue":
		return "queue policy of " + arn
	case "sns:topic":
		return "topic policy of " + arn
	case "ec2:vpc-endpoint":
		return "VPC endpoint policy of " + arn
	}
	return "resource policy of " + arn
}

// unwrapPolicyField accepts a whole AWS CLI output given as the policy
// (`aws s3api get-bucket-policy`'s {"Policy": "<document>"}, lambda
// get-policy's, sqs get-queue-attributes', ...: policy.Unwrap) by taking the
// document out of it.
func unwrapPolicyField(d *Document) error {
	if d == nil || d.Encoding != EncodingObject {
		return nil
	}
	w, err := policy.Unwrap(d.JSON, d.Source)
	if err != nil {
		msg := err.Error()
		var list policy.ErrorList
		if errors.As(err, &list) && len(list) > 0 {
			msg = list[0].Msg
		}
		return fmt.Errorf("%s: %s: %s", d.Where(), d.Name, msg)
	}
	if w.Member == "" {
		return nil
	}
	start := d.Pos().Inside(w.Start)
	d.JSON, d.Encoding, d.Line, d.Col = w.Text, encodingOf(w.Encoding), start.Line, start.Col
	return nil
}
