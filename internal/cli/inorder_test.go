package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"testing"
	"time"
)

// TestMarshalInOrder: the texts come in order, whatever order the
// marshals finish in, and a marshal's error or emit's ends the run
// without leaving goroutines blocked.
func TestMarshalInOrder(t *testing.T) {
	for _, n := range []int{0, 1, 7, 500} {
		var got []string
		err := marshalInOrder(n, func(i int) any {
			if i%3 == 0 {
				time.Sleep(time.Duration(i%5) * 100 * time.Microsecond)
			}
			return map[string]int{"i": i}
		}, "  ", " ", func(b []byte) error {
			got = append(got, string(b))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != n {
			t.Fatalf("n=%d: %d texts", n, len(got))
		}
		for i, g := range got {
			want, _ := json.MarshalIndent(map[string]int{"i": i}, "  ", " ")
			if g != string(want) {
				t.Fatalf("n=%d: text %d is %q, want %q", n, i, g, want)
			}
		}
	}
	before := runtime.NumGoroutine()
	err := marshalInOrder(1000, func(i int) any {
		if i == 40 {
			return math.Inf(1) // json: unsupported value
		}
		return i
	}, "", "", func([]byte) error { return nil })
	if err == nil {
		t.Error("a marshal error was not returned")
	}
	stop := errors.New("stop")
	emitted := 0
	err = marshalInOrder(1000, func(i int) any { return i }, "", "", func(b []byte) error {
		emitted++
		if string(b) != fmt.Sprint(emitted-1) {
			t.Errorf("text %q at %d", b, emitted-1)
		}
		if emitted == 10 {
			return stop
		}
		return nil
	})
	if err != stop || emitted != 10 {
		t.Errorf("emit's error: got %v after %d texts", err, emitted)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > before {
		t.Errorf("%d goroutines left running (%d before)", g, before)
	}
}
