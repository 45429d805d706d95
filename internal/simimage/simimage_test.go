package simimage

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"
)

func TestSplitTag(t *testing.T) {
	tests := []struct {
		in, repo, version string
		wantErr           bool
	}{
		{in: "llmbench-sim:test", repo: "llmbench-sim", version: "test"},
		{in: "localhost:5000/llmbench-sim:v1", repo: "localhost:5000/llmbench-sim", version: "v1"},
		{in: "llmbench-sim", wantErr: true},
		{in: "localhost:5000/llmbench-sim", wantErr: true},
		{in: "llmbench-sim:", wantErr: true},
		{in: ":test", wantErr: true},
	}
	for _, tt := range tests {
		repo, version, err := splitTag(tt.in)
		if tt.wantErr {
			if err == nil {
				t.Errorf("splitTag(%q) = %q, %q, want an error", tt.in, repo, version)
			}
			continue
		}
		if err != nil || repo != tt.repo || version != tt.version {
			t.Errorf("splitTag(%q) = %q, %q, %v, want %q, %q", tt.in, repo, version, err, tt.repo, tt.version)
		}
	}
}

func TestBuildImage(t *testing.T) {
	image := Image(t)
	if image != DefaultTag {
		t.Errorf("image = %q, want %q", image, DefaultTag)
	}

	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	again, err := Build(ctx, root, DefaultTag)
	if err != nil || again != image {
		t.Errorf("second Build = %q, %v, want the cached %q", again, err, image)
	}

	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	info, err := cli.ImageInspect(ctx, image)
	if err != nil {
		t.Fatalf("inspecting %s: %v", image, err)
	}
	if !slices.Contains(info.Config.Env, "PATH=/usr/local/bin") {
		t.Errorf("image environment = %q, want PATH=/usr/local/bin", info.Config.Env)
	}
	if want := []string{"/usr/local/bin/llmbench"}; !slices.Equal(info.Config.Entrypoint, want) {
		t.Errorf("image entrypoint = %q, want %q", info.Config.Entrypoint, want)
	}
}

func TestBuildCompileError(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	_, err = buildPackage(context.Background(), root, "./internal/simimage/no-such-package", "llmbench-none:test")
	if err == nil {
		t.Fatal("building a missing package succeeded")
	}
}
