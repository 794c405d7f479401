package cli

import (
	"encoding/json"
	"runtime"
)

// marshalInOrder gives emit the indented JSON (json.MarshalIndent with
// prefix and indent) of value(0) ... value(n-1), in order, marshalling
// them on as many goroutines as there are CPUs at most a few per CPU ahead
// of emit: `unused` on a 1,000-role environment writes about 70 MB, and
// marshalling and indenting it one principal after another, after every
// report was made, was a serial half-second at the end of the run. The
// first error (a marshal's or emit's) ends it.
func marshalInOrder(n int, value func(int) any, prefix, indent string, emit func([]byte) error) error {
	workers := runtime.GOMAXPROCS(0)
	type result struct {
		b   []byte
		err error
	}
	pending := make(chan chan result, 4*workers)
	running := make(chan struct{}, workers)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(pending)
		for i := range n {
			c := make(chan result, 1)
			select {
			case pending <- c:
			case <-stop:
				return
			}
			select {
			case running <- struct{}{}:
			case <-stop:
				return
			}
			go func() {
				b, err := json.MarshalIndent(value(i), prefix, indent)
				<-running
				c <- result{b, err}
			}()
		}
	}()
	for c := range pending {
		r := <-c
		if r.err != nil {
			return r.err
		}
		if err := emit(r.b); err != nil {
			return err
		}
	}
	return nil
}
