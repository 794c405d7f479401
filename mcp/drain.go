package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"sync"
)

// A client on stdio may write its requests and close its end at once
// (`printf '...' | iamwhy mcp`). The SDK's connection ends when its input
// does, and requests still being answered would be dropped. So the server's
// streams are wrapped: the input's end of file is held back until every
// request read so far has been answered on the output.

// inflight counts the requests read and the responses written.
type inflight struct {
	mu        sync.Mutex
	changed   chan struct{}
	requests  int
	responses int
}

func newInflight() *inflight { return &inflight{changed: make(chan struct{})} }

func (f *inflight) add(requests, responses int) {
	if requests == 0 && responses == 0 {
		return
	}
	f.mu.Lock()
	f.requests += requests
	f.responses += responses
	close(f.changed)
	f.changed = make(chan struct{})
	f.mu.Unlock()
}

// waitIdle returns when every request read has its response, or ctx ends.
func (f *inflight) waitIdle(ctx context.Context) {
	for {
		f.mu.Lock()
		idle, ch := f.responses >= f.requests, f.changed
		f.mu.Unlock()
		if idle {
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return
		}
	}
}

// lines splits a stream into newline-delimited JSON-RPC frames and counts
// the messages of one kind in each.
type lines struct {
	partial []byte
	// count says how many messages of the kind wanted a frame holds.
	count func(frame []byte) int
}

func (l *lines) feed(p []byte) int {
	n := 0
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			// Bound what is kept of a frame: only its start matters for
			// telling its kind, and the SDK bounds frames itself.
			if room := maxPartial - len(l.partial); room > 0 {
				l.partial = append(l.partial, p[:min(room, len(p))]...)
			}
			return n
		}
		frame := p[:i]
		if len(l.partial) > 0 {
			frame = append(l.partial, frame...)
			l.partial = l.partial[:0]
		}
		n += l.count(frame)
		p = p[i+1:]
	}
	return n
}

// maxPartial caps the bytes of one frame kept while counting.
const maxPartial = 64 << 20

// rpcMessage is what tells a request from a response.
type rpcMessage struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
}

// countMessages counts the messages of a frame (one, or a batch) for which
// want is true.
func countMessages(frame []byte, want func(rpcMessage) bool) int {
	frame = bytes.TrimSpace(frame)
	if len(frame) == 0 {
		return 0
	}
	var msgs []rpcMessage
	if frame[0] == '[' {
		if json.Unmarshal(frame, &msgs) != nil {
			return 0
		}
	} else {
		var m rpcMessage
		if json.Unmarshal(frame, &m) != nil {
			return 0
		}
		msgs = []rpcMessage{m}
	}
	n := 0
	for _, m := range msgs {
		if want(m) {
			n++
		}
	}
	return n
}

func isRequest(m rpcMessage) bool  { return m.Method != "" && len(m.ID) > 0 && string(m.ID) != "null" }
func isResponse(m rpcMessage) bool { return m.Method == "" && len(m.ID) > 0 }

// drainingReader holds back its input's end of file until every request
// it delivered has been answered.
type drainingReader struct {
	r     io.ReadCloser
	ctx   context.Context
	f     *inflight
	split lines
}

func (d *drainingReader) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	d.f.add(d.split.feed(p[:n]), 0)
	if err == io.EOF {
		d.f.waitIdle(d.ctx)
	}
	return n, err
}

func (d *drainingReader) Close() error { return d.r.Close() }

// countingWriter counts the responses written.
type countingWriter struct {
	w     io.WriteCloser
	f     *inflight
	split lines
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.f.add(0, c.split.feed(p[:n]))
	return n, err
}

func (c *countingWriter) Close() error { return c.w.Close() }

// draining wraps a server's streams as described above.
func draining(ctx context.Context, r io.ReadCloser, w io.WriteCloser) (io.ReadCloser, io.WriteCloser) {
	f := newInflight()
	req := func(frame []byte) int { return countMessages(frame, isRequest) }
	resp := func(frame []byte) int { return countMessages(frame, isResponse) }
	return &drainingReader{r: r, ctx: ctx, f: f, split: lines{count: req}},
		&countingWriter{w: w, f: f, split: lines{count: resp}}
}
