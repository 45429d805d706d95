package client

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/record"
)

// fakeClock is a clock that moves only when a test sets it.
type fakeClock struct{ t time.Time }

func (f *fakeClock) now() time.Time { return f.t }

var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// replayReader returns each write of a fixture from one Read call, after
// moving the clock to the write's time. After the last write it returns
// io.EOF at the close time, or, for a hanging stream, expires the request
// context at the timeout and returns its error.
type replayReader struct {
	f       *fixture
	clock   *fakeClock
	next    int
	pending []byte
	expire  func()
	timeout time.Duration
}

func (r *replayReader) Read(p []byte) (int, error) {
	if len(r.pending) == 0 && r.next < len(r.f.writes) {
		w := r.f.writes[r.next]
		r.next++
		r.clock.t = epoch.Add(w.at)
		r.pending = w.payload
	}
	if len(r.pending) > 0 {
		n := copy(p, r.pending)
		r.pending = r.pending[n:]
		return n, nil
	}
	if r.f.hang {
		r.clock.t = epoch.Add(r.timeout)
		r.expire()
		return 0, context.DeadlineExceeded
	}
	r.clock.t = epoch.Add(r.f.closeAt)
	return 0, io.EOF
}

// feedFixture measures the fixture's response fed straight into the
// client's response reader, with a fake clock: t = 0 is both the scheduled
// send and the end of the request write.
func feedFixture(t *testing.T, f *fixture, opts Options, timeout time.Duration) record.Record {
	t.Helper()
	clock := &fakeClock{t: epoch}
	opts.BaseURL = "http://127.0.0.1:1"
	opts.Concurrency = 1
	opts.Now = clock.now
	opts.Timeout = timeout
	c, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}

	req := f.clientRequest(t)
	m := c.newMeasurement(&req, epoch)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)

	header := http.Header{}
	for _, h := range f.headers {
		header.Add(h[0], h[1])
	}
	body := &replayReader{f: f, clock: clock, expire: func() { cancel(errRequestTimeout) }, timeout: timeout}
	resp := &http.Response{StatusCode: f.status, Status: http.StatusText(f.status), Header: header, Body: io.NopCloser(body)}
	m.readResponse(ctx, resp)
	return m.finish()
}

func TestFixturesFedDirectly(t *testing.T) {
	for _, e := range expectations {
		t.Run(e.name(), func(t *testing.T) {
			f := loadFixture(t, e.id)
			rec := feedFixture(t, f, Options{KeepText: true, Tokenizer: e.tokenizer}, f.timeout())
			exact := func(ms int) (time.Duration, time.Duration) {
				return time.Duration(ms) * time.Millisecond, time.Duration(ms) * time.Millisecond
			}
			checkRecord(t, e, rec, f.timeout(), exact, 0, t.Errorf)
		})
	}
}
