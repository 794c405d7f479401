package snapshot

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/internal/synth"
	"github.com/zeebo/xxh3"
)

// decisionOf is what a decision says, without the compiled policy's
// pointer (each environment compiles its own).
func decisionOf(d eval.Decision) string {
	name := ""
	if d.Policy != nil {
		name = d.Policy.Name
	}
	return fmt.Sprintf("%v %v %s #%d level %d %q %q", d.Outcome, d.Layer, name, d.Statement, d.Level, d.Reason, d.Warning)
}

// An environment read from the cache decides every request as the
// environment loaded from the files does: every user and role of a
// synthetic organisation, on actions of the services it grants, against
// every resource it holds, under several contexts.
func TestCacheDecidesAsLoad(t *testing.T) {
	src := t.TempDir()
	cfg := synth.Config{Accounts: 6, Roles: 240, Users: 24, Groups: 6, ManagedPolicies: 300, ResourcePolicies: 60, Seed: 7}
	if _, err := synth.Generate(src, cfg); err != nil {
		t.Fatal(err)
	}
	fresh, err := LoadFile(src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, _, err := LoadCached(Spec{File: src}, Options{}, dir); err != nil {
		t.Fatal(err)
	}
	cached, info, err := LoadCached(Spec{File: src}, Options{}, dir)
	if err != nil || !info.Hit {
		t.Fatalf("hit=%v problem=%q err=%v", info.Hit, info.Problem, err)
	}
	var principals []string
	for _, id := range sortedKeys(fresh.Accounts) {
		for _, u := range fresh.Accounts[id].Users {
			principals = append(principals, u.ARN)
		}
		for _, r := range fresh.Accounts[id].Roles {
			principals = append(principals, r.ARN)
		}
	}
	// Requests: what each principal's own policies name (so that many
	// are allowed), and every resource record (so that resource policies
	// decide some), under several contexts.
	type pair struct{ action, resource string }
	named := func(arn string) []pair {
		var out []pair
		var docs []*Document
		add := func(ps []AttachedManagedPolicy) {
			for _, m := range ps {
				if mp := fresh.ManagedPolicies[m.ARN]; mp != nil {
					docs = append(docs, mp.Document)
				}
			}
		}
		if u := fresh.users[arn]; u != nil {
			add(u.ManagedPolicies)
		}
		if r := fresh.roles[arn]; r != nil {
			add(r.ManagedPolicies)
		}
		for _, d := range docs {
			var doc struct {
				Statement []struct {
					Action   any
					Resource any
				}
			}
			if d == nil || json.Unmarshal(d.JSON, &doc) != nil {
				continue
			}
			for _, st := range doc.Statement {
				for _, a := range stringsOf(st.Action) {
					for _, r := range stringsOf(st.Resource) {
						out = append(out, pair{strings.ReplaceAll(a, "*", "Object"), strings.ReplaceAll(r, "*", "key")})
					}
				}
			}
		}
		return out
	}
	var records []pair
	for _, res := range sortedKeys(fresh.Resources) {
		svc := res[len("arn:aws:"):]
		svc = svc[:strings.IndexByte(svc, ':')]
		action := map[string]string{"s3": "s3:GetObject", "sqs": "sqs:SendMessage", "kms": "kms:Decrypt", "sns": "sns:Publish",
			"lambda": "lambda:InvokeFunction", "secretsmanager": "secretsmanager:GetSecretValue", "ecr": "ecr:BatchGetImage"}[svc]
		if action == "" {
			continue
		}
		if svc == "s3" {
			res += "/key"
		}
		records = append(records, pair{action, res})
	}
	contexts := []map[string]string{
		{"aws:RequestedRegion": "eu-west-1"},
		{"aws:RequestedRegion": "us-east-1", "aws:SecureTransport": "true"},
		{"aws:RequestedRegion": "eu-central-1"},
		{"aws:RequestedRegion": "eu-west-1", "aws:ResourceTag/team": "payments"},
		{"aws:RequestedRegion": "us-east-1", "aws:ResourceTag/team": "data"},
	}
	outcomes := map[string]int{}
	n := 0
	for pi, p := range principals {
		reqs := named(p)
		for ri, rec := range records {
			// A spread of the records for each principal (all of them
			// would be quadratic); every record is met many times.
			if (pi+ri)%5 == 0 {
				reqs = append(reqs, rec)
			}
		}
		for _, q := range reqs {
			for _, c := range contexts {
				var got [2]string
				for i, env := range []*Environment{fresh, cached} {
					req := &eval.Request{Principal: p, Action: q.action, Resource: q.resource, Context: &eval.Context{}}
					for k, v := range c {
						req.Context.Set(k, v)
					}
					l, err := env.Layers(req)
					if err != nil {
						got[i] = "error: " + err.Error()
						continue
					}
					got[i] = decisionOf(eval.Decide(req, l))
				}
				if got[0] != got[1] {
					t.Fatalf("%s %s %s %v:\nload:  %s\ncache: %s", p, q.action, q.resource, c, got[0], got[1])
				}
				outcomes[strings.Fields(got[0])[0]]++
				n++
			}
		}
	}
	if n < 10000 || outcomes["allow"] < 1000 || outcomes["explicit-deny"] < 100 || outcomes["implicit-deny"] < 1000 {
		t.Fatalf("only %d requests compared (%v): the test does not cover the organisation", n, outcomes)
	}
	t.Logf("%d requests, outcomes %v", n, outcomes)
}

// encodeForm returns the structure section and blob of an environment.
func encodeForm(e *Environment) (structure, blob []byte) {
	var w binWriter
	w.environment(e)
	return w.buf, w.blob
}

// decodeForm decodes a structure section and blob as readCache does
// after the header; it must never panic, whatever the bytes.
func decodeForm(structure, blob []byte) (*Environment, error) {
	r := &binReader{b: structure, blob: blob}
	return r.environment()
}

// A cache file cut short anywhere, or damaged anywhere with its checksum
// made to match, is refused or decoded without a panic; a refused file is
// rebuilt and the environment is the one Load gives.
func TestCacheDamaged(t *testing.T) {
	src := "../examples/s3kms-env"
	if _, err := os.Stat(src); err != nil {
		t.Skip(err)
	}
	fresh, err := LoadFile(src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	spec := Spec{File: src}
	if _, _, err := LoadCached(spec, Options{}, dir); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.env"))
	if len(files) != 1 {
		t.Fatalf("cache files: %v", files)
	}
	good, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	step := max(1, len(good)/300)
	for cut := 0; cut < len(good); cut += step {
		if err := os.WriteFile(files[0], good[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		e, info, err := LoadCached(spec, Options{}, dir)
		if err != nil || info.Hit || info.Problem == "" {
			t.Fatalf("cut at %d: hit=%v problem=%q err=%v", cut, info.Hit, info.Problem, err)
		}
		if !reflect.DeepEqual(e, fresh) {
			t.Fatalf("cut at %d: the rebuilt environment differs from Load's", cut)
		}
	}
	// Damage inside the structure with the checksum recomputed: the
	// decoder meets the damage itself.
	head := len(cacheFormat) + 1 + strings.IndexByte(string(good[len(cacheFormat)+1:]), '\n') + 1
	n := binary.BigEndian.Uint64(good[head:])
	refused := 0
	for i := 0; i < int(n); i += max(1, int(n)/400) {
		for _, x := range []byte{0x01, 0x80, 0xff} {
			bad := append([]byte(nil), good...)
			bad[head+32+i] ^= x
			sum := xxh3.Hash128(bad[head+32:]).Bytes()
			copy(bad[head+16:], sum[:])
			if err := os.WriteFile(files[0], bad, 0o600); err != nil {
				t.Fatal(err)
			}
			e, info, err := LoadCached(spec, Options{}, dir)
			if err != nil || e == nil {
				t.Fatalf("byte %d ^ %#x: err=%v", i, x, err)
			}
			if !info.Hit {
				refused++
			}
		}
	}
	if refused == 0 {
		t.Fatal("no damaged structure was refused")
	}
}

// FuzzCacheForm decodes arbitrary structure sections and blobs: never a
// panic, and what decodes encodes back to an equal environment. The seeds
// are the encodings of tiny environments (a one-account synthetic
// organisation, the KMS and S3 example with grants and ACLs), so that each
// run is cheap and the fuzzer's minimisation of a new input is quick.
func FuzzCacheForm(f *testing.F) {
	tiny := f.TempDir()
	if _, err := synth.Generate(tiny, synth.Config{Accounts: 1, Roles: 2, Users: 1, Groups: 1, ManagedPolicies: 2, ResourcePolicies: 3, Seed: 3}); err != nil {
		f.Fatal(err)
	}
	for _, p := range []string{tiny, "../examples/s3kms-env"} {
		e, err := LoadFile(p, Options{})
		if err != nil {
			f.Fatal(err)
		}
		s, b := encodeForm(e)
		f.Add(s, b)
	}
	f.Fuzz(func(t *testing.T, structure, blob []byte) {
		e, err := decodeForm(structure, blob)
		if err != nil {
			return
		}
		s, b := encodeForm(e)
		e2, err := decodeForm(s, b)
		if err != nil {
			t.Fatalf("re-encoded form does not decode: %v", err)
		}
		if !reflect.DeepEqual(e, e2) {
			t.Fatal("re-encoded form decodes to another environment")
		}
	})
}

// stringsOf returns a policy element that is a string or a list of them.
func stringsOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// BenchmarkLoadCachedMedium reads a 1,000-role synthetic organisation from
// a warm cache (inputs checked, checksum, decoding), next to loading it from
// its files: the ratio a repeated command gains. The 10,000-role figure is
// BenchmarkLoadLargeCached (IAMWHY_SYNTH).
func BenchmarkLoadCachedMedium(b *testing.B) {
	src := b.TempDir()
	cfg := synth.Config{Accounts: 10, Roles: 1000, Users: 100, Groups: 10, ManagedPolicies: 2000, ResourcePolicies: 500, Seed: 1}
	if _, err := synth.Generate(src, cfg); err != nil {
		b.Fatal(err)
	}
	cache := b.TempDir()
	if _, _, err := LoadCached(Spec{File: src}, Options{}, cache); err != nil {
		b.Fatal(err)
	}
	b.Run("cache", func(b *testing.B) {
		cpu := cpuSeconds()
		for b.Loop() {
			env, info, err := LoadCached(Spec{File: src}, Options{}, cache)
			if err != nil || !info.Hit {
				b.Fatalf("hit=%v problem=%q err=%v", info.Hit, info.Problem, err)
			}
			runtime.KeepAlive(env)
		}
		b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op")
	})
	b.Run("files", func(b *testing.B) {
		cpu := cpuSeconds()
		for b.Loop() {
			env, err := LoadFile(src, Options{})
			if err != nil {
				b.Fatal(err)
			}
			runtime.KeepAlive(env)
		}
		b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op")
	})
}

// TestCacheHitEqualsLoad: an environment read back from the cache is the
// environment Load builds, field for field, for every bundled example and
// a synthetic organisation: a field the binary form forgot would differ.
func TestCacheHitEqualsLoad(t *testing.T) {
	srcs := []string{"../examples/env", "../examples/s3kms-env"}
	org := t.TempDir()
	if _, err := synth.Generate(org, synth.Config{Accounts: 3, Roles: 60, Users: 6, Groups: 3, ManagedPolicies: 40, ResourcePolicies: 20, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	srcs = append(srcs, org)
	for _, src := range srcs {
		fresh, err := LoadFile(src, Options{})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if _, _, err := LoadCached(Spec{File: src}, Options{}, dir); err != nil {
			t.Fatal(err)
		}
		e, info, err := LoadCached(Spec{File: src}, Options{}, dir)
		if err != nil || !info.Hit {
			t.Fatalf("%s: second load hit=%v problem=%q err=%v", src, info.Hit, info.Problem, err)
		}
		if !reflect.DeepEqual(e, fresh) {
			t.Errorf("%s: the cached environment differs from Load's", src)
		}
	}
}
