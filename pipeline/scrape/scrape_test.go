package scrape

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// vllmMetrics renders a /metrics body shaped like vLLM's v1 engine with two
// engines (data-parallel ranks), including histogram lines, _created samples
// and a deprecated cache gauge that must lose to the newer name.
func vllmMetrics(hit int) string {
	return fmt.Sprintf(`# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="facebook/opt-125m"} %d.0
vllm:num_requests_running{engine="1",model_name="facebook/opt-125m"} 1.0
# HELP vllm:num_requests_waiting Number of requests waiting to be processed.
# TYPE vllm:num_requests_waiting gauge
vllm:num_requests_waiting{engine="0",model_name="facebook/opt-125m"} %d.0
vllm:num_requests_waiting{engine="1",model_name="facebook/opt-125m"} 0.0
# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
# TYPE vllm:kv_cache_usage_perc gauge
vllm:kv_cache_usage_perc{engine="0",model_name="facebook/opt-125m"} %g
vllm:kv_cache_usage_perc{engine="1",model_name="facebook/opt-125m"} 0.05
# HELP vllm:gpu_cache_usage_perc GPU KV-cache usage. 1 means 100 percent usage.
# TYPE vllm:gpu_cache_usage_perc gauge
vllm:gpu_cache_usage_perc{engine="0",model_name="facebook/opt-125m"} 0.99
# HELP vllm:prompt_tokens_total Number of prefill tokens processed.
# TYPE vllm:prompt_tokens_total counter
vllm:prompt_tokens_total{engine="0",model_name="facebook/opt-125m"} %d.0
vllm:prompt_tokens_total{engine="1",model_name="facebook/opt-125m"} 100.0
# HELP vllm:prompt_tokens_created Number of prefill tokens processed.
# TYPE vllm:prompt_tokens_created gauge
vllm:prompt_tokens_created{engine="0",model_name="facebook/opt-125m"} 1.7e+09
# HELP vllm:generation_tokens_total Number of generation tokens processed.
# TYPE vllm:generation_tokens_total counter
vllm:generation_tokens_total{engine="0",model_name="facebook/opt-125m"} %d.0
# HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.
# TYPE vllm:time_to_first_token_seconds histogram
vllm:time_to_first_token_seconds_bucket{engine="0",le="0.001",model_name="facebook/opt-125m"} 0.0
vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="facebook/opt-125m"} 3.0
vllm:time_to_first_token_seconds_count{engine="0",model_name="facebook/opt-125m"} 3.0
vllm:time_to_first_token_seconds_sum{engine="0",model_name="facebook/opt-125m"} 0.12
`, hit, 2*hit, 0.1*float64(hit), 1000*hit, 64*hit)
}

// sglangMetrics renders a /metrics body shaped like SGLang's, with one label
// set per data-parallel rank.
func sglangMetrics(hit int) string {
	return fmt.Sprintf(`# HELP sglang:num_running_reqs The number of running requests.
# TYPE sglang:num_running_reqs gauge
sglang:num_running_reqs{dp="0",model_name="Qwen/Qwen2-1.5B"} %d.0
sglang:num_running_reqs{dp="1",model_name="Qwen/Qwen2-1.5B"} 2.0
# HELP sglang:num_queue_reqs The number of requests in the waiting queue.
# TYPE sglang:num_queue_reqs gauge
sglang:num_queue_reqs{dp="0",model_name="Qwen/Qwen2-1.5B"} %d.0
# HELP sglang:token_usage The token usage.
# TYPE sglang:token_usage gauge
sglang:token_usage{dp="0",model_name="Qwen/Qwen2-1.5B"} %g
sglang:token_usage{dp="1",model_name="Qwen/Qwen2-1.5B"} 0.5
# HELP sglang:prompt_tokens_total Number of prefill tokens processed.
# TYPE sglang:prompt_tokens_total counter
sglang:prompt_tokens_total{dp="0",model_name="Qwen/Qwen2-1.5B"} %d.0
# HELP sglang:generation_tokens_total Number of generation tokens processed.
# TYPE sglang:generation_tokens_total counter
sglang:generation_tokens_total{dp="0",model_name="Qwen/Qwen2-1.5B"} %d.0
# HELP sglang:cache_hit_rate The cache hit rate.
# TYPE sglang:cache_hit_rate gauge
sglang:cache_hit_rate{dp="0",model_name="Qwen/Qwen2-1.5B"} 0.0
`, hit, hit+3, 0.2*float64(hit), 500*hit, 32*hit)
}

// metricsServer serves render(n) on /metrics for the n-th request (from 1)
// and sends n on hits after the response is written.
func metricsServer(t *testing.T, render func(hit int) string) (*httptest.Server, <-chan int) {
	t.Helper()
	var count atomic.Int64
	hits := make(chan int, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		n := int(count.Add(1))
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		fmt.Fprint(w, render(n))
		select {
		case hits <- n:
		default:
		}
	}))
	t.Cleanup(srv.Close)
	return srv, hits
}

func TestScrapeVLLM(t *testing.T) {
	srv, _ := metricsServer(t, vllmMetrics)
	s := New(srv.URL+"/", FlavorVLLM, time.Second, nil)
	start := time.Now()

	for range 2 {
		if err := s.Scrape(context.Background(), start); err != nil {
			t.Fatalf("Scrape: %v", err)
		}
	}

	samples := s.Samples()
	if len(samples) != 2 {
		t.Fatalf("got %d samples, want 2", len(samples))
	}
	want := map[string]float64{
		RunningRequests:       2 + 1,
		WaitingRequests:       4,
		KVCacheUsage:          0.2,
		PromptTokensTotal:     2000 + 100,
		GenerationTokensTotal: 128,
	}
	got := samples[1].Values
	for name, w := range want {
		if v, ok := got[name]; !ok || !near(v, w) {
			t.Errorf("second sample %s = %v (present %v), want %v", name, v, ok, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("second sample has %d values, want %d: %v", len(got), len(want), got)
	}
	if samples[1].At < samples[0].At {
		t.Errorf("sample times go backwards: %v then %v", samples[0].At, samples[1].At)
	}
	if s.Errors() != 0 {
		t.Errorf("Errors() = %d, want 0 (last: %v)", s.Errors(), s.LastError())
	}
}

func TestScrapeSGLang(t *testing.T) {
	srv, _ := metricsServer(t, sglangMetrics)
	s := New(srv.URL, FlavorSGLang, time.Second, nil)

	if err := s.Scrape(context.Background(), time.Now()); err != nil {
		t.Fatalf("Scrape: %v", err)
	}

	want := map[string]float64{
		RunningRequests:       1 + 2,
		WaitingRequests:       4,
		KVCacheUsage:          0.5, // the fuller of the two ranks
		PromptTokensTotal:     500,
		GenerationTokensTotal: 32,
	}
	got := s.Samples()[0].Values
	for name, w := range want {
		if v, ok := got[name]; !ok || !near(v, w) {
			t.Errorf("%s = %v (present %v), want %v", name, v, ok, w)
		}
	}
}

func TestScrapeUnknownFlavorFindsBoth(t *testing.T) {
	srv, _ := metricsServer(t, sglangMetrics)
	s := New(srv.URL, "sim", time.Second, nil)

	if err := s.Scrape(context.Background(), time.Now()); err != nil {
		t.Fatalf("Scrape: %v", err)
	}
	if got := s.Samples()[0].Values[GenerationTokensTotal]; got != 32 {
		t.Errorf("generation tokens = %v, want 32", got)
	}
}

func TestScrapeWrongFlavorIsError(t *testing.T) {
	srv, _ := metricsServer(t, sglangMetrics)
	s := New(srv.URL, FlavorVLLM, time.Second, nil)

	err := s.Scrape(context.Background(), time.Now())
	if err == nil || !strings.Contains(err.Error(), "no known metric") {
		t.Fatalf("Scrape error = %v, want one about no known metric", err)
	}
	if s.Errors() != 1 {
		t.Errorf("Errors() = %d, want 1", s.Errors())
	}
	if len(s.Samples()) != 0 {
		t.Errorf("got %d samples, want 0", len(s.Samples()))
	}
}

func TestScrapeOldVLLMCacheName(t *testing.T) {
	body := `# TYPE vllm:gpu_cache_usage_perc gauge
vllm:gpu_cache_usage_perc{model_name="facebook/opt-125m"} 0.37
vllm:num_requests_running{model_name="facebook/opt-125m"} 4
`
	srv, _ := metricsServer(t, func(int) string { return body })
	s := New(srv.URL, FlavorVLLM, time.Second, nil)

	if err := s.Scrape(context.Background(), time.Now()); err != nil {
		t.Fatalf("Scrape: %v", err)
	}
	got := s.Samples()[0].Values
	if got[KVCacheUsage] != 0.37 {
		t.Errorf("kv_cache_usage = %v, want 0.37", got[KVCacheUsage])
	}
	if got[RunningRequests] != 4 {
		t.Errorf("untyped running_requests = %v, want 4", got[RunningRequests])
	}
}

func TestScrapeGarbageInOtherMetricIgnored(t *testing.T) {
	body := "this is { not prometheus\nvllm:num_requests_waiting 7\nother_metric{a=\"b\" 1\n"
	srv, _ := metricsServer(t, func(int) string { return body })
	s := New(srv.URL, FlavorVLLM, time.Second, nil)

	if err := s.Scrape(context.Background(), time.Now()); err != nil {
		t.Fatalf("Scrape: %v", err)
	}
	if got := s.Samples()[0].Values[WaitingRequests]; got != 7 {
		t.Errorf("waiting_requests = %v, want 7", got)
	}
}

func TestScrapeFailuresCounted(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{
			name:    "not found",
			handler: http.NotFound,
			want:    "status 404 Not Found",
		},
		{
			name: "server error",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "boom", http.StatusInternalServerError)
			},
			want: "status 500",
		},
		{
			name: "garbage value",
			handler: func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, "vllm:num_requests_running{model_name=\"m\"} lots\n")
			},
			want: "parsing Prometheus text",
		},
		{
			name: "html page",
			handler: func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, "<html><body>hello</body></html>\n")
			},
			want: "no known metric",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			s := New(srv.URL, FlavorVLLM, time.Second, nil)

			for range 3 {
				_ = s.Scrape(context.Background(), time.Now())
			}

			if s.Errors() != 3 {
				t.Errorf("Errors() = %d, want 3", s.Errors())
			}
			if err := s.LastError(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LastError() = %v, want it to contain %q", err, tt.want)
			}
			if err := s.LastError(); err != nil && !strings.Contains(err.Error(), srv.URL+"/metrics") {
				t.Errorf("LastError() = %v, want it to name the URL", err)
			}
			if n := len(s.Samples()); n != 0 {
				t.Errorf("got %d samples, want 0", n)
			}
		})
	}
}

func TestScrapeConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	s := New(url, FlavorVLLM, time.Second, nil)

	if err := s.Scrape(context.Background(), time.Now()); err == nil {
		t.Fatal("Scrape of a closed server succeeded")
	}
	if s.Errors() != 1 {
		t.Errorf("Errors() = %d, want 1", s.Errors())
	}
}

func TestRunSamplesUntilCanceled(t *testing.T) {
	srv, hits := metricsServer(t, vllmMetrics)
	s := New(srv.URL, FlavorVLLM, time.Millisecond, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var wg sync.WaitGroup
	wg.Go(func() { s.Run(ctx, time.Now()) })
	for n := range hits {
		if n == 4 {
			break
		}
		// Samples is read while Run appends, for the race detector.
		_ = s.Samples()
	}
	cancel()
	wg.Wait()

	samples := s.Samples()
	if len(samples) < 3 {
		t.Fatalf("got %d samples after 4 scrapes, want at least 3 (errors %d, last %v)", len(samples), s.Errors(), s.LastError())
	}
	for i := 1; i < len(samples); i++ {
		prev, cur := samples[i-1], samples[i]
		if cur.At < prev.At {
			t.Errorf("sample %d At %v before sample %d At %v", i, cur.At, i-1, prev.At)
		}
		if cur.Values[GenerationTokensTotal] <= prev.Values[GenerationTokensTotal] {
			t.Errorf("sample %d generation tokens %v, not above %v", i,
				cur.Values[GenerationTokensTotal], prev.Values[GenerationTokensTotal])
		}
	}
	if s.Errors() != 0 {
		t.Errorf("Errors() = %d, want 0 (last: %v)", s.Errors(), s.LastError())
	}
}

func TestRunReturnsWhenServerHangs(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	s := New(srv.URL, FlavorVLLM, time.Hour, nil)
	ctx, cancel := context.WithCancel(context.Background())

	done := make(chan struct{})
	go func() {
		s.Run(ctx, time.Now())
		close(done)
	}()
	cancel()
	<-done

	if s.Errors() != 0 {
		t.Errorf("a scrape cut short by cancellation was counted: Errors() = %d, last %v", s.Errors(), s.LastError())
	}
}

func TestSamplesReturnsCopy(t *testing.T) {
	srv, _ := metricsServer(t, vllmMetrics)
	s := New(srv.URL, FlavorVLLM, time.Second, nil)
	if err := s.Scrape(context.Background(), time.Now()); err != nil {
		t.Fatalf("Scrape: %v", err)
	}

	s.Samples()[0].Values[RunningRequests] = -1

	if got := s.Samples()[0].Values[RunningRequests]; got == -1 {
		t.Error("changing a returned sample changed the scraper's sample")
	}
}

func near(a, b float64) bool {
	d := a - b
	return d < 1e-9 && d > -1e-9
}
