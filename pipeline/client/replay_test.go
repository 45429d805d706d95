package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// replayServer serves one fixture over loopback HTTP. It writes each
// payload as one write and flush at its offset from the moment the request
// body was read, and records when each write and the close really happened.
type replayServer struct {
	f    *fixture
	stop chan struct{}

	mu         sync.Mutex
	body       []byte
	start      time.Time   // request body read: the fixture's t = 0
	writeTimes []time.Time // actual start of each write
	flushTimes []time.Time // actual end of each write's flush
	closeTime  time.Time
}

func newReplayServer(t *testing.T, f *fixture) (*replayServer, *httptest.Server) {
	t.Helper()
	s := &replayServer{f: f, stop: make(chan struct{})}
	srv := httptest.NewServer(s)
	t.Cleanup(func() {
		close(s.stop)
		srv.Close()
	})
	return s, srv
}

func (s *replayServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	start := time.Now()
	s.mu.Lock()
	s.body, s.start = body, start
	s.mu.Unlock()

	flusher := w.(http.Flusher)
	for _, h := range s.f.headers {
		w.Header().Add(h[0], h[1])
	}
	w.WriteHeader(s.f.status)
	flusher.Flush()

	for _, write := range s.f.writes {
		if !sleepUntil(r.Context(), start.Add(write.at)) {
			return
		}
		at := time.Now()
		_, _ = w.Write(write.payload)
		flusher.Flush()
		flushed := time.Now()
		s.mu.Lock()
		s.writeTimes = append(s.writeTimes, at)
		s.flushTimes = append(s.flushTimes, flushed)
		s.mu.Unlock()
	}

	if s.f.hang {
		select {
		case <-r.Context().Done():
		case <-s.stop:
		}
		return
	}
	sleepUntil(r.Context(), start.Add(s.f.closeAt))
	s.mu.Lock()
	s.closeTime = time.Now()
	s.mu.Unlock()
}

// sleepUntil waits until deadline and reports false when ctx ended first.
func sleepUntil(ctx context.Context, deadline time.Time) bool {
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// actualWindow returns when the server really did what the fixture
// schedules at ms: the last write at that offset (from its start to the end
// of its flush), else the close, else start + ms.
func (s *replayServer) actualWindow(ms int) (time.Time, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	at := time.Duration(ms) * time.Millisecond
	for i := len(s.f.writes) - 1; i >= 0; i-- {
		if s.f.writes[i].at == at && i < len(s.flushTimes) {
			return s.writeTimes[i], s.flushTimes[i]
		}
	}
	if s.f.hasClose && s.f.closeAt == at && !s.closeTime.IsZero() {
		return s.closeTime, s.closeTime
	}
	return s.start.Add(at), s.start.Add(at)
}

// replayTimeout replaces the 5 s timeout of the stalled-stream fixture so
// that the test stays fast. The checks stay the same: kind timeout, and a
// failure latency equal to the timeout.
const replayTimeout = 400 * time.Millisecond

// replayAttempts is how many times a fixture is replayed before a timing
// miss fails the test. Only timing misses are retried: on a loaded machine a
// goroutine can wait several milliseconds for a CPU, but every other check
// must pass on every attempt.
const replayAttempts = 3

func TestFixturesReplayedOverHTTP(t *testing.T) {
	for _, e := range expectations {
		t.Run(e.name(), func(t *testing.T) {
			t.Parallel()
			for attempt := 1; attempt <= replayAttempts; attempt++ {
				var misses []string
				timingErrorf := func(format string, args ...any) { misses = append(misses, fmt.Sprintf(format, args...)) }
				replayOnce(t, e, timingErrorf)
				if len(misses) == 0 {
					return
				}
				if attempt == replayAttempts {
					t.Errorf("timing misses on all %d attempts, the last:\n%s", replayAttempts, strings.Join(misses, "\n"))
				} else {
					t.Logf("attempt %d: timing misses, retrying:\n%s", attempt, strings.Join(misses, "\n"))
				}
			}
		})
	}
}

// replayOnce replays the fixture of e over loopback HTTP and checks the
// client's record against the times at which the server really wrote.
func replayOnce(t *testing.T, e expected, timingErrorf func(string, ...any)) {
	t.Helper()
	f := loadFixture(t, e.id)
	server, srv := newReplayServer(t, f)
	timeout := f.timeout()
	if timeout > replayTimeout {
		timeout = replayTimeout
	}
	c, err := New(Options{BaseURL: srv.URL, Concurrency: 1, Timeout: timeout, KeepText: true, Tokenizer: e.tokenizer})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer c.CloseIdleConnections()

	scheduled := time.Now()
	rec := c.Do(context.Background(), f.clientRequest(t), scheduled)

	window := func(ms int) (time.Duration, time.Duration) {
		earliest, latest := server.actualWindow(ms)
		return earliest.Sub(scheduled), latest.Sub(scheduled)
	}
	checkRecord(t, e, rec, timeout, window, tolerance(2*time.Millisecond), timingErrorf)
	server.mu.Lock()
	body, received := server.body, server.start.Sub(scheduled)
	server.mu.Unlock()
	checkSentBody(t, f, body, e.requestContains)
	if rec.SendDelay < 0 || rec.SendDelay > received {
		t.Errorf("SendDelay = %v, want between 0 and the server's receipt %v", rec.SendDelay, received)
	}
	if rec.Endpoint != f.endpoint {
		t.Errorf("Endpoint = %q, want %q", rec.Endpoint, f.endpoint)
	}
}

// checkSentBody checks that the client sent every field of the fixture's
// request (stream_options.continuous_usage_stats is a server option the
// client does not send) and the text wantContains.
func checkSentBody(t *testing.T, f *fixture, body []byte, wantContains string) {
	t.Helper()
	var sent map[string]any
	if err := json.Unmarshal(body, &sent); err != nil {
		t.Fatalf("request body %q is not JSON: %v", body, err)
	}
	for key, want := range f.request {
		if key == "stream_options" {
			options, _ := sent[key].(map[string]any)
			if options["include_usage"] != true {
				t.Errorf("request stream_options = %v, want include_usage true", sent[key])
			}
			continue
		}
		if !reflect.DeepEqual(sent[key], want) {
			t.Errorf("request %s = %v, want %v", key, sent[key], want)
		}
	}
	if _, ok := f.request["ignore_eos"]; !ok && strings.Contains(string(body), "ignore_eos") {
		t.Errorf("request body %s sends ignore_eos, which was not asked for", body)
	}
	if !strings.Contains(string(body), wantContains) {
		t.Errorf("request body %s does not contain %s", body, wantContains)
	}
}
