package sim

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseArgsVLLMRealCommandLines(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, c Config)
	}{
		{
			name: "positional model and defaults",
			args: []string{"facebook/opt-125m"},
			check: func(t *testing.T, c Config) {
				want := Config{Flavor: FlavorVLLM, Model: "facebook/opt-125m", Port: 8000, MaxModelLen: 4096, MaxBatch: 256,
					MemoryFraction: 0.9, DType: "auto", TensorParallelSize: 1, MetricsEnabled: true, Sim: SimConfig{KVCacheTokens: defaultKVCacheTokens}}
				if !reflect.DeepEqual(c, want) {
					t.Errorf("config = %+v, want %+v", c, want)
				}
			},
		},
		{
			name: "typical container command",
			args: []string{"Qwen/Qwen2-1.5B", "--host", "0.0.0.0", "--port", "8000", "--served-model-name", "qwen", "qwen2",
				"--max-model-len", "2048", "--gpu-memory-utilization", "0.85", "--max-num-seqs", "64", "--dtype", "bfloat16",
				"--tensor-parallel-size", "2", "--trust-remote-code", "--download-dir", "/models", "--revision", "main",
				"--seed", "7", "--disable-log-requests", "--enforce-eager", "--api-key", "k"},
			check: func(t *testing.T, c Config) {
				if c.Model != "Qwen/Qwen2-1.5B" || c.Host != "0.0.0.0" || c.Port != 8000 {
					t.Errorf("model, host, port = %q, %q, %d", c.Model, c.Host, c.Port)
				}
				if !reflect.DeepEqual(c.ServedModelNames, []string{"qwen", "qwen2"}) {
					t.Errorf("served names = %q, want [qwen qwen2]", c.ServedModelNames)
				}
				if c.MaxModelLen != 2048 || c.MemoryFraction != 0.85 || c.MaxBatch != 64 || c.DType != "bfloat16" {
					t.Errorf("max model len, memory, batch, dtype = %d, %g, %d, %q", c.MaxModelLen, c.MemoryFraction, c.MaxBatch, c.DType)
				}
				if c.TensorParallelSize != 2 || !c.TrustRemoteCode || c.DownloadDir != "/models" || c.Revision != "main" || c.Seed != 7 || c.APIKey != "k" {
					t.Errorf("tp, trust, dir, revision, seed, key = %d, %v, %q, %q, %d, %q", c.TensorParallelSize, c.TrustRemoteCode, c.DownloadDir, c.Revision, c.Seed, c.APIKey)
				}
			},
		},
		{
			name: "equals form, underscores, short alias, negation, human length",
			args: []string{"--model=m", "--port=9001", "--max_model_len", "4K", "-tp", "4", "--no-trust-remote-code", "--no-enable-prefix-caching"},
			check: func(t *testing.T, c Config) {
				if c.Model != "m" || c.Port != 9001 || c.MaxModelLen != 4096 || c.TensorParallelSize != 4 || c.TrustRemoteCode {
					t.Errorf("config = %+v", c)
				}
			},
		},
		{
			name: "simulator flags",
			args: []string{"m", "--sim-ttft", "50ms", "--sim-itl=10ms", "--sim-params-b", "2.7", "--sim-error-rate", "0.1",
				"--sim-inband-error-rate", "0.1", "--sim-stall-rate", "0.1", "--sim-disconnect-rate", "0.1", "--sim-seed", "-3",
				"--sim-startup-delay", "1s", "--sim-exit-after", "1m", "--sim-vocab-size", "50272"},
			check: func(t *testing.T, c Config) {
				want := SimConfig{TTFT: 50 * time.Millisecond, ITL: 10 * time.Millisecond, ParamsB: 2.7, ErrorRate: 0.1, InBandErrorRate: 0.1,
					StallRate: 0.1, DisconnectRate: 0.1, Seed: -3, StartupDelay: time.Second, ExitAfter: time.Minute,
					KVCacheTokens: defaultKVCacheTokens, VocabSize: 50272}
				if c.Sim != want {
					t.Errorf("sim = %+v, want %+v", c.Sim, want)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseArgs(FlavorVLLM, tt.args)
			if err != nil {
				t.Fatalf("ParseArgs(%q): %v", tt.args, err)
			}
			tt.check(t, c)
		})
	}
}

func TestParseArgsSGLangRealCommandLines(t *testing.T) {
	args := []string{"--model-path", "microsoft/phi-2", "--host", "0.0.0.0", "--port", "30001", "--served-model-name", "phi",
		"--mem-fraction-static", "0.8", "--max-running-requests", "32", "--context-length", "2048", "--dtype", "half",
		"--tp-size", "2", "--trust-remote-code", "--random-seed", "42", "--revision", "v1", "--download-dir", "/hf",
		"--enable-metrics", "--log-level", "warning", "--disable-radix-cache", "--chunked-prefill-size", "-1", "--max-total-tokens", "1000"}
	c, err := ParseArgs(FlavorSGLang, args)
	if err != nil {
		t.Fatalf("ParseArgs: %v", err)
	}
	if c.Model != "microsoft/phi-2" || c.Host != "0.0.0.0" || c.Port != 30001 || c.ServedName() != "phi" {
		t.Errorf("model, host, port, name = %q, %q, %d, %q", c.Model, c.Host, c.Port, c.ServedName())
	}
	if c.MemoryFraction != 0.8 || c.MaxBatch != 32 || c.MaxModelLen != 2048 || c.DType != "half" || c.TensorParallelSize != 2 {
		t.Errorf("memory, batch, context, dtype, tp = %g, %d, %d, %q, %d", c.MemoryFraction, c.MaxBatch, c.MaxModelLen, c.DType, c.TensorParallelSize)
	}
	if !c.TrustRemoteCode || c.Seed != 42 || c.Revision != "v1" || c.DownloadDir != "/hf" || !c.MetricsEnabled || c.Sim.KVCacheTokens != 1000 {
		t.Errorf("config = %+v", c)
	}

	defaults, err := ParseArgs(FlavorSGLang, []string{"--model-path", "m"})
	if err != nil {
		t.Fatalf("ParseArgs defaults: %v", err)
	}
	if defaults.Port != 30000 || defaults.Host != "127.0.0.1" || defaults.MetricsEnabled {
		t.Errorf("defaults port, host, metrics = %d, %q, %v, want 30000, 127.0.0.1, false", defaults.Port, defaults.Host, defaults.MetricsEnabled)
	}
}

func TestParseArgsRejects(t *testing.T) {
	tests := []struct {
		name   string
		flavor string
		args   []string
		want   string // a part of the error message
	}{
		{"vllm unknown flag", FlavorVLLM, []string{"m", "--max-batch", "4"}, "unknown flag --max-batch"},
		{"vllm sglang flag", FlavorVLLM, []string{"m", "--model-path", "x"}, "unknown flag --model-path"},
		{"sglang vllm flag", FlavorSGLang, []string{"--model-path", "m", "--max-num-seqs", "4"}, "unknown flag --max-num-seqs"},
		{"sglang underscore", FlavorSGLang, []string{"--model_path", "m"}, "unknown flag --model_path"},
		{"sglang negation", FlavorSGLang, []string{"--model-path", "m", "--no-trust-remote-code"}, "unknown flag --no-trust-remote-code"},
		{"vllm missing model", FlavorVLLM, []string{"--port", "8000"}, "missing model"},
		{"sglang missing model", FlavorSGLang, []string{"--port", "8000"}, "--model-path"},
		{"sglang positional", FlavorSGLang, []string{"--model-path", "m", "extra"}, `unexpected argument "extra"`},
		{"vllm two positionals", FlavorVLLM, []string{"a", "b"}, `unexpected argument "b"`},
		{"vllm model twice", FlavorVLLM, []string{"a", "--model", "b"}, "model given twice"},
		{"bad int", FlavorVLLM, []string{"m", "--port", "eighty"}, `flag --port: invalid integer "eighty"`},
		{"port range", FlavorVLLM, []string{"m", "--port", "70000"}, "invalid port 70000"},
		{"bad float", FlavorVLLM, []string{"m", "--gpu-memory-utilization", "lots"}, `invalid number "lots"`},
		{"memory above one", FlavorVLLM, []string{"m", "--gpu-memory-utilization", "1.5"}, "invalid memory fraction 1.5"},
		{"bad dtype", FlavorVLLM, []string{"m", "--dtype", "int3"}, `invalid choice "int3"`},
		{"missing value", FlavorVLLM, []string{"m", "--port"}, "flag --port needs a value"},
		{"flag as value", FlavorVLLM, []string{"m", "--host", "--port", "1"}, "flag --host needs a value"},
		{"bool with value", FlavorVLLM, []string{"m", "--enforce-eager=true"}, "flag --enforce-eager takes no value"},
		{"zero batch", FlavorSGLang, []string{"--model-path", "m", "--max-running-requests", "0"}, "must be at least 1"},
		{"bad duration", FlavorVLLM, []string{"m", "--sim-ttft", "50"}, "use a Go duration"},
		{"negative duration", FlavorVLLM, []string{"m", "--sim-itl=-1ms"}, "must not be negative"},
		{"negative duration apart", FlavorVLLM, []string{"m", "--sim-itl", "-1ms"}, "invalid --sim-itl -1ms: must not be negative"},
		{"negative fraction apart", FlavorVLLM, []string{"m", "--sim-startup-delay", "-.5s"}, "invalid --sim-startup-delay -500ms: must not be negative"},
		{"negative size apart", FlavorVLLM, []string{"m", "--max-model-len", "-4k"}, `flag --max-model-len: invalid integer "-4k"`},
		{"negative rate apart", FlavorSGLang, []string{"--model-path", "m", "--sim-stall-rate", "-0.1"}, "invalid --sim-stall-rate -0.1"},
		{"short flag as value", FlavorVLLM, []string{"m", "--host", "-tp", "2"}, "flag --host needs a value"},
		{"dash as value", FlavorVLLM, []string{"m", "--sim-ttft", "-ms"}, "flag --sim-ttft needs a value"},
		{"rate above one", FlavorVLLM, []string{"m", "--sim-error-rate", "2"}, "invalid --sim-error-rate 2"},
		{"rates sum above one", FlavorVLLM, []string{"m", "--sim-error-rate", "0.6", "--sim-stall-rate", "0.6"}, "sum to 1.2"},
		{"bad human length", FlavorVLLM, []string{"m", "--max-model-len", "4x"}, `invalid integer "4x"`},
		{"unknown flavor", "tgi", []string{"m"}, `invalid flavor "tgi"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseArgs(tt.flavor, tt.args)
			if err == nil {
				t.Fatalf("ParseArgs(%s, %q) succeeded, want an error containing %q", tt.flavor, tt.args, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseArgsHelp(t *testing.T) {
	for _, flavor := range []string{FlavorVLLM, FlavorSGLang} {
		_, err := ParseArgs(flavor, []string{"--help"})
		if !errors.Is(err, ErrHelp) {
			t.Errorf("%s --help: error = %v, want ErrHelp", flavor, err)
		}
		usage := Usage(flavor)
		for _, flag := range []string{"--port", "--sim-ttft", "--served-model-name"} {
			if !strings.Contains(usage, flag) {
				t.Errorf("%s usage does not list %s", flavor, flag)
			}
		}
	}
}

func TestParseArgsEnvironment(t *testing.T) {
	env := map[string]string{"LLMBENCH_SIM_TTFT": "40ms", "LLMBENCH_SIM_ITL": "5ms", "LLMBENCH_SIM_ERROR_RATE": "0.25"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }

	c, err := ParseArgsEnv(FlavorSGLang, []string{"--model-path", "m", "--sim-itl", "7ms"}, lookup)
	if err != nil {
		t.Fatalf("ParseArgsEnv: %v", err)
	}
	if c.Sim.TTFT != 40*time.Millisecond {
		t.Errorf("TTFT = %v, want 40ms from the environment", c.Sim.TTFT)
	}
	if c.Sim.ITL != 7*time.Millisecond {
		t.Errorf("ITL = %v, want 7ms: the flag overrides the environment", c.Sim.ITL)
	}
	if c.Sim.ErrorRate != 0.25 {
		t.Errorf("error rate = %g, want 0.25", c.Sim.ErrorRate)
	}

	env["LLMBENCH_SIM_STALL_RATE"] = "often"
	_, err = ParseArgsEnv(FlavorSGLang, []string{"--model-path", "m"}, lookup)
	if err == nil || !strings.Contains(err.Error(), "LLMBENCH_SIM_STALL_RATE") {
		t.Errorf("error = %v, want one naming LLMBENCH_SIM_STALL_RATE", err)
	}
}

func TestParamsBFromModelName(t *testing.T) {
	tests := map[string]float64{
		"facebook/opt-125m":                0.125,
		"Qwen/Qwen2-1.5B":                  1.5,
		"microsoft/phi-2":                  1,
		"meta-llama/Llama-3.1-8B-Instruct": 8,
	}
	for model, want := range tests {
		c := Config{Model: model}
		if got := c.paramsB(); got != want {
			t.Errorf("paramsB(%q) = %g, want %g", model, got, want)
		}
	}
	c := Config{Model: "facebook/opt-125m", Sim: SimConfig{ParamsB: 2.7}}
	if got := c.paramsB(); got != 2.7 {
		t.Errorf("paramsB with --sim-params-b 2.7 = %g, want 2.7", got)
	}
}

func TestFlavorFromArgv(t *testing.T) {
	tests := []struct {
		argv   []string
		flavor string
		args   []string
		ok     bool
	}{
		{[]string{"/usr/local/bin/vllm", "serve", "m", "--port", "1"}, FlavorVLLM, []string{"m", "--port", "1"}, true},
		{[]string{"python3", "-m", "sglang.launch_server", "--model-path", "m"}, FlavorSGLang, []string{"--model-path", "m"}, true},
		{[]string{"/usr/bin/python", "-m", "sglang.launch_server"}, FlavorSGLang, []string{}, true},
		{[]string{"vllm", "bench"}, "", nil, false},
		{[]string{"python3", "-m", "vllm.entrypoints.openai.api_server"}, "", nil, false},
		{[]string{"llmbench", "sim"}, "", nil, false},
		{[]string{"vllm"}, "", nil, false},
	}
	for _, tt := range tests {
		flavor, args, ok := flavorFromArgv(tt.argv)
		if ok != tt.ok || flavor != tt.flavor || (ok && !reflect.DeepEqual(args, tt.args)) {
			t.Errorf("flavorFromArgv(%q) = %q, %q, %v, want %q, %q, %v", tt.argv, flavor, args, ok, tt.flavor, tt.args, tt.ok)
		}
	}
}
