package sim

import (
	"fmt"
	"strconv"
	"strings"
)

var dtypeChoices = []string{"auto", "half", "float16", "bfloat16", "float", "float32"}

// vllmFlagSpecs lists the `vllm serve` flags the simulator accepts, with the
// names and value types of vLLM's engine and server arguments (vLLM 0.6 to
// 0.11). Flags that change nothing in the simulation are still type-checked.
func vllmFlagSpecs() []flagSpec {
	ignoredString := func(help string, names ...string) flagSpec {
		return stringFlag(help+" (accepted, no effect in the simulator)", func(c *Config) *string { return new(string) }, names...)
	}
	ignoredBool := func(help string, names ...string) flagSpec {
		s := boolFlag(help+" (accepted, no effect in the simulator)", nil, names...)
		s.negatable = true
		return s
	}
	trustRemoteCode := boolFlag("trust remote code from Hugging Face", func(c *Config) *bool { return &c.TrustRemoteCode }, "--trust-remote-code")
	trustRemoteCode.negatable = true

	return []flagSpec{
		stringFlag("model name or path (deprecated form of the positional model)", func(c *Config) *string { return &c.Model }, "--model"),
		stringFlag("listen address (default: all interfaces)", func(c *Config) *string { return &c.Host }, "--host"),
		intFlag("listen port (default 8000)", 0, func(c *Config) *int { return &c.Port }, "--port"),
		{names: []string{"--served-model-name"}, kind: kindStrings, help: "model names accepted by the API; the first is reported", set: func(c *Config, v string) error {
			c.ServedModelNames = strings.Split(v, "\x00")
			return nil
		}},
		{names: []string{"--max-model-len"}, kind: kindInt, help: "context length in tokens; accepts 1k (1000) and 1K (1024) (simulator default 4096)", set: func(c *Config, v string) error {
			n, err := parseHumanInt(v)
			if err != nil {
				return err
			}
			if n < 1 {
				return fmt.Errorf("invalid value %d: must be at least 1", n)
			}
			c.MaxModelLen = n
			return nil
		}},
		floatFlag("fraction of GPU memory to use, from 0 to 1 (default 0.9)", func(c *Config) *float64 { return &c.MemoryFraction }, "--gpu-memory-utilization"),
		intFlag("maximum number of running requests (default 256)", 1, func(c *Config) *int { return &c.MaxBatch }, "--max-num-seqs"),
		intFlag("maximum tokens per engine step (accepted, no effect in the simulator)", 1, nil, "--max-num-batched-tokens"),
		choiceFlag("model data type", dtypeChoices, func(c *Config) *string { return &c.DType }, "--dtype"),
		intFlag("number of GPUs for tensor parallelism", 1, func(c *Config) *int { return &c.TensorParallelSize }, "--tensor-parallel-size", "-tp"),
		intFlag("number of pipeline stages (accepted, no effect in the simulator)", 1, nil, "--pipeline-parallel-size", "-pp"),
		trustRemoteCode,
		stringFlag("model download directory", func(c *Config) *string { return &c.DownloadDir }, "--download-dir"),
		stringFlag("model revision (branch, tag or commit)", func(c *Config) *string { return &c.Revision }, "--revision"),
		ignoredString("tokenizer name or path", "--tokenizer"),
		ignoredString("tokenizer revision", "--tokenizer-revision"),
		ignoredString("model code revision", "--code-revision"),
		int64Flag("sampling seed", func(c *Config) *int64 { return &c.Seed }, "--seed"),
		ignoredBool("do not log requests", "--disable-log-requests"),
		ignoredBool("log requests", "--enable-log-requests"),
		ignoredBool("do not log statistics", "--disable-log-stats"),
		ignoredBool("disable CUDA graphs", "--enforce-eager"),
		ignoredBool("cache prompt prefixes", "--enable-prefix-caching"),
		ignoredBool("split long prefills into chunks", "--enable-chunked-prefill"),
		stringFlag("API key required as a Bearer token on /v1", func(c *Config) *string { return &c.APIKey }, "--api-key"),
		choiceFlag("uvicorn log level (accepted, no effect in the simulator)", []string{"critical", "error", "warning", "info", "debug", "trace"}, nil, "--uvicorn-log-level"),
		floatFlag("CPU swap space per GPU in GiB (accepted, no effect in the simulator)", nil, "--swap-space"),
		ignoredString("KV cache data type", "--kv-cache-dtype"),
		ignoredString("weight quantization method", "--quantization", "-q"),
		ignoredString("model weight format", "--load-format"),
		ignoredString("generation config source", "--generation-config"),
		intFlag("maximum number of log probabilities (accepted, no effect in the simulator)", 0, nil, "--max-logprobs"),
	}
}

// sglangFlagSpecs lists the `python3 -m sglang.launch_server` flags the
// simulator accepts, with the names and value types of SGLang's ServerArgs.
// SGLang's boolean flags have no --no- form.
func sglangFlagSpecs() []flagSpec {
	ignoredString := func(help string, names ...string) flagSpec {
		return stringFlag(help+" (accepted, no effect in the simulator)", func(c *Config) *string { return new(string) }, names...)
	}
	ignoredBool := func(help string, names ...string) flagSpec {
		return boolFlag(help+" (accepted, no effect in the simulator)", nil, names...)
	}

	return []flagSpec{
		stringFlag("model name or path (required)", func(c *Config) *string { return &c.Model }, "--model-path", "--model"),
		ignoredString("tokenizer name or path", "--tokenizer-path"),
		stringFlag("listen address (default 127.0.0.1)", func(c *Config) *string { return &c.Host }, "--host"),
		intFlag("listen port (default 30000)", 0, func(c *Config) *int { return &c.Port }, "--port"),
		{names: []string{"--served-model-name"}, kind: kindString, help: "model name accepted and reported by the API", set: func(c *Config, v string) error {
			c.ServedModelNames = []string{v}
			return nil
		}},
		floatFlag("fraction of GPU memory for weights and KV cache, from 0 to 1", func(c *Config) *float64 { return &c.MemoryFraction }, "--mem-fraction-static"),
		intFlag("maximum number of running requests (simulator default 256)", 1, func(c *Config) *int { return &c.MaxBatch }, "--max-running-requests"),
		intFlag("KV cache size in tokens", 1, func(c *Config) *int { return &c.Sim.KVCacheTokens }, "--max-total-tokens"),
		intFlag("context length in tokens (simulator default 4096)", 1, func(c *Config) *int { return &c.MaxModelLen }, "--context-length"),
		choiceFlag("model data type", dtypeChoices, func(c *Config) *string { return &c.DType }, "--dtype"),
		intFlag("number of GPUs for tensor parallelism", 1, func(c *Config) *int { return &c.TensorParallelSize }, "--tp-size", "--tp", "--tensor-parallel-size"),
		intFlag("number of data parallel replicas (accepted, no effect in the simulator)", 1, nil, "--dp-size", "--dp", "--data-parallel-size"),
		boolFlag("trust remote code from Hugging Face", func(c *Config) *bool { return &c.TrustRemoteCode }, "--trust-remote-code"),
		int64Flag("sampling seed", func(c *Config) *int64 { return &c.Seed }, "--random-seed"),
		stringFlag("model revision (branch, tag or commit)", func(c *Config) *string { return &c.Revision }, "--revision"),
		stringFlag("model download directory", func(c *Config) *string { return &c.DownloadDir }, "--download-dir"),
		intFlag("prefill chunk size in tokens, -1 to disable (accepted, no effect in the simulator)", -1, nil, "--chunked-prefill-size"),
		intFlag("maximum prefill tokens per batch (accepted, no effect in the simulator)", 1, nil, "--max-prefill-tokens"),
		boolFlag("serve Prometheus metrics on /metrics", func(c *Config) *bool { return &c.MetricsEnabled }, "--enable-metrics"),
		choiceFlag("log level (accepted, no effect in the simulator)", []string{"debug", "info", "warning", "error", "critical"}, nil, "--log-level"),
		ignoredBool("log requests", "--log-requests"),
		ignoredBool("disable the prefix cache", "--disable-radix-cache"),
		ignoredBool("disable CUDA graphs", "--disable-cuda-graph"),
		ignoredBool("skip the warm-up request at start", "--skip-server-warmup"),
		ignoredBool("report cached tokens in usage", "--enable-cache-report"),
		ignoredString("KV cache data type", "--kv-cache-dtype"),
		ignoredString("weight quantization method", "--quantization"),
		ignoredString("scheduling policy", "--schedule-policy"),
		ignoredString("attention kernel backend", "--attention-backend"),
		ignoredString("model weight format", "--load-format"),
		stringFlag("API key required as a Bearer token on /v1", func(c *Config) *string { return &c.APIKey }, "--api-key"),
		floatFlag("watchdog timeout in seconds (accepted, no effect in the simulator)", nil, "--watchdog-timeout"),
	}
}

// parseHumanInt parses an integer with an optional k, m or g suffix:
// lowercase multiplies by powers of 1000, uppercase by powers of 1024, as
// vLLM's --max-model-len does.
func parseHumanInt(v string) (int, error) {
	if n, err := strconv.Atoi(v); err == nil {
		return n, nil
	}
	if len(v) < 2 {
		return 0, fmt.Errorf("invalid integer %q", v)
	}
	multipliers := map[byte]float64{'k': 1e3, 'm': 1e6, 'g': 1e9, 'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30}
	mult, ok := multipliers[v[len(v)-1]]
	if !ok {
		return 0, fmt.Errorf("invalid integer %q: use a number such as 4096, 4k or 4K", v)
	}
	f, err := strconv.ParseFloat(v[:len(v)-1], 64)
	if err != nil || f < 0 || f*mult > float64(1<<40) {
		return 0, fmt.Errorf("invalid integer %q: use a number such as 4096, 4k or 4K", v)
	}
	return int(f * mult), nil
}
