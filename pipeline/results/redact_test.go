package results

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	testHFToken     = "hf_QwErTyUiOpAsDfGhJkLzXcVbNm123456"
	testGitHubToken = "ghp_0123456789abcdefghijABCDEFGHIJ0123"
	testPassword    = "s3cr3t-registry-pass"
)

func TestRedactorString(t *testing.T) {
	r := NewRedactor([]string{"HF_TOKEN=" + testHFToken, "REGISTRY_PASSWORD=" + testPassword, "DEBUG=1", "MY_TOKEN=short"})
	tests := []struct{ in, want string }{
		{"token " + testHFToken + " rejected", "token [redacted] rejected"},
		{"login with " + testPassword, "login with [redacted]"},
		{"Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345", "Authorization: [redacted]"},
		{"https://user:hunter2@registry.example/x", "https://[redacted]@registry.example/x"},
		{"hf_aaaaaaaaaaaaaaaaaaaaaaaa from elsewhere", "[redacted] from elsewhere"},
		{"github_pat_11AAAAAAA0aaaaaaaaaaaaaaaaaaaaaa", "[redacted]"},
		{"DEBUG level 1 is short", "DEBUG level 1 is short"},
		{"a short token stays", "a short token stays"},
		{"the bearer of news", "the bearer of news"},
	}
	for _, tt := range tests {
		if got := r.String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsSecretName(t *testing.T) {
	for name, want := range map[string]bool{
		"HF_TOKEN": true, "GITHUB_TOKEN": true, "hf_token": true, "AWS_SECRET_ACCESS_KEY": true,
		"OPENAI_API_KEY": true, "DOCKER_PASSWORD": true, "CUDA_VISIBLE_DEVICES": false, "MODEL": false,
	} {
		if got := IsSecretName(name); got != want {
			t.Errorf("IsSecretName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestNoSecretInAnyFile(t *testing.T) {
	t.Setenv("HF_TOKEN", testHFToken)
	t.Setenv("GITHUB_TOKEN", testGitHubToken)
	t.Setenv("REGISTRY_PASSWORD", testPassword)
	secrets := []string{testHFToken, testGitHubToken, testPassword}

	info := testRunInfo()
	info.Env = map[string]string{
		"CUDA_VISIBLE_DEVICES": "0",
		"HF_TOKEN":             testHFToken,
		"EXTRA_ARGS":           "--token " + testGitHubToken,
	}
	info.Matrix = json.RawMessage(`{"hf_token":"` + testHFToken + `","registry":"https://bot:` + testPassword + `@ghcr.io","args":["--api-key",""` + `,"` + testGitHubToken + `"]}`)
	info.RunnerName = "runner-" + testGitHubToken
	cells := testCells()
	cells[0].info.Image = "https://bot:" + testPassword + "@ghcr.io/org/vllm:latest"
	cells[0].records[3].ErrorMessage = "401: invalid token " + testHFToken
	cells[0].records[4].Warnings = []string{"header Authorization: Bearer " + testGitHubToken}
	cells[1].records[5].OutputText = "the key is " + testPassword

	dir := filepath.Join(t.TempDir(), "out")
	w, err := Create(dir, info)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cells {
		if err := w.WriteCell(c.info, c.records); err != nil {
			t.Fatal(err)
		}
	}
	// Check the files of an unfinished run, then of the closed one.
	assertNoSecretInFiles(t, dir, secrets)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	assertNoSecretInFiles(t, dir, secrets)

	// Parquet pages are compressed, so also check every decoded string.
	run, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var decoded strings.Builder
	runJSON, _ := json.Marshal(run.Info)
	decoded.Write(runJSON)
	for _, c := range run.Cells {
		cellJSON, _ := json.Marshal(c.Info)
		decoded.Write(cellJSON)
		for _, r := range c.Records {
			decoded.WriteString(r.ErrorMessage + r.OutputText + r.FinishReason + r.Endpoint + r.OutputTokensSource)
			decoded.WriteString(strings.Join(r.Warnings, "\n"))
		}
	}
	for _, s := range secrets {
		if strings.Contains(decoded.String(), s) {
			t.Errorf("a decoded value contains the secret %q", s)
		}
	}
	if got := run.Info.Env["HF_TOKEN"]; got != Redacted {
		t.Errorf("Env[HF_TOKEN] = %q, want %q", got, Redacted)
	}
	if got := run.Info.Env["CUDA_VISIBLE_DEVICES"]; got != "0" {
		t.Errorf("Env[CUDA_VISIBLE_DEVICES] = %q, want it kept", got)
	}
	if got := run.Cells[0].Records[3].ErrorMessage; got != "401: invalid token [redacted]" {
		t.Errorf("redacted error message = %q", got)
	}
}

// assertNoSecretInFiles fails when the bytes of any file under dir, or a
// Parquet file's metadata, contain one of the secrets.
func assertNoSecretInFiles(t *testing.T, dir string, secrets []string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s contains the secret %q", path, s)
			}
		}
		if strings.HasSuffix(path, ".parquet") {
			_, meta := readArrow(t, path)
			for key, value := range meta {
				for _, s := range secrets {
					if strings.Contains(value, s) {
						t.Errorf("%s metadata %s contains the secret %q", path, key, s)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatalf("no file under %s", dir)
	}
}
