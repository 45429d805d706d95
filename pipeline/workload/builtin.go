package workload

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Defaults for the built-in workloads and for fields a workload file leaves
// out.
const (
	// DefaultInputLen is the random prompt length in tokens.
	DefaultInputLen = 128
	// DefaultWarmupRequests is the number of warm-up requests sent before the
	// measured ones and left out of every number.
	DefaultWarmupRequests = 2
	// DefaultTimeout is the per-request timeout. It is long enough for 256
	// tokens from a 2.7B model on a small GPU, and short enough that a stalled
	// stream does not hold a run for long.
	DefaultTimeout = 2 * time.Minute
	// DefaultSeed makes prompts and arrival times repeatable.
	DefaultSeed = 42
	// DefaultArrival is the arrival process of open-loop workloads.
	DefaultArrival = ArrivalPoisson
	// DefaultBurstiness is the gamma shape; 1 makes gamma arrivals Poisson.
	DefaultBurstiness = 1.0
)

// builtins are the workloads of the benchmark plan: small (10 requests of 64
// tokens), medium (50 of 128) and large (100 of 256). They are closed loop,
// with random token-id prompts and ignore_eos set, so every request produces
// exactly max_tokens tokens and runs of different servers do the same work.
var builtins = map[string]Workload{
	"small":  defaults(Workload{Name: "small", NumRequests: 10, MaxTokens: 64, Concurrency: 4}),
	"medium": defaults(Workload{Name: "medium", NumRequests: 50, MaxTokens: 128, Concurrency: 8}),
	"large":  defaults(Workload{Name: "large", NumRequests: 100, MaxTokens: 256, Concurrency: 16}),
}

// defaults fills the fields that the built-in workloads share.
func defaults(w Workload) Workload {
	w.Arrival = DefaultArrival
	w.Burstiness = DefaultBurstiness
	w.InputLen = DefaultInputLen
	w.Dataset = DatasetRandom
	w.Endpoint = EndpointCompletions
	w.IgnoreEOS = true
	w.Temperature = 0
	w.WarmupRequests = DefaultWarmupRequests
	w.Timeout = DefaultTimeout
	w.Seed = DefaultSeed
	return w
}

// Names returns the names of the built-in workloads, sorted.
func Names() []string {
	names := make([]string, 0, len(builtins))
	for name := range builtins {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Builtin returns the built-in workload with the given name.
func Builtin(name string) (Workload, error) {
	w, ok := builtins[name]
	if !ok {
		return Workload{}, fmt.Errorf("unknown built-in workload %q: use one of %s, or a path to a workload JSON file",
			name, strings.Join(Names(), ", "))
	}
	return w, nil
}
