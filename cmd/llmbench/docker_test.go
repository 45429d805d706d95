package main

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDockerfile builds the repository's Dockerfile on the local Docker
// engine and runs the image. Nothing can be pulled, so both base images are
// built here first: the Go image FROM scratch with this machine's Go
// toolchain, and the base image FROM scratch with an /etc/passwd. The build
// context carries a vendor directory (go mod vendor), so the build stage of
// the Dockerfile runs unchanged and offline. The test covers the two-stage
// build, the base-image build arguments, CGO_ENABLED=0 (the binary runs on an
// image without libc), the version build argument, the entrypoint, and a
// short simulator benchmark inside the container.
//
// It compiles every dependency inside the container with an empty build
// cache, which takes minutes on two cores, so it is skipped with -short.
func TestDockerfile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the image from an empty Go build cache; skipped with -short")
	}
	requireDocker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()

	tag := randomTag(t)
	goImage, baseImage, image := "llmbench-test-go:"+tag, "llmbench-test-base:"+tag, "llmbench-test:"+tag
	t.Cleanup(func() {
		_ = exec.Command("docker", "rmi", "-f", image, goImage, baseImage).Run()
	})

	gorootOut, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	goroot := strings.TrimSpace(string(gorootOut))
	goContext := newTarContext(t)
	goContext.file("Dockerfile", "FROM scratch\n"+
		"COPY go /usr/local/go\n"+
		"COPY tmp /tmp\n"+
		"ENV PATH=/usr/local/go/bin HOME=/root GOCACHE=/tmp/gocache GOPROXY=off GOTOOLCHAIN=local\n")
	goContext.dir("tmp")
	goContext.tree(goroot, "go", func(rel string) bool {
		top := strings.SplitN(rel, string(filepath.Separator), 2)[0]
		return top == "test" || top == "doc" || top == "misc" || top == "api" || top == ".git"
	})
	dockerBuild(ctx, t, goContext, goImage)

	baseContext := newTarContext(t)
	baseContext.file("Dockerfile", "FROM scratch\nCOPY passwd /etc/passwd\n")
	baseContext.file("passwd", "root:x:0:0:root:/root:/sbin/nologin\n")
	dockerBuild(ctx, t, baseContext, baseImage)

	repo := repositoryRoot(t)
	vendorDir := filepath.Join(t.TempDir(), "vendor")
	vendor := exec.CommandContext(ctx, "go", "mod", "vendor", "-o", vendorDir)
	vendor.Dir = repo
	vendor.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off")
	if out, err := vendor.CombinedOutput(); err != nil {
		t.Fatalf("go mod vendor: %v\n%s", err, out)
	}
	source := newTarContext(t)
	for _, name := range []string{"Dockerfile", ".dockerignore", "go.mod", "go.sum"} {
		source.copyFile(filepath.Join(repo, name), name)
	}
	skipTests := func(rel string) bool {
		return strings.HasSuffix(rel, "_test.go") || strings.Contains(rel, "testdata")
	}
	for _, dir := range []string{"cmd", "pipeline", "internal"} {
		if _, err := os.Stat(filepath.Join(repo, dir)); err == nil {
			source.tree(filepath.Join(repo, dir), dir, skipTests)
		}
	}
	source.tree(vendorDir, "vendor", nil)
	dockerBuild(ctx, t, source, image,
		"--build-arg", "GO_IMAGE="+goImage,
		"--build-arg", "BASE_IMAGE="+baseImage,
		"--build-arg", "VERSION=v0.0.0-dockertest")

	out := dockerRun(ctx, t, image, "version")
	if want := "llmbench v0.0.0-dockertest\n"; out != want {
		t.Errorf("llmbench version in the image printed %q, want %q", out, want)
	}

	out = dockerRun(ctx, t, image, "run", "--target", "sim",
		"--framework", "vllm", "--model", "facebook/opt-125m", "--workload", "small",
		"--sim-ttft", "5ms", "--sim-itl", "1ms", "--charts=false", "--tokenizer", "none",
		"--out", "/tmp/results")
	if !strings.Contains(out, "small") {
		t.Errorf("the simulator benchmark printed no line for workload small:\n%s", out)
	}
}

// requireDocker skips the test without a reachable Docker engine, or fails it
// when LLMBENCH_REQUIRE_DOCKER=1.
func requireDocker(t *testing.T) {
	t.Helper()
	err := exec.Command("docker", "info", "--format", "{{.ServerVersion}}").Run()
	if err == nil {
		return
	}
	if os.Getenv("LLMBENCH_REQUIRE_DOCKER") == "1" {
		t.Fatalf("Docker engine not reachable and LLMBENCH_REQUIRE_DOCKER=1: %v", err)
	}
	t.Skipf("Docker engine not reachable: %v", err)
}

func randomTag(t *testing.T) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random tag: %v", err)
	}
	return hex.EncodeToString(b)
}

func repositoryRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatalf("finding the repository root: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "Dockerfile")); err != nil {
		t.Fatalf("no Dockerfile at the repository root %s: %v", dir, err)
	}
	return dir
}

func dockerBuild(ctx context.Context, t *testing.T, buildContext *tarContext, tag string, args ...string) {
	t.Helper()
	start := time.Now()
	cmd := exec.CommandContext(ctx, "docker", append(append([]string{"build", "-q", "-t", tag}, args...), "-")...)
	cmd.Stdin = buildContext.reader()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if out, err := cmd.Output(); err != nil {
		t.Fatalf("docker build -t %s: %v\n%s%s", tag, err, out, stderr.String())
	}
	t.Logf("built %s in %s", tag, time.Since(start).Round(time.Second))
}

func dockerRun(ctx context.Context, t *testing.T, image string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, "docker", append([]string{"run", "--rm", "--network", "none", image}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("docker run %s %s: %v\nstdout:\n%s\nstderr:\n%s", image, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// tarContext is a Docker build context written as a tar stream in a
// temporary file.
type tarContext struct {
	t   *testing.T
	tmp *os.File
	tw  *tar.Writer
}

func newTarContext(t *testing.T) *tarContext {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "context-*.tar")
	if err != nil {
		t.Fatalf("creating the build context: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return &tarContext{t: t, tmp: f, tw: tar.NewWriter(f)}
}

// addFile adds a regular file.
func (c *tarContext) addFile(name string, mode int64, data []byte) {
	c.t.Helper()
	hdr := &tar.Header{Name: name, Mode: mode, Size: int64(len(data)), Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)}
	if err := c.tw.WriteHeader(hdr); err != nil {
		c.t.Fatalf("adding %s to the build context: %v", name, err)
	}
	if _, err := c.tw.Write(data); err != nil {
		c.t.Fatalf("adding %s to the build context: %v", name, err)
	}
}

// file adds a regular file with the given content.
func (c *tarContext) file(name, content string) {
	c.addFile(name, 0o644, []byte(content))
}

// dir adds a directory; tmp is world-writable with the sticky bit, as /tmp is.
func (c *tarContext) dir(name string) {
	c.t.Helper()
	mode := int64(0o755)
	if name == "tmp" {
		mode = 0o1777
	}
	hdr := &tar.Header{Name: name + "/", Mode: mode, Typeflag: tar.TypeDir, ModTime: time.Unix(0, 0)}
	if err := c.tw.WriteHeader(hdr); err != nil {
		c.t.Fatalf("adding %s to the build context: %v", name, err)
	}
}

// copyFile adds the file at path as name, keeping its permission bits.
func (c *tarContext) copyFile(path, name string) {
	c.t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		c.t.Fatalf("adding %s to the build context: %v", path, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		c.t.Fatalf("adding %s to the build context: %v", path, err)
	}
	c.addFile(name, int64(info.Mode().Perm()), data)
}

// tree adds the regular files and directories under root as prefix/...,
// leaving out paths (relative to root) for which skip returns true.
func (c *tarContext) tree(root, prefix string, skip func(rel string) bool) {
	c.t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		if rel != "." && skip != nil && skip(rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		name := filepath.ToSlash(filepath.Join(prefix, rel))
		switch {
		case d.IsDir():
			c.dir(name)
		case d.Type().IsRegular():
			c.copyFile(path, name)
		}
		return nil
	})
	if err != nil {
		c.t.Fatalf("adding %s to the build context: %v", root, err)
	}
}

// reader finishes the tar stream and returns it from the start.
func (c *tarContext) reader() io.Reader {
	c.t.Helper()
	if err := c.tw.Close(); err != nil {
		c.t.Fatalf("finishing the build context: %v", err)
	}
	if _, err := c.tmp.Seek(0, io.SeekStart); err != nil {
		c.t.Fatalf("rewinding the build context: %v", err)
	}
	return c.tmp
}
