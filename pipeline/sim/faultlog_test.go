package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// logBuffer collects JSON log lines written from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records decodes the log lines whose message is msg.
func (b *logBuffer) records(t *testing.T, msg string) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("decoding log line %q: %v", line, err)
		}
		if rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fakeClock is a clock that moves only when the test advances it.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestFaultLogRateLimitsPerKind(t *testing.T) {
	logs := &logBuffer{}
	clock := &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	l := newFaultLog(slog.New(slog.NewJSONHandler(logs, nil)))
	l.now = clock.Now

	l.injected(faultHTTPError, "cmpl-1", "/v1/completions", 0)
	for i := range 4 {
		clock.advance(200 * time.Millisecond)
		l.injected(faultHTTPError, "cmpl-repeat", "/v1/completions", i)
	}
	l.injected(faultStall, "cmpl-6", "/v1/chat/completions", 3)
	clock.advance(200 * time.Millisecond) // one second after the first line
	l.injected(faultHTTPError, "cmpl-7", "/v1/completions", 0)
	l.logTotals()

	lines := logs.records(t, "injected fault")
	if len(lines) != 3 {
		t.Fatalf("got %d fault lines, want 3 (two http_error, one stall):\n%s", len(lines), logs)
	}
	first, stall, second := lines[0], lines[1], lines[2]
	if first["fault"] != "http_error" || first["request_id"] != "cmpl-1" || first["total"] != 1.0 {
		t.Errorf("first line = %v, want http_error of cmpl-1, total 1", first)
	}
	if _, ok := first["at_token"]; ok {
		t.Errorf("http_error line has at_token: %v", first)
	}
	if _, ok := first["not_logged_since_last_line"]; ok {
		t.Errorf("first line reports unlogged faults: %v", first)
	}
	if stall["fault"] != "stall" || stall["request_id"] != "cmpl-6" || stall["at_token"] != 3.0 || stall["path"] != "/v1/chat/completions" {
		t.Errorf("stall line = %v, want stall of cmpl-6 at token 3 on /v1/chat/completions", stall)
	}
	if second["request_id"] != "cmpl-7" || second["total"] != 6.0 || second["not_logged_since_last_line"] != 4.0 {
		t.Errorf("second http_error line = %v, want cmpl-7, total 6, 4 not logged", second)
	}

	totals := logs.records(t, "injected faults in total")
	if len(totals) != 1 || totals[0]["http_error"] != 6.0 || totals[0]["stall"] != 1.0 {
		t.Errorf("totals = %v, want http_error 6 and stall 1", totals)
	}
	if _, ok := totals[0]["disconnect"]; ok {
		t.Errorf("totals list a kind that never happened: %v", totals[0])
	}
}

func TestFaultLogQuietWithoutFaults(t *testing.T) {
	logs := &logBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	newFaultLog(logger).logTotals()
	logFaultRates(logger, SimConfig{Seed: 7})
	if logs.String() != "" {
		t.Errorf("logged without faults: %s", logs)
	}
}

// serveLogged serves a simulator with a JSON logger on 127.0.0.1 and a
// stopped fault-log clock. stop shuts it down and waits until Serve
// returns, which logs the totals.
func serveLogged(t *testing.T, flavor string, args ...string) (baseURL string, logs *logBuffer, stop func()) {
	t.Helper()
	cfg, err := ParseArgs(flavor, args)
	if err != nil {
		t.Fatalf("ParseArgs(%s, %q): %v", flavor, args, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening: %v", err)
	}
	logs = &logBuffer{}
	s := New(cfg, slog.New(slog.NewJSONHandler(logs, nil)))
	clock := &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	s.faultLog.now = clock.Now

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Serve: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return "http://" + ln.Addr().String(), logs, stop
}

func TestServerLogsHTTPErrorFaults(t *testing.T) {
	url, logs, stop := serveLogged(t, FlavorVLLM, vllmArgs("--sim-error-rate", "1")...)
	for range 3 {
		resp := post(t, url+"/v1/completions", streamBody)
		if resp.StatusCode != http.StatusInternalServerError {
			t.Fatalf("status = %d, want the injected 500", resp.StatusCode)
		}
	}
	stop()

	rates := logs.records(t, "injecting faults")
	if len(rates) != 1 || rates[0]["error_rate"] != 1.0 || rates[0]["stall_rate"] != 0.0 {
		t.Errorf("startup lines = %v, want one with error_rate 1", rates)
	}
	lines := logs.records(t, "injected fault")
	if len(lines) != 1 {
		t.Fatalf("got %d fault lines within one second, want 1:\n%s", len(lines), logs)
	}
	if lines[0]["fault"] != "http_error" || !strings.HasPrefix(lines[0]["request_id"].(string), "cmpl-") {
		t.Errorf("fault line = %v, want an http_error with a cmpl- request id", lines[0])
	}
	totals := logs.records(t, "injected faults in total")
	if len(totals) != 1 || totals[0]["http_error"] != 3.0 {
		t.Errorf("totals = %v, want http_error 3", totals)
	}
}

func TestServerLogsDisconnectFault(t *testing.T) {
	url, logs, stop := serveLogged(t, FlavorSGLang, sglangArgs("--sim-disconnect-rate", "1")...)
	resp := post(t, url+"/v1/completions", streamBody)
	events, err := readSSE(resp.Body)
	if err == nil {
		t.Fatal("stream ended cleanly, want the connection cut")
	}
	chunks := decodeChunks(t, events)
	if len(chunks) == 0 {
		t.Fatal("no chunk before the disconnect")
	}
	stop()

	lines := logs.records(t, "injected fault")
	if len(lines) != 1 {
		t.Fatalf("got %d fault lines, want 1:\n%s", len(lines), logs)
	}
	got := lines[0]
	if got["fault"] != "disconnect" || got["request_id"] != chunks[0].ID || got["at_token"] != float64(len(chunks)) {
		t.Errorf("fault line = %v, want disconnect of %s at token %d", got, chunks[0].ID, len(chunks))
	}
}
