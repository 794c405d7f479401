package lazyre

import (
	"sync"
	"testing"
)

func TestNewCompilesOnceOnFirstUse(t *testing.T) {
	re := New(`^a+b$`)
	var wg sync.WaitGroup
	got := make([]bool, 8)
	for i := range got {
		wg.Add(1)
		go func() { defer wg.Done(); got[i] = re().MatchString("aab") }()
	}
	wg.Wait()
	for i, ok := range got {
		if !ok {
			t.Errorf("call %d: no match", i)
		}
	}
	if first, second := re(), re(); first != second {
		t.Error("two calls returned different *regexp.Regexp")
	}
	if re().MatchString("b") {
		t.Error(`"b" matched ^a+b$`)
	}
}

func TestNewPanicsOnFirstUseOfABadPattern(t *testing.T) {
	re := New(`(`) // must not panic here
	defer func() {
		if recover() == nil {
			t.Error("a bad pattern did not panic at its first use")
		}
	}()
	re()
}
