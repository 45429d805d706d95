package runner

import (
	"strings"
	"testing"
	"time"
)

func TestValidateRejectsBadOptions(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		opts Options
		want string
	}{
		{"unknown target", Options{Target: "simm", OutDir: dir}, `invalid target "simm"`},
		{"endpoint missing", Options{Target: TargetEndpoint, OutDir: dir}, "needs --endpoint URL"},
		{"endpoint without scheme", Options{Target: TargetEndpoint, Endpoint: "127.0.0.1:8000", OutDir: dir}, "want a base URL with scheme and host"},
		{"endpoint with query", Options{Target: TargetEndpoint, Endpoint: "http://127.0.0.1:8000/?api_key=k", OutDir: dir}, "has no query or fragment"},
		{"endpoint with fragment", Options{Target: TargetEndpoint, Endpoint: "http://127.0.0.1:8000/#k", OutDir: dir}, "has no query or fragment"},
		{"gpus without containers", Options{Target: TargetSim, GPUs: "all", OutDir: dir}, "applies to --target container only"},
		{"gpus invalid", Options{Target: TargetContainer, GPUs: "banana", OutDir: dir}, `invalid gpus "banana"`},
		{"negative latency", Options{Target: TargetSim, SimTTFT: -time.Millisecond, OutDir: dir}, "invalid simulator latency"},
		{"no results directory", Options{Target: TargetSim}, "missing results directory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.opts.Validate()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Validate() = %v, want an error containing %q", err, c.want)
			}
		})
	}
}

func TestValidateAcceptsGPUSelections(t *testing.T) {
	for _, gpus := range []string{"all", "none", "2", "0,1", "device=1", "GPU-3a5b7c9d"} {
		opts := Options{Target: TargetContainer, GPUs: gpus, OutDir: t.TempDir()}
		if err := opts.Validate(); err != nil {
			t.Errorf("Validate() with --gpus %q = %v, want nil", gpus, err)
		}
	}
}
