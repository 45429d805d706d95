package simimage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/container"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// RequireDockerEnv is the environment variable that turns a missing Docker
// engine from a skipped test into a failed one. CI sets it to 1.
const RequireDockerEnv = "LLMBENCH_REQUIRE_DOCKER"

// Ping returns nil when a Docker engine responds on the host that
// testcontainers-go resolves (DOCKER_HOST, the Docker context, the default
// socket). It turns the Ryuk reaper off (see container.DisableReaper)
// unless TESTCONTAINERS_RYUK_DISABLED is set.
func Ping(ctx context.Context) error {
	// testcontainers-go reads its configuration once per process, so the
	// reaper must be turned off before the first client is made.
	container.DisableReaper()
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return err
	}
	defer cli.Close()
	if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
		return err
	}
	return nil
}

// RequireDocker skips t when no Docker engine is reachable, or fails it when
// LLMBENCH_REQUIRE_DOCKER=1, so that CI cannot pass by skipping every
// container test.
func RequireDocker(t testing.TB) {
	t.Helper()
	// The Ryuk reaper image cannot be pulled where no registry is reachable,
	// and llmbench removes its containers itself.
	container.DisableReaper()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := Ping(ctx)
	if err == nil {
		return
	}
	if os.Getenv(RequireDockerEnv) == "1" {
		t.Fatalf("no Docker engine reachable and %s=1: %v", RequireDockerEnv, err)
	}
	t.Skipf("no Docker engine reachable (set %s=1 to fail instead of skipping): %v", RequireDockerEnv, err)
}

// Image builds the simulator image from this repository (once per test
// binary) and returns its reference. It calls RequireDocker first and fails t
// when the build fails.
func Image(t testing.TB) string {
	t.Helper()
	RequireDocker(t)

	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	image, err := Build(ctx, root, DefaultTag)
	if err != nil {
		t.Fatal(err)
	}
	return image
}

// RepoRoot returns the root of the module that contains this source file.
// It works where the source tree is present, as under go test.
func RepoRoot() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("finding the repository root: no caller information")
	}
	root := filepath.Join(filepath.Dir(file), "..", "..")
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return "", fmt.Errorf("finding the repository root: %w", err)
	}
	return root, nil
}
