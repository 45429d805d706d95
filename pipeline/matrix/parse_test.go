package matrix

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLoadExample(t *testing.T) {
	path := filepath.Join("testdata", "example.yaml")
	m, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}

	vllm := m.Frameworks[0]
	if vllm.Image != "vllm/vllm-openai:v0.8.5" || !slices.Equal(vllm.Args, []string{"--max-model-len", "2048"}) {
		t.Errorf("vllm image, args = %q, %q", vllm.Image, vllm.Args)
	}
	if vllm.Env["VLLM_LOGGING_LEVEL"] != "INFO" || vllm.GPUs != "all" || vllm.ShmSizeBytes != 8<<30 {
		t.Errorf("vllm env, gpus, shm = %v, %q, %d", vllm.Env, vllm.GPUs, vllm.ShmSizeBytes)
	}
	if sglang := m.Frameworks[1]; sglang.GPUs != "device=0,1" || sglang.Image != "" {
		t.Errorf("sglang gpus, image = %q, %q; want device=0,1 and the default image", sglang.GPUs, sglang.Image)
	}

	wantModels := []Model{
		{ID: "facebook/opt-125m", Params: 125e6, Revision: "main"},
		{ID: "Qwen/Qwen2-1.5B", Params: 1.5e9},
		{ID: "microsoft/phi-2", Params: 2.7e9},
	}
	for i, want := range wantModels {
		got := m.Models[i]
		if got.ID != want.ID || got.Params != want.Params || got.Revision != want.Revision {
			t.Errorf("model %d = %+v, want %+v", i, got, want)
		}
	}

	cells := m.Cells()
	if len(cells) != 2*3*4-1 {
		t.Errorf("got %d cells, want 23", len(cells))
	}
	if _, err := m.Cell("sglang/phi-2/large"); err == nil {
		t.Error("excluded cell sglang/phi-2/large is listed")
	}
	vllmLarge, err := m.Cell("vllm/opt-125m/large")
	if err != nil {
		t.Fatal(err)
	}
	if w := vllmLarge.Workload; w.Concurrency != 16 || w.MaxTokens != 512 || w.Timeout != 3*time.Minute || w.NumRequests != 100 {
		t.Errorf("overridden vllm large workload = %+v", w)
	}
	sglangLarge, err := m.Cell("sglang/opt-125m/large")
	if err != nil {
		t.Fatal(err)
	}
	if sglangLarge.Workload.MaxTokens != 256 {
		t.Errorf("sglang large max tokens = %d, want 256 (the override is for vllm)", sglangLarge.Workload.MaxTokens)
	}
	burst, err := m.Cell("vllm/phi-2/burst")
	if err != nil {
		t.Fatal(err)
	}
	if burst.Workload.NumRequests != 20 || !math.IsInf(burst.Workload.RequestRate, 1) {
		t.Errorf("burst workload = %+v, want 20 requests at rate inf", burst.Workload)
	}

	if m.PricePerHourUSD != 1.006 || m.Instance != "" {
		t.Errorf("price, instance = %v, %q", m.PricePerHourUSD, m.Instance)
	}
	if m.SLO.TTFT != 200*time.Millisecond || m.SLO.TPOT != 50*time.Millisecond || m.SLO.E2E != 10*time.Second {
		t.Errorf("SLO = %+v", m.SLO)
	}

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if m.Source != path || m.Hash != hex.EncodeToString(sum[:]) {
		t.Errorf("Source, Hash = %q, %q", m.Source, m.Hash)
	}
}

func TestParseOmittedSectionsTakeDefaults(t *testing.T) {
	m, err := Parse([]byte("models: [gpt2]\n"), "m.yaml")
	if err != nil {
		t.Fatal(err)
	}

	got := cellIDs(m.Cells())

	want := []string{"vllm/gpt2/small", "vllm/gpt2/medium", "vllm/gpt2/large", "sglang/gpt2/small", "sglang/gpt2/medium", "sglang/gpt2/large"}
	if !slices.Equal(got, want) {
		t.Errorf("cells = %v, want %v", got, want)
	}
	if m.Models[0].Params != 0 {
		t.Errorf("params of an unknown model = %v, want 0 (unknown)", m.Models[0].Params)
	}
}

func TestParseInstancePrice(t *testing.T) {
	m, err := Parse([]byte("instance: g5.xlarge\n"), "m.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if m.Instance != "g5.xlarge" || m.PricePerHourUSD != 1.006 {
		t.Errorf("instance, price = %q, %v; want g5.xlarge, 1.006", m.Instance, m.PricePerHourUSD)
	}
}

func TestParseFields(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		check func(t *testing.T, m Matrix)
	}{
		{
			name: "gpu count",
			yaml: "frameworks: [{name: vllm, gpus: 2}]\n",
			check: func(t *testing.T, m Matrix) {
				if m.Frameworks[0].GPUs != "2" {
					t.Errorf("gpus = %q, want 2", m.Frameworks[0].GPUs)
				}
			},
		},
		{
			name: "gpu device string",
			yaml: "frameworks: [{name: vllm, gpus: \"device=1\"}]\n",
			check: func(t *testing.T, m Matrix) {
				if m.Frameworks[0].GPUs != "device=1" {
					t.Errorf("gpus = %q, want device=1", m.Frameworks[0].GPUs)
				}
			},
		},
		{
			name: "no gpu",
			yaml: "frameworks: [{name: sglang, gpus: none}]\n",
			check: func(t *testing.T, m Matrix) {
				if m.Frameworks[0].GPUs != "none" {
					t.Errorf("gpus = %q, want none", m.Frameworks[0].GPUs)
				}
			},
		},
		{
			name: "numeric params and revision",
			yaml: "models: [{id: org/m, params: 7000000000, revision: 1234}]\n",
			check: func(t *testing.T, m Matrix) {
				if m.Models[0].Params != 7e9 || m.Models[0].Revision != "1234" {
					t.Errorf("model = %+v", m.Models[0])
				}
			},
		},
		{
			name: "override every cell",
			yaml: "overrides:\n  - set: {warmup_requests: 0, request_rate: 4.5, arrival: gamma, burstiness: 0.5}\n",
			check: func(t *testing.T, m Matrix) {
				for _, c := range m.Cells() {
					w := c.Workload
					if w.WarmupRequests != 0 || w.RequestRate != 4.5 || w.Arrival != "gamma" || w.Burstiness != 0.5 {
						t.Fatalf("%s workload = %+v", c.ID, w)
					}
				}
			},
		},
		{
			name: "later override wins",
			yaml: "overrides:\n  - set: {max_tokens: 10}\n  - match: {model: opt-125m}\n    set: {max_tokens: 20}\n",
			check: func(t *testing.T, m Matrix) {
				for _, c := range m.Cells() {
					want := 10
					if c.Model.ID == "facebook/opt-125m" {
						want = 20
					}
					if c.Workload.MaxTokens != want {
						t.Errorf("%s max tokens = %d, want %d", c.ID, c.Workload.MaxTokens, want)
					}
				}
			},
		},
		{
			name: "exclude by short model name",
			yaml: "exclude: [{model: phi-2}]\n",
			check: func(t *testing.T, m Matrix) {
				if n := len(m.Cells()); n != 12 {
					t.Errorf("got %d cells, want 12", n)
				}
			},
		},
		{
			name: "args near reserved flags",
			yaml: "frameworks:\n  - name: vllm\n    args: [--max-model-len, \"2048\", --hostname-override=x, --port-range, \"1\", --models-dir, -p, \"--\"]\nmodels:\n  - id: org/m\n    args: [--model-impl=transformers, --served-model-names]\n",
			check: func(t *testing.T, m Matrix) {
				wantFramework := []string{"--max-model-len", "2048", "--hostname-override=x", "--port-range", "1", "--models-dir", "-p", "--"}
				if !slices.Equal(m.Frameworks[0].Args, wantFramework) {
					t.Errorf("framework args = %q, want %q", m.Frameworks[0].Args, wantFramework)
				}
				wantModel := []string{"--model-impl=transformers", "--served-model-names"}
				if !slices.Equal(m.Models[0].Args, wantModel) {
					t.Errorf("model args = %q, want %q", m.Models[0].Args, wantModel)
				}
			},
		},
		{
			name: "anchors and aliases",
			yaml: "frameworks:\n  - &v {name: vllm, args: &a [--x]}\n  - {name: sglang, args: *a}\n",
			check: func(t *testing.T, m Matrix) {
				if !slices.Equal(m.Frameworks[1].Args, []string{"--x"}) {
					t.Errorf("sglang args = %q, want [--x]", m.Frameworks[1].Args)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse([]byte(tt.yaml), "m.yaml")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tt.check(t, m)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{
			name: "duplicate model",
			yaml: `models:
  - id: facebook/opt-125m
    params: 125M
  - id: Qwen/Qwen2-1.5B
  - id: facebook/opt-125m
`,
			want: `matrix.yaml:5: models[2].id: duplicate model "facebook/opt-125m" (first at line 2)`,
		},
		{
			name: "duplicate bare model",
			yaml: "models:\n  - gpt2\n  - gpt2\n",
			want: `matrix.yaml:3: models[1]: duplicate model "gpt2" (first at line 2)`,
		},
		{
			name: "duplicate model in another case",
			yaml: "models:\n  - facebook/opt-125m\n  - Facebook/OPT-125m\n",
			want: `matrix.yaml:3: models[1]: duplicate model "Facebook/OPT-125m" (first at line 2)`,
		},
		{
			name: "unknown framework",
			yaml: "frameworks:\n  - name: tgi\n",
			want: `matrix.yaml:2: frameworks[0].name: unknown framework "tgi"; known frameworks are vllm, sglang`,
		},
		{
			name: "duplicate framework",
			yaml: "frameworks:\n  - vllm\n  - name: vllm\n    args: [--x]\n",
			want: `matrix.yaml:3: frameworks[1].name: duplicate framework "vllm" (first at line 2)`,
		},
		{
			name: "framework without name",
			yaml: "frameworks:\n  - image: x\n",
			want: `matrix.yaml:2: frameworks[0].name: missing; name one of vllm, sglang`,
		},
		{
			name: "unknown top field",
			yaml: "frameworks: [vllm]\nmodel: [gpt2]\n",
			want: `matrix.yaml:2: model: unknown field; known fields are frameworks, models, workloads, exclude, overrides, price_per_hour, instance, slo`,
		},
		{
			name: "unknown nested field",
			yaml: "models:\n  - id: gpt2\n    parameters: 124M\n",
			want: `matrix.yaml:3: models[0].parameters: unknown field; known fields are id, params, revision, args`,
		},
		{
			name: "field given twice",
			yaml: "models: [gpt2]\nmodels: [opt]\n",
			want: `matrix.yaml:2: models: given twice (first at line 1)`,
		},
		{
			name: "empty frameworks",
			yaml: "frameworks: []\n",
			want: `matrix.yaml:1: frameworks: empty list; name at least one of vllm, sglang, or leave frameworks out to run all of them`,
		},
		{
			name: "empty models",
			yaml: "models: []\n",
			want: `matrix.yaml:1: models: empty list; name at least one model, or leave models out to run the default models`,
		},
		{
			name: "empty workloads",
			yaml: "workloads: []\n",
			want: `matrix.yaml:1: workloads: empty list; name at least one of large, medium, small or a workload file, or leave workloads out to run small, medium, large`,
		},
		{
			name: "empty file",
			yaml: "",
			want: `matrix.yaml: the file is empty; list frameworks, models and workloads, or leave out --matrix to run the default matrix`,
		},
		{
			name: "comments only",
			yaml: "# nothing here\n",
			want: `matrix.yaml: the file is empty; list frameworks, models and workloads, or leave out --matrix to run the default matrix`,
		},
		{
			name: "not a mapping",
			yaml: "- vllm\n",
			want: `matrix.yaml:1: must be a mapping with the fields frameworks, models, workloads, exclude, overrides, price_per_hour, instance, slo, got a list`,
		},
		{
			name: "invalid yaml",
			yaml: "models: [gpt2\nframeworks: x\n",
			want: `matrix.yaml:1: invalid YAML: did not find expected ',' or ']'`,
		},
		{
			name: "everything excluded",
			yaml: "frameworks: [vllm]\nexclude:\n  - {framework: vllm, workload: small}\n  - {framework: vllm}\n",
			want: `matrix.yaml:4: exclude: every cell of the matrix is excluded`,
		},
		{
			name: "missing workload file",
			yaml: "workloads:\n  - small\n  - ./workloads/nope.json\n",
			want: `matrix.yaml:3: workloads[1]: workload "./workloads/nope.json" is not built in (large, medium, small) and the file workloads/nope.json does not exist`,
		},
		{
			name: "invalid workload file",
			yaml: "workloads:\n  - testdata/workloads/bad.json\n",
			want: `matrix.yaml:2: workloads[0]: workload file testdata/workloads/bad.json: field "max_tokens": must be > 0, got -3`,
		},
		{
			name: "duplicate workload",
			yaml: "workloads: [small, medium, small]\n",
			want: `matrix.yaml:1: workloads[2]: duplicate workload "small" (first at line 1)`,
		},
		{
			name: "bad params",
			yaml: "models:\n  - id: org/m\n    params: 12Q\n",
			want: `matrix.yaml:3: models[0].params: invalid parameter count "12Q": use a number > 0, or one with a suffix K, M, B or T such as 125M or 1.5B`,
		},
		{
			name: "negative params",
			yaml: "models:\n  - id: org/m\n    params: -5\n",
			want: `matrix.yaml:3: models[0].params: invalid parameter count "-5": use a number > 0, or one with a suffix K, M, B or T such as 125M or 1.5B`,
		},
		{
			name: "invalid model id",
			yaml: "models:\n  - id: \"org/my model\"\n",
			want: `matrix.yaml:2: models[0].id: invalid model id "org/my model": use a Hugging Face id such as facebook/opt-125m (letters, digits, '.', '_', '-' and '/')`,
		},
		{
			name: "model without id",
			yaml: "models:\n  - params: 1B\n",
			want: `matrix.yaml:2: models[0].id: missing; give the model's Hugging Face id, such as facebook/opt-125m`,
		},
		{
			name: "exclude names unknown framework",
			yaml: "frameworks: [vllm]\nexclude:\n  - framework: sglang\n",
			want: `matrix.yaml:3: exclude[0].framework: no framework "sglang" in this matrix; its frameworks are vllm`,
		},
		{
			name: "exclude names unknown model",
			yaml: "exclude:\n  - {model: meta-llama/Llama-3-8B}\n",
			want: `matrix.yaml:2: exclude[0].model: no model "meta-llama/Llama-3-8B" in this matrix; its models are facebook/opt-125m, Qwen/Qwen2-1.5B, microsoft/phi-2`,
		},
		{
			name: "exclude names unknown workload",
			yaml: "exclude:\n  - {workload: huge}\n",
			want: `matrix.yaml:2: exclude[0].workload: no workload "huge" in this matrix; its workloads are small, medium, large`,
		},
		{
			name: "empty exclude",
			yaml: "exclude:\n  - {}\n",
			want: `matrix.yaml:2: exclude[0]: excludes every cell; give a framework, a model or a workload`,
		},
		{
			name: "override matches only excluded cells",
			yaml: "exclude:\n  - {framework: sglang}\noverrides:\n  - match: {framework: sglang, workload: large}\n    set: {max_tokens: 10}\n",
			want: `matrix.yaml:4: overrides[0]: matches only excluded cells`,
		},
		{
			name: "override invalid value",
			yaml: "overrides:\n  - match: {workload: large}\n    set:\n      concurrency: 4\n      max_tokens: -3\n",
			want: `matrix.yaml:5: overrides[0].set.max_tokens: must be > 0, got -3 (in cell vllm/opt-125m/large)`,
		},
		{
			name: "override unknown field",
			yaml: "overrides:\n  - set: {max_token: 10}\n",
			want: `matrix.yaml:2: overrides[0].set.max_token: unknown field; known fields are num_requests, max_tokens, concurrency, request_rate, arrival, burstiness, input_len, dataset, endpoint, ignore_eos, temperature, warmup_requests, timeout, seed`,
		},
		{
			name: "override wrong type",
			yaml: "overrides:\n  - set: {max_tokens: lots}\n",
			want: `matrix.yaml:2: overrides[0].set.max_tokens: must be an integer, got "lots"`,
		},
		{
			name: "override bad timeout",
			yaml: "overrides:\n  - set: {timeout: 5}\n",
			want: `matrix.yaml:2: overrides[0].set.timeout: must be a positive duration such as "200ms", "10s" or "2m", got "5"`,
		},
		{
			name: "override bad rate",
			yaml: "overrides:\n  - set: {request_rate: fast}\n",
			want: `matrix.yaml:2: overrides[0].set.request_rate: must be a number of requests per second > 0 or "inf", got "fast"`,
		},
		{
			name: "override without set",
			yaml: "overrides:\n  - match: {workload: small}\n",
			want: `matrix.yaml:2: overrides[0].set: missing; give the workload fields to change, such as {max_tokens: 512}`,
		},
		{
			name: "override combination invalid",
			yaml: "overrides:\n  - match: {workload: small}\n    set: {endpoint: chat}\n",
			want: `matrix.yaml:3: overrides[0].set: in cell vllm/opt-125m/small: invalid workload "small": field "dataset": random token-id prompts need the completions endpoint; set endpoint to "completions" or dataset to "builtin"`,
		},
		{
			name: "price and instance",
			yaml: "price_per_hour: 1.0\ninstance: g5.xlarge\n",
			want: `matrix.yaml:2: instance: price_per_hour and instance are both set (price_per_hour at line 1); keep one`,
		},
		{
			name: "unknown instance",
			yaml: "instance: p9.huge\n",
			want: `matrix.yaml:1: instance: no built-in price for instance type "p9.huge"; known types are Standard_NC24ads_A100_v4, a2-highgpu-1g, g2-standard-4, g4dn.xlarge, g5.2xlarge, g5.xlarge, g6.xlarge, or set price_per_hour`,
		},
		{
			name: "negative price",
			yaml: "price_per_hour: -1\n",
			want: `matrix.yaml:1: price_per_hour: must be > 0 US dollars per hour, got -1`,
		},
		{
			name: "price as text",
			yaml: "price_per_hour: \"$1\"\n",
			want: `matrix.yaml:1: price_per_hour: must be a finite number, got "$1"`,
		},
		{
			name: "bad slo",
			yaml: "slo:\n  ttft: 200\n",
			want: `matrix.yaml:2: slo.ttft: must be a positive duration such as "200ms", "10s" or "2m", got "200"`,
		},
		{
			name: "unknown slo",
			yaml: "slo: {itl: 5ms}\n",
			want: `matrix.yaml:1: slo.itl: unknown field; known fields are ttft, tpot, e2e`,
		},
		{
			name: "secret in env",
			yaml: "frameworks:\n  - name: vllm\n    env:\n      HF_TOKEN: hf_abc\n",
			want: `matrix.yaml:4: frameworks[0].env.HF_TOKEN: secrets do not belong in the matrix file; set HF_TOKEN in llmbench's own environment (for example from a GitHub secret)`,
		},
		{
			name: "bad gpus",
			yaml: "frameworks:\n  - name: vllm\n    gpus: some\n",
			want: `matrix.yaml:3: frameworks[0].gpus: invalid GPUs "some"; use all, none, a count such as 2, or device ids such as "0,1"`,
		},
		{
			name: "zero gpus",
			yaml: "frameworks:\n  - name: vllm\n    gpus: 0\n",
			want: `matrix.yaml:3: frameworks[0].gpus: invalid GPU count 0: must be between 1 and 64 (or none); use all, none, a count such as 2, or device ids such as "0,1"`,
		},
		{
			name: "bad shm size",
			yaml: "frameworks:\n  - name: vllm\n    shm_size: big\n",
			want: `matrix.yaml:3: frameworks[0].shm_size: invalid size "big": use a number of bytes or a size such as "8g" or "512m"`,
		},
		{
			name: "args not a list",
			yaml: "frameworks:\n  - name: vllm\n    args: --x\n",
			want: `matrix.yaml:3: frameworks[0].args: must be a list, got "--x"`,
		},
		{
			name: "framework args set port",
			yaml: "frameworks:\n  - name: vllm\n    args:\n      - --max-model-len\n      - \"2048\"\n      - --port\n      - \"9999\"\n",
			want: `matrix.yaml:6: frameworks[0].args[2]: "--port" is set by llmbench (the container's port is fixed per framework); remove it`,
		},
		{
			name: "model args set port",
			yaml: "models:\n  - gpt2\n  - id: org/m\n    params: 1B\n    revision: main\n    args:\n      - --port\n      - \"9999\"\n",
			want: `matrix.yaml:7: models[1].args[0]: "--port" is set by llmbench (the container's port is fixed per framework); remove it`,
		},
		{
			name: "model args set port with equals",
			yaml: "models:\n  - id: org/m\n    args: [--enforce-eager, --port=9999]\n",
			want: `matrix.yaml:3: models[0].args[1]: "--port=9999": --port is set by llmbench (the container's port is fixed per framework); remove it`,
		},
		{
			name: "framework args set host",
			yaml: "frameworks:\n  - name: sglang\n    args: [--host, 127.0.0.1]\n",
			want: `matrix.yaml:3: frameworks[0].args[0]: "--host" is set by llmbench (the server listens on every interface of its container); remove it`,
		},
		{
			name: "framework args set host with equals",
			yaml: "frameworks:\n  - name: sglang\n    args: [--host=127.0.0.1]\n",
			want: `matrix.yaml:3: frameworks[0].args[0]: "--host=127.0.0.1": --host is set by llmbench (the server listens on every interface of its container); remove it`,
		},
		{
			name: "model args set model",
			yaml: "models:\n  - id: org/m\n    args: [--model, org/other]\n",
			want: `matrix.yaml:3: models[0].args[0]: "--model" is set by llmbench (the model comes from the models section); remove it`,
		},
		{
			name: "framework args set model path",
			yaml: "frameworks:\n  - name: sglang\n    args: [--model-path=org/other]\n",
			want: `matrix.yaml:3: frameworks[0].args[0]: "--model-path=org/other": --model-path is set by llmbench (the model comes from the models section); remove it`,
		},
		{
			name: "model args set served name",
			yaml: "models:\n  - id: org/m\n    args: [--served-model-name, m]\n",
			want: `matrix.yaml:3: models[0].args[0]: "--served-model-name" is set by llmbench (requests name the model by its id); remove it`,
		},
		{
			name: "args set served name with underscores",
			yaml: "frameworks:\n  - name: vllm\n    args: [--served_model_name=m]\n",
			want: `matrix.yaml:3: frameworks[0].args[0]: "--served_model_name=m": --served-model-name is set by llmbench (requests name the model by its id); remove it`,
		},
		{
			name: "args set port through alias",
			yaml: "frameworks:\n  - name: vllm\n    args: &a [--port, \"1\"]\n  - name: sglang\n    args: *a\n",
			want: `matrix.yaml:3: frameworks[0].args[0]: "--port" is set by llmbench (the container's port is fixed per framework); remove it`,
		},
		{
			name: "null image",
			yaml: "frameworks:\n  - name: vllm\n    image:\n",
			want: `matrix.yaml:3: frameworks[0].image: must be a string, got nothing`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "matrix.yaml")
			if err == nil {
				t.Fatalf("Parse succeeded, want error %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n got %s\nwant %s", err, tt.want)
			}
			var matrixErr *Error
			if !errors.As(err, &matrixErr) || matrixErr.File != "matrix.yaml" {
				t.Errorf("error %T does not unwrap to a *Error naming the file", err)
			}
		})
	}
}

func TestParseFileNameCollision(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "w.json"), []byte(`{"name": "opt_x", "num_requests": 1, "max_tokens": 1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	yaml := "frameworks: [vllm]\nmodels: [a/m_opt, a/m]\nworkloads: [x.json, w.json]\n"
	if err := os.WriteFile(filepath.Join(dir, "x.json"), []byte(`{"name": "x", "num_requests": 1, "max_tokens": 1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "matrix.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}

	_, err := Load(path)

	want := path + `: cells "vllm/m_opt/x" and "vllm/m/opt_x" both have the file name "vllm_m_opt_x"; rename a workload`
	if err == nil || err.Error() != want {
		t.Errorf("error:\n got %v\nwant %s", err, want)
	}
}

func TestParseWorkloadRelativeToMatrixFile(t *testing.T) {
	m, err := Parse([]byte("workloads: [small, workloads/burst.json]\n"), filepath.Join("testdata", "other.yaml"))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got := m.Workloads[1].Name; got != "burst" {
		t.Errorf("workload name = %q, want burst", got)
	}
}

func TestParseDatasetRelativeToMatrixFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	dataset := filepath.Join(dir, "data", "share.json")
	if err := os.WriteFile(dataset, []byte(`[]`), 0o600); err != nil {
		t.Fatal(err)
	}
	yaml := "overrides:\n  - set: {dataset: data/share.json, endpoint: chat}\n"

	m, err := Parse([]byte(yaml), filepath.Join(dir, "m.yaml"))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}

	if got := m.Cells()[0].Workload.Dataset; got != dataset {
		t.Errorf("dataset = %q, want %q", got, dataset)
	}
}

func TestParseMissingDataset(t *testing.T) {
	yaml := "overrides:\n  - set: {dataset: data/share.json, endpoint: chat}\n"

	_, err := Parse([]byte(yaml), filepath.Join("cfg", "m.yaml"))

	want := `cfg/m.yaml:2: overrides[0].set.dataset: the ShareGPT file cfg/data/share.json does not exist; the path is relative to the matrix file`
	if err == nil || err.Error() != want {
		t.Errorf("error:\n got %v\nwant %s", err, want)
	}
}

func TestParseBuiltinDatasetKept(t *testing.T) {
	m, err := Parse([]byte("overrides:\n  - set: {dataset: builtin, endpoint: chat}\n"), filepath.Join("cfg", "m.yaml"))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got := m.Cells()[0].Workload.Dataset; got != "builtin" {
		t.Errorf("dataset = %q, want builtin", got)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join("testdata", "nope.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error = %v, want one wrapping os.ErrNotExist", err)
	}
	if err != nil && !strings.Contains(err.Error(), "reading matrix file") {
		t.Errorf("error = %v, want it to say what was being done", err)
	}
}
