package scrape

import "slices"

// Canonical metric names. Every flavor's Prometheus names are mapped onto
// these, so reports compare vLLM and SGLang under one name.
const (
	// RunningRequests is the number of requests the server is decoding or
	// prefilling, summed over engines and models.
	RunningRequests = "running_requests"
	// WaitingRequests is the number of requests queued in the server, summed
	// over engines and models.
	WaitingRequests = "waiting_requests"
	// KVCacheUsage is the fraction (0..1) of the KV cache in use. With several
	// engines it is the highest engine's fraction.
	KVCacheUsage = "kv_cache_usage"
	// PromptTokensTotal is the counter of prompt tokens processed since the
	// server started.
	PromptTokensTotal = "prompt_tokens_total"
	// GenerationTokensTotal is the counter of tokens generated since the server
	// started.
	GenerationTokensTotal = "generation_tokens_total"
)

// CanonicalNames lists the canonical metric names in report order.
var CanonicalNames = []string{RunningRequests, WaitingRequests, KVCacheUsage, PromptTokensTotal, GenerationTokensTotal}

// Counters lists the canonical names that are monotonic counters; the others
// are gauges.
var Counters = []string{PromptTokensTotal, GenerationTokensTotal}

// IsCounter reports whether the canonical name is a monotonic counter.
func IsCounter(name string) bool { return slices.Contains(Counters, name) }

// Flavors of server whose metric names are known.
const (
	FlavorVLLM   = "vllm"
	FlavorSGLang = "sglang"
)

// aggregation is the way the values of one metric over several label sets
// (one per engine, data-parallel rank or model) combine into one number.
type aggregation int

const (
	aggregateSum aggregation = iota // counts and counters add up
	aggregateMax                    // fractions do not add up, so the fullest engine is kept
)

// source is the Prometheus names that feed one canonical name, in order of
// preference: the first name present in a scrape is used.
type source struct {
	canonical string
	names     []string
	aggregate aggregation
}

// Metric names as served on /metrics, from the vLLM metrics design document
// and SGLang's production metrics document and metrics collector. Older vLLM
// releases name the KV cache gauge vllm:gpu_cache_usage_perc and newer ones
// vllm:kv_cache_usage_perc. Both are fractions despite the suffix. SGLang
// serves its metrics only when started with --enable-metrics.
var flavorSources = map[string][]source{
	FlavorVLLM: {
		{RunningRequests, []string{"vllm:num_requests_running"}, aggregateSum},
		{WaitingRequests, []string{"vllm:num_requests_waiting"}, aggregateSum},
		{KVCacheUsage, []string{"vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc"}, aggregateMax},
		{PromptTokensTotal, []string{"vllm:prompt_tokens_total"}, aggregateSum},
		{GenerationTokensTotal, []string{"vllm:generation_tokens_total"}, aggregateSum},
	},
	FlavorSGLang: {
		{RunningRequests, []string{"sglang:num_running_reqs"}, aggregateSum},
		{WaitingRequests, []string{"sglang:num_queue_reqs"}, aggregateSum},
		{KVCacheUsage, []string{"sglang:token_usage"}, aggregateMax},
		{PromptTokensTotal, []string{"sglang:prompt_tokens_total"}, aggregateSum},
		{GenerationTokensTotal, []string{"sglang:generation_tokens_total"}, aggregateSum},
	},
}

// sourcesFor returns the metric sources of a flavor. An unknown flavor gets
// the sources of every known flavor, which works because each flavor's names
// carry its own prefix.
func sourcesFor(flavor string) []source {
	if s, ok := flavorSources[flavor]; ok {
		return s
	}
	var all []source
	for _, f := range []string{FlavorVLLM, FlavorSGLang} {
		all = append(all, flavorSources[f]...)
	}
	return all
}
