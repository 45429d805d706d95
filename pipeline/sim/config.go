package sim

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Flavors the simulator can imitate.
const (
	FlavorVLLM   = "vllm"
	FlavorSGLang = "sglang"
)

// Config is a simulated server's configuration: the framework settings that
// its command line sets, and the simulator's own settings in Sim.
type Config struct {
	// Flavor is FlavorVLLM or FlavorSGLang.
	Flavor string

	// Model is the model path or Hugging Face repository id.
	Model string
	// ServedModelNames are the names the API accepts in "model" and lists in
	// /v1/models; the first one is reported in responses. Empty means Model.
	ServedModelNames []string

	// Host is the listen address; empty means all interfaces.
	Host string
	// Port is the TCP listen port.
	Port int

	// MaxModelLen is the context length in tokens: prompt plus output.
	MaxModelLen int
	// MaxBatch is the maximum number of running requests (--max-num-seqs,
	// --max-running-requests); further requests wait in a queue.
	MaxBatch int
	// MemoryFraction is --gpu-memory-utilization or --mem-fraction-static,
	// from 0 to 1. It scales the simulated KV cache.
	MemoryFraction float64
	// DType is the model data type flag, kept for logs.
	DType string
	// TensorParallelSize is the number of GPUs the model is split over.
	TensorParallelSize int
	// TrustRemoteCode, DownloadDir and Revision are accepted and kept for
	// logs; the simulator loads no model.
	TrustRemoteCode bool
	DownloadDir     string
	Revision        string
	// Seed is the framework's sampling seed (--seed, --random-seed).
	Seed int64
	// APIKey, when set, is required as "Authorization: Bearer <key>" on /v1.
	APIKey string
	// MetricsEnabled serves /metrics. vLLM always serves it, SGLang only
	// with --enable-metrics.
	MetricsEnabled bool

	// Sim holds the simulator's own settings.
	Sim SimConfig
}

// SimConfig holds the settings that only the simulator has (--sim-* flags and
// LLMBENCH_SIM_* environment variables).
type SimConfig struct {
	// TTFT, when positive, fixes the time from admission to the first token.
	TTFT time.Duration
	// ITL, when positive, fixes the time between consecutive tokens.
	ITL time.Duration
	// ParamsB is the model size in billions of parameters used by the
	// latency model. Zero means: read it from the model name, else 1.
	ParamsB float64

	// ErrorRate, InBandErrorRate, StallRate and DisconnectRate are the
	// probabilities (0 to 1, summing to at most 1) that a request gets an
	// HTTP 500, an in-band error event, a stall or a disconnect.
	ErrorRate       float64
	InBandErrorRate float64
	StallRate       float64
	DisconnectRate  float64

	// Seed seeds generated text, output lengths and fault draws.
	Seed int64
	// StartupDelay is how long /health returns 503 after the server starts.
	StartupDelay time.Duration
	// ExitAfter, when positive, makes the server stop abruptly this long
	// after it starts, like a crashed server.
	ExitAfter time.Duration
	// KVCacheTokens is the simulated KV cache size in tokens at
	// MemoryFraction 1. It only drives the cache usage gauge.
	KVCacheTokens int
	// VocabSize, when positive, rejects prompt token ids >= VocabSize as
	// vLLM and SGLang do.
	VocabSize int
}

// Simulator defaults that the real frameworks derive from the model or the
// GPU instead.
const (
	defaultMaxModelLen    = 4096
	defaultMaxBatch       = 256
	defaultMemoryFraction = 0.9
	defaultKVCacheTokens  = 262144
	defaultParamsB        = 1.0
)

// defaultConfig returns the defaults of a flavor.
func defaultConfig(flavor string) Config {
	cfg := Config{
		Flavor:             flavor,
		MaxModelLen:        defaultMaxModelLen,
		MaxBatch:           defaultMaxBatch,
		MemoryFraction:     defaultMemoryFraction,
		DType:              "auto",
		TensorParallelSize: 1,
		Sim:                SimConfig{KVCacheTokens: defaultKVCacheTokens},
	}
	switch flavor {
	case FlavorVLLM:
		cfg.Port = 8000
		cfg.MetricsEnabled = true
	case FlavorSGLang:
		cfg.Port = 30000
		cfg.Host = "127.0.0.1"
	}
	return cfg
}

// ServedName returns the model name reported in responses.
func (c Config) ServedName() string {
	if len(c.ServedModelNames) > 0 {
		return c.ServedModelNames[0]
	}
	return c.Model
}

// Addr returns the listen address host:port.
func (c Config) Addr() string {
	host := c.Host
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		host = "[" + host + "]"
	}
	return host + ":" + strconv.Itoa(c.Port)
}

// Validate checks that the configuration can be served.
func (c Config) Validate() error {
	switch {
	case c.Flavor != FlavorVLLM && c.Flavor != FlavorSGLang:
		return fmt.Errorf("invalid flavor %q: use %q or %q", c.Flavor, FlavorVLLM, FlavorSGLang)
	case c.Model == "":
		return fmt.Errorf("missing model: %s", modelHint(c.Flavor))
	case c.Port < 0 || c.Port > 65535:
		return fmt.Errorf("invalid port %d: must be from 0 to 65535", c.Port)
	case c.MaxModelLen < 1:
		return fmt.Errorf("invalid max model length %d: must be at least 1", c.MaxModelLen)
	case c.MaxBatch < 1:
		return fmt.Errorf("invalid max batch size %d: must be at least 1", c.MaxBatch)
	case c.MemoryFraction <= 0 || c.MemoryFraction > 1:
		return fmt.Errorf("invalid memory fraction %g: must be in (0, 1]", c.MemoryFraction)
	case c.TensorParallelSize < 1:
		return fmt.Errorf("invalid tensor parallel size %d: must be at least 1", c.TensorParallelSize)
	}
	return c.Sim.validate()
}

func (s SimConfig) validate() error {
	rates := []struct {
		name  string
		value float64
	}{
		{"--sim-error-rate", s.ErrorRate},
		{"--sim-inband-error-rate", s.InBandErrorRate},
		{"--sim-stall-rate", s.StallRate},
		{"--sim-disconnect-rate", s.DisconnectRate},
	}
	sum := 0.0
	for _, r := range rates {
		if r.value < 0 || r.value > 1 {
			return fmt.Errorf("invalid %s %g: must be from 0 to 1", r.name, r.value)
		}
		sum += r.value
	}
	if sum > 1+1e-9 {
		return fmt.Errorf("invalid fault rates: they sum to %g, must be at most 1", sum)
	}
	switch {
	case s.TTFT < 0:
		return fmt.Errorf("invalid --sim-ttft %v: must not be negative", s.TTFT)
	case s.ITL < 0:
		return fmt.Errorf("invalid --sim-itl %v: must not be negative", s.ITL)
	case s.ParamsB < 0:
		return fmt.Errorf("invalid --sim-params-b %g: must not be negative", s.ParamsB)
	case s.StartupDelay < 0:
		return fmt.Errorf("invalid --sim-startup-delay %v: must not be negative", s.StartupDelay)
	case s.ExitAfter < 0:
		return fmt.Errorf("invalid --sim-exit-after %v: must not be negative", s.ExitAfter)
	case s.KVCacheTokens < 1:
		return fmt.Errorf("invalid --sim-kv-cache-tokens %d: must be at least 1", s.KVCacheTokens)
	case s.VocabSize < 0:
		return fmt.Errorf("invalid --sim-vocab-size %d: must not be negative", s.VocabSize)
	}
	return nil
}

func modelHint(flavor string) string {
	if flavor == FlavorSGLang {
		return "pass --model-path <model>"
	}
	return "pass the model as the first argument (vllm serve <model>) or with --model"
}

// modelSizePattern matches a parameter count in a model name, such as
// "125m" in facebook/opt-125m or "1.5B" in Qwen/Qwen2-1.5B.
var modelSizePattern = regexp.MustCompile(`(?i)(?:^|[-_/.])(\d+(?:\.\d+)?)([bm])(?:$|[-_/.])`)

// paramsB returns the model size in billions of parameters for the latency
// model: SimConfig.ParamsB if set, else the size in the model name, else 1.
func (c Config) paramsB() float64 {
	if c.Sim.ParamsB > 0 {
		return c.Sim.ParamsB
	}
	m := modelSizePattern.FindStringSubmatch(c.Model)
	if m == nil {
		return defaultParamsB
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil || v <= 0 {
		return defaultParamsB
	}
	if strings.EqualFold(m[2], "m") {
		v /= 1000
	}
	return v
}
