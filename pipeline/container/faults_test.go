package container_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/container"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// simSpec returns a spec that starts the simulator image as vLLM.
func simSpec(t *testing.T, image, run string, args ...string) container.Spec {
	return container.Spec{
		Framework:      container.VLLM,
		Model:          "facebook/opt-125m",
		Image:          image,
		GPUs:           "none",
		Args:           args,
		HFToken:        testToken,
		StartupTimeout: time.Minute,
		RunID:          run,
		Log:            func(line string) { t.Log(line) },
	}
}

func TestServerKilledDuringStream(t *testing.T) {
	image := simImage(t)
	run := runID(t)
	defer requireNoContainers(t, run)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	srv, err := container.Start(ctx, simSpec(t, image, run, "--sim-itl", "5ms"))
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer srv.Stop(context.Background())

	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()

	// Kill the container once the first token has arrived, so the stream is
	// cut in the middle.
	killed := make(chan error, 1)
	res, streamErr := streamCompletion(ctx, srv.BaseURL, srv.ServedModelName, 1500, func(n int) {
		if n == 1 {
			_, err := cli.ContainerKill(ctx, srv.ContainerID, client.ContainerKillOptions{Signal: "SIGKILL"})
			killed <- err
		}
	})
	if err := <-killed; err != nil {
		t.Fatalf("killing the container: %v", err)
	}
	if streamErr == nil && res.Done {
		t.Errorf("stream ended with [DONE] after %d events although the server was killed", res.Chunks)
	}

	select {
	case <-srv.Exited():
	case <-time.After(30 * time.Second):
		t.Fatal("Exited() not closed 30s after the kill")
	}
	t.Logf("Err: %v", srv.Err())
	var exit *container.ExitError
	if !errors.As(srv.Err(), &exit) {
		t.Fatalf("Err() = %v, want an *ExitError", srv.Err())
	}
	if exit.Code != 137 {
		t.Errorf("exit code = %d, want 137 (SIGKILL)", exit.Code)
	}
	if !strings.Contains(exit.Error(), "exited with code 137") {
		t.Errorf("Err() = %q, want it to say exited with code 137", exit.Error())
	}
	if len(exit.LastLogs) == 0 {
		t.Error("ExitError has no log lines")
	}
	if err := srv.Stop(ctx); err != nil {
		t.Errorf("Stop after the kill: %v", err)
	}
}

func TestStartTimeoutRemovesContainer(t *testing.T) {
	image := simImage(t)
	run := runID(t)
	defer requireNoContainers(t, run)

	spec := simSpec(t, image, run, "--sim-startup-delay", "10m")
	spec.StartupTimeout = 3 * time.Second
	spec.ProgressInterval = time.Second
	var progress []string
	spec.Log = func(line string) {
		if strings.HasPrefix(line, "waiting for vllm") {
			progress = append(progress, line)
		}
	}

	srv, err := container.Start(context.Background(), spec)
	if err == nil {
		srv.Stop(context.Background())
		t.Fatal("Start succeeded, want a startup timeout")
	}
	t.Logf("Start error: %v", err)
	if !errors.Is(err, container.ErrStartupTimeout) {
		t.Errorf("error = %v, want ErrStartupTimeout", err)
	}
	msg := err.Error()
	for _, want := range []string{"starting vllm for facebook/opt-125m", "(3s)", "returned 503", "last log lines:"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if len(progress) == 0 {
		t.Error("no progress line while the server was loading")
	}
}

func TestStartExitAtStartup(t *testing.T) {
	image := simImage(t)
	run := runID(t)
	defer requireNoContainers(t, run)

	// The token as an unexpected argument lands in the simulator's error
	// output, which must reach neither the log nor the error.
	spec := simSpec(t, image, run, "--no-such-flag", testToken)
	var logged []string
	spec.Log = func(line string) { logged = append(logged, line) }

	srv, err := container.Start(context.Background(), spec)
	if err == nil {
		srv.Stop(context.Background())
		t.Fatal("Start succeeded with an unknown flag")
	}
	t.Logf("Start error: %v", err)
	var exit *container.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("error = %v, want an *ExitError", err)
	}
	if exit.Code != 2 {
		t.Errorf("exit code = %d, want 2", exit.Code)
	}
	msg := err.Error()
	for _, want := range []string{"starting vllm for facebook/opt-125m", "exited with code 2", "no-such-flag"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if strings.Contains(msg, testToken) {
		t.Errorf("error contains the token: %q", msg)
	}
	for _, line := range logged {
		if strings.Contains(line, testToken) {
			t.Errorf("log line contains the token: %q", line)
		}
	}
}

func TestStartGPUWithoutRuntime(t *testing.T) {
	image := simImage(t)
	if hasNvidiaRuntime(t) {
		t.Skip("this Docker host has the NVIDIA runtime")
	}
	run := runID(t)
	defer requireNoContainers(t, run)

	spec := simSpec(t, image, run)
	spec.GPUs = "all"
	srv, err := container.Start(context.Background(), spec)
	if err == nil {
		srv.Stop(context.Background())
		t.Fatal("Start succeeded with gpus all on a host without a GPU runtime")
	}
	if !errors.Is(err, container.ErrNoGPURuntime) {
		t.Errorf("error = %v, want ErrNoGPURuntime", err)
	}
	want := "starting vllm for facebook/opt-125m: no GPU runtime on this Docker host; set --gpus none (gpus: none in a matrix file) or install the NVIDIA container toolkit"
	if err.Error() != want {
		t.Errorf("error = %q, want %q", err.Error(), want)
	}
}

func TestStartCanceledRemovesContainer(t *testing.T) {
	image := simImage(t)

	// The container is canceled as soon as it is listed (while the engine
	// creates or starts it) or once it runs (while the model loads).
	for _, when := range []string{"created", "running"} {
		t.Run(when, func(t *testing.T) {
			run := runID(t)
			defer requireNoContainers(t, run)

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			spec := simSpec(t, image, run, "--sim-startup-delay", "10m")

			type result struct {
				srv *container.Server
				err error
			}
			done := make(chan result, 1)
			go func() {
				srv, err := container.Start(ctx, spec)
				done <- result{srv, err}
			}()

			waitForContainer(t, run, when)
			cancel()

			res := <-done
			if res.err == nil {
				res.srv.Stop(context.Background())
				t.Fatal("Start succeeded after cancellation")
			}
			if !errors.Is(res.err, context.Canceled) {
				t.Errorf("error = %v, want context.Canceled", res.err)
			}
		})
	}
}

// waitForContainer waits until a container of run exists and, unless state
// is "created", is in that state.
func waitForContainer(t *testing.T, run, state string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		left, err := container.List(context.Background(), run)
		if err != nil {
			t.Fatal(err)
		}
		if len(left) > 0 && (state == "created" || left[0].State == state) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no container of run %s in state %s within a minute: %+v", run, state, left)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestStartInvalidSpec(t *testing.T) {
	tests := []struct {
		name string
		spec container.Spec
		want string
	}{
		{"unknown framework", container.Spec{Framework: "tgi", Model: "m"}, `unknown framework "tgi"`},
		{"missing model", container.Spec{Framework: container.VLLM}, "missing model"},
		{"bad gpus", container.Spec{Framework: container.VLLM, Model: "m", GPUs: "0"}, `invalid gpus "0"`},
		{"reserved label", container.Spec{Framework: container.SGLang, Model: "m", GPUs: "none", Labels: map[string]string{container.LabelRunID: "x"}}, "reserved"},
		{"memory fraction", container.Spec{Framework: container.VLLM, Model: "m", MemoryFraction: 1.5}, "invalid GPU memory fraction 1.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := container.Start(context.Background(), tt.spec)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Start error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func hasNvidiaRuntime(t *testing.T) bool {
	cli, err := testcontainers.NewDockerClientWithOpts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	info, err := cli.Info(context.Background(), client.InfoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, ok := info.Info.Runtimes["nvidia"]
	return ok
}
