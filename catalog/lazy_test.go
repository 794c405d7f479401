package catalog

import "testing"

// TestLazyActionsMatchFullDecode loads the catalog twice: one has every
// service decoded at once (Services), the other is asked action by action,
// so each service is decoded on its first lookup. Both must give the same
// actions with the same descriptions and resource types.
func TestLazyActionsMatchFullDecode(t *testing.T) {
	full, err := load(embeddedIAMData, embeddedDescriptions)
	if err != nil {
		t.Fatal(err)
	}
	lazy, err := load(embeddedIAMData, embeddedDescriptions)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range lazy.services {
		if s.Actions != nil {
			t.Fatalf("service %s decoded at load", s.Prefix)
		}
	}
	n := 0
	for _, s := range full.Services() {
		for _, a := range s.Actions {
			n++
			b, ok := lazy.Action(a.FullName)
			if !ok {
				t.Fatalf("lazy catalog misses %s", a.FullName)
			}
			if b.FullName != a.FullName || b.Access != a.Access || b.Description() != a.Description() ||
				len(b.Resources) != len(a.Resources) || len(b.ConditionKeys) != len(a.ConditionKeys) || b.Service.Prefix != s.Prefix {
				t.Fatalf("%s differs: %+v vs %+v", a.FullName, b, a)
			}
			for i := range a.Resources {
				if a.Resources[i].Type.Name != b.Resources[i].Type.Name || a.Resources[i].Required != b.Resources[i].Required {
					t.Fatalf("%s resource %d differs", a.FullName, i)
				}
			}
		}
	}
	if n != full.Info().Actions || n != lazy.Info().Actions {
		t.Errorf("%d actions decoded, info says %d and %d", n, full.Info().Actions, lazy.Info().Actions)
	}
	if _, ok := lazy.Action("s3:NoSuchAction"); ok {
		t.Error("unknown s3 action found")
	}
	if _, ok := lazy.Action("nosuchservice:GetObject"); ok {
		t.Error("action of an unknown service found")
	}
	if _, ok := lazy.Action("S3:getobject"); !ok {
		t.Error("action names are case-insensitive")
	}
}

// TestServiceHandsOutDecodedActions: every way to reach a *Service gives it
// with its actions.
func TestServiceHandsOutDecodedActions(t *testing.T) {
	c, err := load(embeddedIAMData, embeddedDescriptions)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := c.Service("KMS"); !ok || len(s.Actions) == 0 {
		t.Fatalf("Service(KMS): %v actions", ok)
	}
	if as := c.MatchActions("dynamodb:Get*"); len(as) == 0 {
		t.Fatal("MatchActions dynamodb:Get* found nothing")
	}
	if as := c.ActionsForResource("arn:aws:sqs:us-east-1:111122223333:q"); len(as) == 0 {
		t.Fatal("ActionsForResource of a queue found nothing")
	}
	for _, s := range c.Services() {
		if s.Actions == nil && s.actionsAt != 0 {
			if n, _ := s.readActions(c.table.At(s.actionsAt), false); n > 0 {
				t.Fatalf("Services handed out %s without its %d actions", s.Prefix, n)
			}
		}
	}
}

// TestEmbeddedTrustedLoad is what lets Default skip checking the embedded
// reference's actions at every start: checked and trusted loads agree on
// every count and position, and every service's actions decode from the
// trusted load to the same actions.
func TestEmbeddedTrustedLoad(t *testing.T) {
	checked, err := load(embeddedIAMData, embeddedDescriptions)
	if err != nil {
		t.Fatal(err)
	}
	trusted, err := loadTrusted(embeddedIAMData, embeddedDescriptions)
	if err != nil {
		t.Fatal(err)
	}
	if checked.Info() != trusted.Info() {
		t.Fatalf("info: checked %+v, trusted %+v", checked.Info(), trusted.Info())
	}
	cs, ts := checked.Services(), trusted.Services()
	if len(cs) != len(ts) {
		t.Fatalf("%d services checked, %d trusted", len(cs), len(ts))
	}
	for i, c := range cs {
		s := ts[i]
		if c.Prefix != s.Prefix || c.actionsAt != s.actionsAt || c.descBase != s.descBase || len(c.Actions) != len(s.Actions) {
			t.Fatalf("service %d: checked %s at %d desc %d with %d actions, trusted %s at %d desc %d with %d", i,
				c.Prefix, c.actionsAt, c.descBase, len(c.Actions), s.Prefix, s.actionsAt, s.descBase, len(s.Actions))
		}
		for k, a := range c.Actions {
			if b := s.Actions[k]; a.FullName != b.FullName || a.Description() != b.Description() || len(a.Resources) != len(b.Resources) {
				t.Fatalf("%s: action %d: checked %s, trusted %s", c.Prefix, k, a.FullName, b.FullName)
			}
		}
	}
}
