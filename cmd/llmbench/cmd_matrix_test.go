package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runMatrixCmd(t *testing.T, args ...string) (stdout string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), append([]string{"matrix"}, args...), strings.NewReader(""), &out, &errOut)
	return out.String(), err
}

func TestMatrixCmdListsDefaultCells(t *testing.T) {
	out, err := runMatrixCmd(t)
	if err != nil {
		t.Fatal(err)
	}

	lines := strings.Split(strings.TrimSpace(out), "\n")

	if len(lines) != 1+18 {
		t.Fatalf("got %d lines, want a header and 18 cells:\n%s", len(lines), out)
	}
	if fields := strings.Fields(lines[0]); strings.Join(fields, " ") != "CELL FRAMEWORK MODEL WORKLOAD REQUESTS MAX TOKENS" {
		t.Errorf("header = %q", lines[0])
	}
	if fields := strings.Fields(lines[2]); strings.Join(fields, " ") != "vllm/opt-125m/medium vllm facebook/opt-125m medium 50 128" {
		t.Errorf("second cell line = %q", lines[2])
	}
}

func TestMatrixCmdGitHubByGroup(t *testing.T) {
	out, err := runMatrixCmd(t, "--github", "--by", "group", "--only", "sglang")
	if err != nil {
		t.Fatal(err)
	}

	if strings.Count(out, "\n") != 1 {
		t.Errorf("GitHub output is not one line, which $GITHUB_OUTPUT needs:\n%s", out)
	}
	var parsed struct {
		Include []struct {
			Group string   `json:"group"`
			Cells []string `json:"cells"`
		} `json:"include"`
	}
	if err := json.Unmarshal([]byte(out), &parsed); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if len(parsed.Include) != 3 || parsed.Include[0].Group != "sglang/opt-125m" || len(parsed.Include[0].Cells) != 3 {
		t.Errorf("groups = %+v", parsed.Include)
	}
}

func TestMatrixCmdFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.yaml")
	if err := os.WriteFile(path, []byte("frameworks: [vllm]\nmodels: [gpt2]\nworkloads: [small]\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	out, err := runMatrixCmd(t, "--matrix", path, "--github")
	if err != nil {
		t.Fatal(err)
	}

	want := `{"include":[{"cell":"vllm/gpt2/small","framework":"vllm","model":"gpt2","workload":"small","file_name":"vllm_gpt2_small","only":"^vllm$/^gpt2$/^small$"}]}` + "\n"
	if out != want {
		t.Errorf("output:\n got %s\nwant %s", out, want)
	}
}

func TestMatrixCmdErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("frameworks: [tgi]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--by", "model"}, `invalid --by "model": use cell or group`},
		{[]string{"--only", "tgi"}, `--only: pattern "tgi" matches no cell`},
		{[]string{"--matrix", bad}, bad + `:1: frameworks[0]: unknown framework "tgi"; known frameworks are vllm, sglang`},
	}
	for _, tt := range tests {
		_, err := runMatrixCmd(t, tt.args...)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("matrix %v: error %v, want prefix %q", tt.args, err, tt.want)
		}
		if code := exitCode(err, &bytes.Buffer{}); code != 2 {
			t.Errorf("matrix %v: exit code %d, want 2", tt.args, code)
		}
	}
}
