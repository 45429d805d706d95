//go:build gpu

package runner_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/llmbench/llmbench-action/internal/simimage"
	"github.com/llmbench/llmbench-action/pipeline/matrix"
	"github.com/llmbench/llmbench-action/pipeline/runner"
)

// TestMatrix runs the default matrix (facebook/opt-125m, Qwen/Qwen2-1.5B,
// microsoft/phi-2 × vllm, sglang × small, medium, large) against the real
// vLLM and SGLang images on this machine's GPUs, with every stage as a
// subtest. HF_TOKEN is passed to the containers; HF_HOME (default
// ~/.cache/huggingface) is the model cache; LLMBENCH_RESULTS_DIR keeps the
// results directory (default: a temporary one).
func TestMatrix(t *testing.T) {
	simimage.RequireDocker(t)

	out := os.Getenv("LLMBENCH_RESULTS_DIR")
	if out == "" {
		out = t.TempDir()
	}
	cache := os.Getenv("HF_HOME")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			t.Fatal(err)
		}
		cache = home + "/.cache/huggingface"
	}
	opts := runner.Options{
		Matrix:         matrix.Default(),
		Target:         runner.TargetContainer,
		OutDir:         out,
		HFToken:        os.Getenv("HF_TOKEN"),
		HFCacheDir:     cache,
		GPUs:           "all",
		StartupTimeout: 30 * time.Minute,
		RunID:          "gpu-test",
		Tokenizer:      "gpt2",
	}
	outcome, events, err := runWithSubtests(t, context.Background(), opts)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if outcome.Failed {
		t.Errorf("run reported failed cells")
	}
	if n := countStages(events, "/start", "pass"); n != 6 {
		t.Errorf("%d server starts passed, want 6", n)
	}
	checkDefaultMatrixResults(t, out, 0, 0)
	checkNoContainersLeft(t, opts)
	t.Logf("results: %s", out)
}
