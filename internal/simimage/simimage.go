// Package simimage builds the simulator container image. The image is FROM
// scratch and contains a static llmbench binary under the names llmbench,
// vllm and python3. The command lines of the real vLLM and SGLang images
// ("vllm serve MODEL ...", "python3 -m sglang.launch_server ...") therefore
// start the simulator in the matching flavor. Container tests use it in place
// of the real images, which need a GPU and cannot be pulled without a network.
package simimage

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/llmbench/llmbench-action/pipeline/container"
	"github.com/testcontainers/testcontainers-go"
)

// DefaultTag is the image reference that Image builds.
const DefaultTag = "llmbench-sim:test"

// MainPackage is the Go package that Build compiles into the image.
const MainPackage = "./cmd/llmbench"

// dockerfile copies a directory containing the binary under three names, which
// are hard links of one file, so the layer stores it once. A scratch image
// has no shell and no ln to create them, and the binary selects its flavor
// from argv[0].
const dockerfile = `FROM scratch
COPY bin/ /usr/local/bin/
ENV PATH=/usr/local/bin
ENTRYPOINT ["/usr/local/bin/llmbench"]
`

// binaryNames are the names of the binary in the image.
var binaryNames = []string{"llmbench", "vllm", "python3"}

type buildKey struct {
	repoRoot, pkg, tag string
}

type buildResult struct {
	once  sync.Once
	image string
	err   error
}

var (
	buildsMu sync.Mutex
	builds   = map[buildKey]*buildResult{}
)

// Build compiles cmd/llmbench of the module at repoRoot as a static linux
// binary and builds the simulator image tagged tag (for example
// "llmbench-sim:test") through the Docker engine. It returns the image
// reference. Each (repoRoot, tag) is built once per process; later calls
// return the first result.
func Build(ctx context.Context, repoRoot, tag string) (string, error) {
	return buildPackage(ctx, repoRoot, MainPackage, tag)
}

// buildPackage is Build for the main package pkg, a path relative to
// repoRoot.
func buildPackage(ctx context.Context, repoRoot, pkg, tag string) (string, error) {
	key := buildKey{repoRoot: repoRoot, pkg: pkg, tag: tag}
	buildsMu.Lock()
	result, ok := builds[key]
	if !ok {
		result = &buildResult{}
		builds[key] = result
	}
	buildsMu.Unlock()

	result.once.Do(func() {
		result.image, result.err = build(ctx, repoRoot, pkg, tag)
	})
	return result.image, result.err
}

func build(ctx context.Context, repoRoot, pkg, tag string) (string, error) {
	repo, version, err := splitTag(tag)
	if err != nil {
		return "", err
	}

	dir, err := os.MkdirTemp("", "llmbench-simimage-")
	if err != nil {
		return "", fmt.Errorf("building simulator image %s: %w", tag, err)
	}
	defer os.RemoveAll(dir)

	if err := compile(ctx, repoRoot, pkg, filepath.Join(dir, "bin", binaryNames[0])); err != nil {
		return "", fmt.Errorf("building simulator image %s: %w", tag, err)
	}
	for _, name := range binaryNames[1:] {
		if err := os.Link(filepath.Join(dir, "bin", binaryNames[0]), filepath.Join(dir, "bin", name)); err != nil {
			return "", fmt.Errorf("building simulator image %s: %w", tag, err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		return "", fmt.Errorf("building simulator image %s: %w", tag, err)
	}

	image, err := dockerBuild(ctx, dir, repo, version)
	if err != nil {
		return "", fmt.Errorf("building simulator image %s: %w", tag, err)
	}
	return image, nil
}

// compile builds pkg as a static binary for the Docker engine's platform,
// which is assumed to be the host's architecture on linux.
func compile(ctx context.Context, repoRoot, pkg, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", out, pkg)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	var output bytes.Buffer
	cmd.Stdout = &output
	cmd.Stderr = &output
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s in %s: %w\n%s", pkg, repoRoot, err, strings.TrimSpace(output.String()))
	}
	return nil
}

func dockerBuild(ctx context.Context, dir, repo, version string) (string, error) {
	container.DisableReaper()
	provider, err := testcontainers.NewDockerProvider()
	if err != nil {
		return "", fmt.Errorf("connecting to the Docker engine: %w", err)
	}
	defer provider.Close()

	var buildLog bytes.Buffer
	req := testcontainers.ContainerRequest{
		FromDockerfile: testcontainers.FromDockerfile{
			Context:        dir,
			Dockerfile:     "Dockerfile",
			Repo:           repo,
			Tag:            version,
			KeepImage:      true,
			BuildLogWriter: &buildLog,
		},
	}
	image, err := provider.BuildImage(ctx, &req)
	if err != nil {
		return "", fmt.Errorf("docker build: %w\n%s", err, strings.TrimSpace(buildLog.String()))
	}
	return image, nil
}

// splitTag splits "name:tag" at the last colon after the last slash, so a
// registry port ("host:5000/name:tag") stays in the name.
func splitTag(tag string) (repo, version string, err error) {
	slash := strings.LastIndex(tag, "/")
	colon := strings.LastIndex(tag, ":")
	if colon <= slash || colon == len(tag)-1 || colon == 0 {
		return "", "", fmt.Errorf("invalid image tag %q: want name:tag, for example %s", tag, DefaultTag)
	}
	return tag[:colon], tag[colon+1:], nil
}
