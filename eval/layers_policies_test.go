package eval

import "testing"

func TestLayersPoliciesInEvaluationOrder(t *testing.T) {
	p := func(n string) *Policy { return &Policy{Name: n} }
	l := &Layers{Identity: []*Policy{p("id1"), p("id2")}, Resource: p("res"), Session: []*Policy{p("ses")},
		SCP: [][]*Policy{{p("scp0")}, {p("scp1a"), p("scp1b")}}, RCP: [][]*Policy{{p("rcp0")}}, VPCEndpoint: p("vpce")}
	var got string
	for _, x := range l.Policies() {
		got += x.Name + " "
	}
	if want := "id1 id2 res ses scp0 scp1a scp1b rcp0 vpce "; got != want {
		t.Errorf("Policies() = %q, want %q (no boundary: left out)", got, want)
	}
}
