package container_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/container"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

const testToken = "hf_TESTTOKENabcdef0123456789"

// TestStartSimulator starts the simulator image through the vLLM and the
// SGLang code paths, with their real argument lists, and streams requests.
func TestStartSimulator(t *testing.T) {
	image := simImage(t)

	for _, framework := range container.FrameworkNames() {
		t.Run(framework, func(t *testing.T) {
			run := runID(t)
			logs := &logLines{t: t}
			cacheDir := t.TempDir()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()

			srv, err := container.Start(ctx, container.Spec{
				Framework:      framework,
				Model:          "facebook/opt-125m",
				Image:          image,
				GPUs:           "none",
				HFToken:        testToken,
				HFCacheDir:     cacheDir,
				StartupTimeout: time.Minute,
				RunID:          run,
				Labels:         map[string]string{"test": "start-simulator"},
				Log:            logs.add,
			})
			if err != nil {
				t.Fatalf("Start: %v", err)
			}
			defer requireNoContainers(t, run)
			defer srv.Stop(context.Background())

			checkMetadata(t, srv, framework, image)
			checkContainerConfig(t, srv, framework, cacheDir)

			const maxTokens = 16
			for i := range 3 {
				res, err := streamCompletion(ctx, srv.BaseURL, srv.ServedModelName, maxTokens, nil)
				if err != nil {
					t.Fatalf("request %d: %v", i, err)
				}
				if res.CompletionTokens != maxTokens {
					t.Errorf("request %d: usage.completion_tokens = %d, want %d", i, res.CompletionTokens, maxTokens)
				}
				if res.Chunks < 1 || res.Chunks > maxTokens {
					t.Errorf("request %d: %d text events, want 1..%d", i, res.Chunks, maxTokens)
				}
				if !res.Done {
					t.Errorf("request %d: stream ended without [DONE]", i)
				}
			}

			if err := srv.Err(); err != nil {
				t.Errorf("Err() while running = %v, want nil", err)
			}
			if err := srv.Stop(ctx); err != nil {
				t.Errorf("Stop: %v", err)
			}
			if err := srv.Stop(ctx); err != nil {
				t.Errorf("second Stop: %v", err)
			}
			select {
			case <-srv.Exited():
			default:
				t.Error("Exited() not closed after Stop")
			}
			if err := srv.Err(); err != nil {
				t.Errorf("Err() after Stop = %v, want nil", err)
			}

			lines := logs.all()
			if len(lines) == 0 {
				t.Error("no log lines reached Spec.Log")
			}
			for _, line := range lines {
				if strings.Contains(line, testToken) {
					t.Errorf("log line contains the token: %q", line)
				}
			}
		})
	}
}

func checkMetadata(t *testing.T, srv *container.Server, framework, image string) {
	t.Helper()
	if !strings.HasPrefix(srv.BaseURL, "http://") {
		t.Errorf("BaseURL = %q, want http://host:port", srv.BaseURL)
	}
	if srv.Framework != framework || srv.Model != "facebook/opt-125m" || srv.ServedModelName != "facebook/opt-125m" {
		t.Errorf("Framework, Model, ServedModelName = %q, %q, %q", srv.Framework, srv.Model, srv.ServedModelName)
	}
	if srv.Image != image {
		t.Errorf("Image = %q, want %q", srv.Image, image)
	}
	if !strings.HasPrefix(srv.ImageDigest, "sha256:") {
		t.Errorf("ImageDigest = %q, want sha256:...", srv.ImageDigest)
	}
	if srv.ContainerID == "" || srv.ContainerName == "" {
		t.Errorf("ContainerID, ContainerName = %q, %q, want both set", srv.ContainerID, srv.ContainerName)
	}
	f, err := container.LookupFramework(framework)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(srv.Command[:len(f.Entrypoint)], f.Entrypoint) {
		t.Errorf("Command = %q, want it to start with %q", srv.Command, f.Entrypoint)
	}
	if strings.Contains(strings.Join(srv.Command, " "), testToken) {
		t.Errorf("Command contains the token: %q", srv.Command)
	}
}

// checkContainerConfig inspects the running container: labels, token
// variables, the Hugging Face cache mount, shared memory and the loopback
// port binding.
func checkContainerConfig(t *testing.T, srv *container.Server, framework, cacheDir string) {
	t.Helper()
	cli, err := testcontainers.NewDockerClientWithOpts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	info, err := cli.ContainerInspect(context.Background(), srv.ContainerID, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatalf("inspecting the container: %v", err)
	}
	c := info.Container

	wantLabels := map[string]string{
		container.LabelManaged:   "true",
		container.LabelRunID:     srv.RunID,
		container.LabelFramework: framework,
		container.LabelModel:     "facebook/opt-125m",
		"test":                   "start-simulator",
	}
	for k, want := range wantLabels {
		if got := c.Config.Labels[k]; got != want {
			t.Errorf("label %s = %q, want %q", k, got, want)
		}
	}
	for _, name := range []string{"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"} {
		if !slices.Contains(c.Config.Env, name+"="+testToken) {
			t.Errorf("container environment lacks %s", name)
		}
	}
	var mounted bool
	for _, m := range c.Mounts {
		if m.Source == cacheDir && m.Destination == "/root/.cache/huggingface" {
			mounted = true
		}
	}
	if !mounted {
		t.Errorf("Hugging Face cache %s not mounted at /root/.cache/huggingface; mounts: %+v", cacheDir, c.Mounts)
	}
	f, _ := container.LookupFramework(framework)
	if c.HostConfig.ShmSize != f.ShmSize {
		t.Errorf("ShmSize = %d, want %d", c.HostConfig.ShmSize, f.ShmSize)
	}
	if len(c.HostConfig.DeviceRequests) != 0 {
		t.Errorf("DeviceRequests = %+v with gpus none, want none", c.HostConfig.DeviceRequests)
	}
	// Ports are published on the loopback interface only when
	// testcontainers-go reaches the engine there; an engine reached through
	// a gateway needs them on every interface.
	provider, err := testcontainers.NewDockerProvider()
	if err != nil {
		t.Fatal(err)
	}
	defer provider.Close()
	host, err := provider.DaemonHost(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	wantLoopback := host == "localhost" || host == "127.0.0.1"
	for port, bindings := range c.HostConfig.PortBindings {
		for _, b := range bindings {
			if b.HostIP.IsValid() && b.HostIP.IsLoopback() != wantLoopback {
				t.Errorf("port %s published on %s with the engine at %s, want loopback %v", port, b.HostIP, host, wantLoopback)
			}
			if !b.HostIP.IsValid() && wantLoopback {
				t.Errorf("port %s published on every interface with the engine at %s, want loopback", port, host)
			}
		}
	}
	if got := fmt.Sprint(c.Config.Entrypoint); got != fmt.Sprint(f.Entrypoint) {
		t.Errorf("Entrypoint = %s, want %s", got, fmt.Sprint(f.Entrypoint))
	}
}
