package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/client"
	"github.com/llmbench/llmbench-action/pipeline/record"
	"github.com/llmbench/llmbench-action/pipeline/workload"
)

// The streaming client is the Doer that runs use.
var _ Doer = (*client.Client)(nil)

// httpDoer is a minimal streaming client for loopback tests: it posts the
// request, timestamps every "data:" line other than [DONE] as a token, and
// ends at EOF.
type httpDoer struct {
	url    string
	client *http.Client
}

func newHTTPDoer(url string, conns int) *httpDoer {
	transport := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	return &httpDoer{url: url, client: &http.Client{Transport: transport}}
}

func (d *httpDoer) Do(ctx context.Context, req client.Request, scheduled time.Time) record.Record {
	rec := record.Record{Endpoint: req.Path, MaxTokens: req.MaxTokens, SendDelay: time.Since(scheduled)}
	body, _ := json.Marshal(map[string]any{"model": req.Model, "max_tokens": req.MaxTokens, "stream": true})
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url+req.Path, bytes.NewReader(body))
	if err != nil {
		rec.Failure, rec.ErrorMessage = record.FailureConnect, err.Error()
		return rec
	}

	resp, err := d.client.Do(httpReq)
	if err != nil {
		rec.Failure, rec.ErrorMessage = record.FailureConnect, err.Error()
		if ctx.Err() != nil {
			rec.Failure = record.FailureCanceled
		}
		rec.FailureLatency = time.Since(scheduled)
		return rec
	}
	defer resp.Body.Close()
	rec.Status = resp.StatusCode

	scanner := bufio.NewScanner(resp.Body)
	done := false
	for scanner.Scan() {
		line := scanner.Text()
		switch {
		case line == "data: [DONE]":
			done = true
		case strings.HasPrefix(line, "data: "):
			rec.TokenTimes = append(rec.TokenTimes, time.Since(scheduled))
		}
	}
	rec.StreamEnd = time.Since(scheduled)
	switch {
	case ctx.Err() != nil:
		rec.Failure = record.FailureCanceled
	case !done:
		rec.Failure = record.FailureTruncated
	case len(rec.TokenTimes) == 0:
		rec.Failure = record.FailureNoToken
	default:
		rec.OK, rec.HasTTFT = true, true
		rec.TTFT, rec.E2E = rec.TokenTimes[0], rec.TokenTimes[len(rec.TokenTimes)-1]
		rec.OutputTokens, rec.OutputTokensKnown = len(rec.TokenTimes), true
	}
	if !rec.OK {
		rec.FailureLatency = rec.StreamEnd
	}
	return rec
}

// streamServer serves tokens events per request, flushed one by one.
func streamServer(t testing.TB, tokens int, served *atomic.Int64) *httptest.Server {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		w.Header().Set("Content-Type", "text/event-stream")
		flusher := w.(http.Flusher)
		for i := range tokens {
			fmt.Fprintf(w, "data: {\"choices\":[{\"text\":\"t%d\"}]}\n\n", i)
			flusher.Flush()
		}
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
	t.Cleanup(server.Close)
	return server
}

func TestRunLoopbackServer(t *testing.T) {
	tests := []struct {
		name string
		rate float64
	}{
		{"closed loop", 0},
		{"open loop inf", math.Inf(1)},
		{"open loop rate 500", 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var served atomic.Int64
			server := streamServer(t, 3, &served)
			w, _ := workload.Builtin("small")
			w.RequestRate = tt.rate
			w.Arrival = workload.ArrivalConstant
			w.Concurrency = 4

			result, err := Run(t.Context(), Config{
				Workload: w, Framework: "sim", Model: "m",
				Warmup: requests(2), Requests: requests(20), Doer: newHTTPDoer(server.URL, 4),
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := served.Load(); got != 22 {
				t.Errorf("server saw %d requests, want 22", got)
			}
			if len(result.Records) != 22 {
				t.Fatalf("got %d records, want 22", len(result.Records))
			}
			for i, rec := range result.Records {
				if !rec.OK || rec.OutputTokens != 3 {
					t.Errorf("record %d: OK %v, %d tokens, failure %q %s", i, rec.OK, rec.OutputTokens, rec.Failure, rec.ErrorMessage)
				}
				if rec.TTFT > rec.E2E || rec.E2E > rec.StreamEnd {
					t.Errorf("record %d: TTFT %v, E2E %v, stream end %v out of order", i, rec.TTFT, rec.E2E, rec.StreamEnd)
				}
			}
			measured := result.Records[2:]
			if tt.rate == 500 {
				want := make([]time.Duration, 20)
				for i := range want {
					want[i] = time.Duration(i) * 2 * time.Millisecond
				}
				if got := offsetsOf(measured); !slices.Equal(got, want) {
					t.Errorf("scheduled offsets = %v, want %v", got, want)
				}
			}
		})
	}
}

func TestRunLoopbackCancel(t *testing.T) {
	release := make(chan struct{})
	var served atomic.Int64
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: {\"choices\":[{\"text\":\"a\"}]}\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(server.Close)
	t.Cleanup(func() { close(release) })

	ctx, cancel := context.WithCancel(t.Context())
	w := openWorkload(math.Inf(1), workload.ArrivalPoisson)
	w.Concurrency = 3
	go func() {
		for served.Load() < 3 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()

	result, err := Run(ctx, Config{Workload: w, Requests: requests(10), Doer: newHTTPDoer(server.URL, 3)})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run error = %v, want context.Canceled", err)
	}
	if len(result.Records) != 3 {
		t.Fatalf("got %d records, want the 3 in flight at the cancel", len(result.Records))
	}
	for i, rec := range result.Records {
		if rec.Failure != record.FailureCanceled {
			t.Errorf("record %d failure = %q, want canceled", i, rec.Failure)
		}
	}
}

// BenchmarkOpenLoop1000 offers 1,000 requests at a constant 1,000 requests/s
// to a loopback server and reports the achieved send rate beside the
// target, and the scheduler's lateness (actual send minus scheduled send).
func BenchmarkOpenLoop1000(b *testing.B) {
	const n, rate = 1000, 1000.0
	var served atomic.Int64
	server := streamServer(b, 4, &served)
	doer := newHTTPDoer(server.URL, 256)
	w := openWorkload(rate, workload.ArrivalConstant)

	var achieved, lateP99, lateMax float64
	for b.Loop() {
		result, err := Run(b.Context(), Config{Workload: w, Requests: requests(n), Doer: doer})
		if err != nil {
			b.Fatal(err)
		}
		sends := sendsOf(result.Records)
		achieved = float64(n-1) / (slices.Max(sends) - slices.Min(sends)).Seconds()

		late := make([]time.Duration, n)
		for i, rec := range result.Records {
			late[i] = rec.SendDelay
			if !rec.OK {
				b.Fatalf("request %d failed: %s %s", i, rec.Failure, rec.ErrorMessage)
			}
		}
		slices.Sort(late)
		lateP99 = float64(late[n*99/100]) / 1e6
		lateMax = float64(late[n-1]) / 1e6
	}
	b.ReportMetric(rate, "target_req/s")
	b.ReportMetric(achieved, "achieved_req/s")
	b.ReportMetric(lateP99, "p99_send_delay_ms")
	b.ReportMetric(lateMax, "max_send_delay_ms")
}
