package container

import (
	"slices"
	"testing"
)

func TestFrameworkCommand(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		want []string
	}{
		{
			name: "vllm defaults",
			spec: Spec{Framework: VLLM, Model: "facebook/opt-125m"},
			want: []string{"vllm", "serve", "facebook/opt-125m",
				"--served-model-name", "facebook/opt-125m",
				"--host", "0.0.0.0", "--port", "8000",
				"--max-model-len", "2048", "--gpu-memory-utilization", "0.9", "--dtype", "auto"},
		},
		{
			name: "vllm revision and extra args",
			spec: Spec{Framework: VLLM, Model: "Qwen/Qwen2-1.5B", ServedModelName: "qwen", Revision: "main",
				MaxModelLen: 4096, MemoryFraction: 0.5, DType: "half", Args: []string{"--enforce-eager"}},
			want: []string{"vllm", "serve", "Qwen/Qwen2-1.5B",
				"--served-model-name", "qwen",
				"--host", "0.0.0.0", "--port", "8000", "--revision", "main",
				"--max-model-len", "4096", "--gpu-memory-utilization", "0.5", "--dtype", "half",
				"--enforce-eager"},
		},
		{
			name: "sglang defaults",
			spec: Spec{Framework: SGLang, Model: "microsoft/phi-2"},
			want: []string{"python3", "-m", "sglang.launch_server", "--model-path", "microsoft/phi-2",
				"--served-model-name", "microsoft/phi-2",
				"--host", "0.0.0.0", "--port", "30000",
				"--context-length", "2048", "--mem-fraction-static", "0.85", "--dtype", "auto", "--enable-metrics"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := LookupFramework(tt.spec.Framework)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Command(tt.spec); !slices.Equal(got, tt.want) {
				t.Errorf("Command =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestFrameworkDefinitions(t *testing.T) {
	for _, name := range FrameworkNames() {
		f, err := LookupFramework(name)
		if err != nil {
			t.Fatal(err)
		}
		if f.Image == "" || len(f.Entrypoint) == 0 || f.Port == 0 || f.HealthPath == "" || f.ModelsPath == "" {
			t.Errorf("%s: incomplete definition %+v", name, f)
		}
	}
	if _, err := LookupFramework("tgi"); err == nil {
		t.Error(`LookupFramework("tgi") succeeded, want an error`)
	}
}

func TestSpecSecretsAndEnv(t *testing.T) {
	spec := Spec{
		HFToken: "hf_abc",
		Env:     map[string]string{"MY_API_KEY": "k1", "PLAIN": "visible"},
	}
	env := spec.env()
	if env["HF_TOKEN"] != "hf_abc" || env["HUGGING_FACE_HUB_TOKEN"] != "hf_abc" {
		t.Errorf("env = %v, want both token variables", env)
	}
	secrets := spec.secrets()
	slices.Sort(secrets)
	if want := []string{"hf_abc", "k1"}; !slices.Equal(secrets, want) {
		t.Errorf("secrets = %q, want %q", secrets, want)
	}
}
