//go:build gpu

package container_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmbench/llmbench-action/internal/simimage"
	"github.com/llmbench/llmbench-action/pipeline/container"
)

// TestRealImages starts the real vLLM and SGLang images on a GPU host with
// the default matrix's models and streams a few requests to each. It needs
// the NVIDIA container toolkit and network access to Docker Hub and Hugging
// Face (or the images and models already present). Models are cached in
// LLMBENCH_HF_CACHE, else in ~/.cache/huggingface; HF_TOKEN is passed on when
// set.
func TestRealImages(t *testing.T) {
	simimage.RequireDocker(t)

	cacheDir := os.Getenv("LLMBENCH_HF_CACHE")
	if cacheDir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			t.Fatal(err)
		}
		cacheDir = filepath.Join(home, ".cache", "huggingface")
	}
	models := []string{"facebook/opt-125m", "Qwen/Qwen2-1.5B", "microsoft/phi-2"}

	for _, framework := range container.FrameworkNames() {
		for _, model := range models {
			t.Run(framework+"/"+model[strings.Index(model, "/")+1:], func(t *testing.T) {
				run := runID(t)
				defer requireNoContainers(t, run)
				ctx, cancel := context.WithTimeout(context.Background(), 45*time.Minute)
				defer cancel()

				srv, err := container.Start(ctx, container.Spec{
					Framework:  framework,
					Model:      model,
					GPUs:       "all",
					HFToken:    os.Getenv("HF_TOKEN"),
					HFCacheDir: cacheDir,
					RunID:      run,
					Log:        func(line string) { t.Log(line) },
				})
				if err != nil {
					t.Fatalf("Start: %v", err)
				}
				defer func() {
					if err := srv.Stop(context.Background()); err != nil {
						t.Errorf("Stop: %v", err)
					}
				}()
				t.Logf("%s ready at %s (image %s, digest %s)", srv.Framework, srv.BaseURL, srv.Image, srv.ImageDigest)

				const maxTokens = 64
				for i := range 3 {
					res, err := streamCompletion(ctx, srv.BaseURL, srv.ServedModelName, maxTokens, nil)
					if err != nil {
						t.Fatalf("request %d: %v", i, err)
					}
					if res.CompletionTokens != maxTokens {
						t.Errorf("request %d: usage.completion_tokens = %d, want %d (ignore_eos)", i, res.CompletionTokens, maxTokens)
					}
					if res.Chunks == 0 || !res.Done {
						t.Errorf("request %d: %d text events, [DONE] %v", i, res.Chunks, res.Done)
					}
				}
				if err := srv.Err(); err != nil {
					t.Errorf("server exited during the requests: %v", err)
				}
			})
		}
	}
}
