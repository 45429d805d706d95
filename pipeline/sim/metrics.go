package sim

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Histogram buckets in seconds, close to the ones vLLM and SGLang use.
var (
	ttftBuckets = []float64{0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80}
	e2eBuckets  = []float64{0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960}
	itlBuckets  = []float64{0.001, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5}
)

// serverMetrics are a simulated server's Prometheus metrics, named as the
// flavor names them: vllm:* (vLLM 0.6 to 0.11, with both the older
// gpu_cache_usage_perc and the newer kv_cache_usage_perc) or sglang:*.
// Every series carries the model_name label.
type serverMetrics struct {
	registry *prometheus.Registry

	promptTokens     prometheus.Counter
	generationTokens prometheus.Counter
	// finished counts finished requests by finish reason (vLLM only).
	finished *prometheus.CounterVec

	ttft      prometheus.Observer
	e2e       prometheus.Observer
	itl       prometheus.Observer
	tpot      prometheus.Observer
	queueTime prometheus.Observer // nil for SGLang
}

func newServerMetrics(cfg Config, eng *engine) *serverMetrics {
	reg := prometheus.NewRegistry()
	labels := prometheus.Labels{"model_name": cfg.ServedName()}
	m := &serverMetrics{registry: reg}

	gauge := func(name, help string, value func() float64) {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help, ConstLabels: labels}, value))
	}
	counter := func(name, help string) prometheus.Counter {
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help, ConstLabels: labels})
		reg.MustRegister(c)
		return c
	}
	histogram := func(name, help string, buckets []float64) prometheus.Observer {
		h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets, ConstLabels: labels})
		reg.MustRegister(h)
		return h
	}
	running := func() float64 { return float64(eng.running.Load()) }
	waiting := func() float64 { return float64(eng.waiting.Load()) }

	switch cfg.Flavor {
	case FlavorVLLM:
		gauge("vllm:num_requests_running", "Number of requests in model execution batches.", running)
		gauge("vllm:num_requests_waiting", "Number of requests waiting to be processed.", waiting)
		gauge("vllm:gpu_cache_usage_perc", "GPU KV-cache usage. 1 means 100 percent usage.", eng.kvUsage)
		gauge("vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", eng.kvUsage)
		m.promptTokens = counter("vllm:prompt_tokens_total", "Number of prefill tokens processed.")
		m.generationTokens = counter("vllm:generation_tokens_total", "Number of generation tokens processed.")
		m.finished = prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vllm:request_success_total", Help: "Count of successfully processed requests.", ConstLabels: labels,
		}, []string{"finished_reason"})
		reg.MustRegister(m.finished)
		m.ttft = histogram("vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", ttftBuckets)
		m.e2e = histogram("vllm:e2e_request_latency_seconds", "Histogram of end to end request latency in seconds.", e2eBuckets)
		m.itl = histogram("vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", itlBuckets)
		m.tpot = histogram("vllm:time_per_output_token_seconds", "Histogram of time per output token in seconds.", itlBuckets)
		m.queueTime = histogram("vllm:request_queue_time_seconds", "Histogram of time spent in the waiting queue in seconds.", e2eBuckets)
	case FlavorSGLang:
		gauge("sglang:num_running_reqs", "The number of running requests.", running)
		gauge("sglang:num_queue_reqs", "The number of requests in the waiting queue.", waiting)
		gauge("sglang:token_usage", "The token usage.", eng.kvUsage)
		gauge("sglang:num_used_tokens", "The number of used tokens.", func() float64 { return float64(eng.kvTokens.Load()) })
		gauge("sglang:cache_hit_rate", "The prefix cache hit rate.", func() float64 { return 0 })
		m.promptTokens = counter("sglang:prompt_tokens_total", "Number of prefill tokens processed.")
		m.generationTokens = counter("sglang:generation_tokens_total", "Number of generation tokens processed.")
		m.ttft = histogram("sglang:time_to_first_token_seconds", "Histogram of time to first token in seconds.", ttftBuckets)
		m.e2e = histogram("sglang:e2e_request_latency_seconds", "Histogram of end-to-end request latency in seconds.", e2eBuckets)
		m.itl = histogram("sglang:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", itlBuckets)
		m.tpot = histogram("sglang:time_per_output_token_seconds", "Histogram of time per output token in seconds.", itlBuckets)
	}
	return m
}

// handler serves the metrics in the Prometheus text format.
func (m *serverMetrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// requestDone records a finished request that produced output tokens.
func (m *serverMetrics) requestDone(finishReason string, queued, e2e, ttft time.Duration, outputTokens int) {
	m.e2e.Observe(e2e.Seconds())
	if m.queueTime != nil {
		m.queueTime.Observe(queued.Seconds())
	}
	if m.finished != nil {
		m.finished.WithLabelValues(finishReason).Inc()
	}
	if outputTokens > 1 {
		m.tpot.Observe((e2e - ttft).Seconds() / float64(outputTokens-1))
	}
}
