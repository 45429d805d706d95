package act_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// requireActEnv makes a missing act binary fail the test instead of skipping
// it, so that CI cannot pass by skipping.
const requireActEnv = "LLMBENCH_REQUIRE_ACT"

// actVersion is the act release the test was written against. CI installs it
// with go install github.com/nektos/act@v0.2.89.
const actVersion = "0.2.89"

// actRunTimeout bounds one act run. The first run on a cold Go build cache
// compiles llmbench with -trimpath from scratch; later runs reuse the cache.
const actRunTimeout = 8 * time.Minute

// findAct returns the path of the act binary from PATH or $(go env
// GOPATH)/bin. It skips the test when act is missing, or fails it when
// LLMBENCH_REQUIRE_ACT=1.
func findAct(t *testing.T) string {
	t.Helper()
	candidates := []string{}
	if p, err := exec.LookPath("act"); err == nil {
		candidates = append(candidates, p)
	}
	if gopath := goEnv(t, "GOPATH"); gopath != "" {
		for _, dir := range filepath.SplitList(gopath) {
			candidates = append(candidates, filepath.Join(dir, "bin", "act"))
		}
	}
	for _, p := range candidates {
		out, err := exec.Command(p, "--version").Output()
		if err != nil || !strings.HasPrefix(string(out), "act version") {
			continue
		}
		if v := strings.TrimSpace(strings.TrimPrefix(string(out), "act version")); v != actVersion {
			t.Logf("act %s at %s; the test was written against act %s", v, p, actVersion)
		}
		return p
	}

	msg := fmt.Sprintf("act not found on PATH or in $(go env GOPATH)/bin; install it with go install github.com/nektos/act@v%s", actVersion)
	if os.Getenv(requireActEnv) == "1" {
		t.Fatalf("%s (%s=1 requires it)", msg, requireActEnv)
	}
	t.Skip(msg)
	return ""
}

func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

// repoRoot returns the module root, two levels above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatalf("finding the repository root: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "action.yml")); err != nil {
		t.Fatalf("finding the repository root: action.yml not found two levels above test/act: %v", err)
	}
	return root
}

// skippedInCopy reports whether the workspace copy leaves out a path
// (relative to the repository root, with forward slashes): git metadata,
// what .gitignore ignores, and the repository's own workflows, which the
// test replaces with its own.
func skippedInCopy(rel string, d fs.DirEntry) bool {
	switch rel {
	case ".git", "llmbench", "results", ".tmp", ".github/workflows", "llmbench-results":
		return true
	}
	if !d.IsDir() && (strings.HasSuffix(rel, ".test") || strings.HasSuffix(rel, ".prof")) {
		return true
	}
	return false
}

// copyRepository copies the repository's files into dst, leaving out what
// skippedInCopy names and anything that is not a regular file or directory.
func copyRepository(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		if skippedInCopy(filepath.ToSlash(rel), d) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type().IsRegular():
			return copyFile(path, target)
		default:
			return nil
		}
	})
	if err != nil {
		t.Fatalf("copying the repository %s to the workspace %s: %v", src, dst, err)
	}
}

func copyFile(src, dst string) error {
	info, err := os.Stat(src)
	if err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, info.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// remoteUsesPattern matches the remote actions a composite action uses,
// e.g. "uses: actions/setup-go@v5", and not local ones ("uses: ./x").
var remoteUsesPattern = regexp.MustCompile(`(?m)^\s*(?:-\s*)?uses:\s*['"]?([A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[A-Za-z0-9_.-]+)`)

// remoteActions returns the remote actions (owner/repo@ref) that the
// action.yml in dir uses. act fetches each of them when it prepares the
// composite action's steps, even a step whose condition is false.
func remoteActions(t *testing.T, dir string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "action.yml"))
	if err != nil {
		t.Fatalf("reading the action: %v", err)
	}
	var refs []string
	for _, m := range remoteUsesPattern.FindAllStringSubmatch(string(data), -1) {
		if !slices.Contains(refs, m[1]) {
			refs = append(refs, m[1])
		}
	}
	return refs
}

// pullRequestEvent returns a pull_request event of acme/serving#7 whose head
// branch lives in headRepo.
func pullRequestEvent(headRepo string) map[string]any {
	return map[string]any{
		"action": "synchronize",
		"number": prNumber,
		"pull_request": map[string]any{
			"number": prNumber,
			"state":  "open",
			"head": map[string]any{
				"ref": "feature/faster-kv",
				"sha": "0123456789abcdef0123456789abcdef01234567",
				"repo": map[string]any{
					"full_name": headRepo, "name": "serving", "fork": headRepo != baseRepo,
				},
			},
			"base": map[string]any{
				"ref": "main",
				"sha": "89abcdef0123456789abcdef0123456789abcdef",
				"repo": map[string]any{
					"full_name": baseRepo, "name": "serving", "fork": false,
				},
			},
		},
		"repository": map[string]any{
			"full_name": baseRepo, "name": "serving", "default_branch": "main",
			"owner": map[string]any{"login": "acme"},
		},
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatalf("encoding %s: %v", path, err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatalf("writing %s: %v", path, err)
	}
}

// actHarness runs the test workflow with act in one workspace.
type actHarness struct {
	t         *testing.T
	act       string
	workspace string
	workflow  string
	stub      string
	remote    []string
	apiURL    string
	tmp       string
	configDir string
	goEnvFile string
}

// actRun is the result of one act run.
type actRun struct {
	// Log is act's combined stdout and stderr.
	Log string
	// Err is the error of the act process, an *exec.ExitError when a job
	// failed.
	Err error
	// Results is the copy of the results directory that the workflow's
	// "Keep the results" step wrote; it is missing when the job failed
	// before that step.
	Results string
}

// newActHarness copies the repository into a temporary workspace, writes the
// test workflow into it, and prepares the stub for the action's remote
// actions.
func newActHarness(t *testing.T, act, apiURL string) *actHarness {
	t.Helper()
	tmp := t.TempDir()
	h := &actHarness{
		t:         t,
		act:       act,
		workspace: filepath.Join(tmp, "workspace"),
		apiURL:    apiURL,
		tmp:       tmp,
		configDir: filepath.Join(tmp, "config"),
		goEnvFile: goEnv(t, "GOENV"),
	}
	copyRepository(t, repoRoot(t), h.workspace)

	h.workflow = filepath.Join(h.workspace, ".github", "workflows", "llmbench-act.yml")
	if err := os.MkdirAll(filepath.Dir(h.workflow), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := copyFile(filepath.Join("testdata", "workflow.yml"), h.workflow); err != nil {
		t.Fatalf("writing the workflow: %v", err)
	}

	h.stub, _ = filepath.Abs(filepath.Join("testdata", "remote-action-stub"))
	h.remote = remoteActions(t, h.workspace)
	return h
}

// env returns the environment of the act process: this process's
// environment without the variables of an enclosing GitHub Actions job, with
// act's version check off and Go kept off the network.
func (h *actHarness) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "GITHUB_") || strings.HasPrefix(name, "RUNNER_") ||
			strings.HasPrefix(name, "INPUT_") || strings.HasPrefix(name, "ACTIONS_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		// Without it, act requests notices from api.nektosact.com.
		"ACT_DISABLE_VERSION_CHECK=1",
		// act reads its configuration file (actrc) from here instead of the
		// user's. GOENV keeps the user's go env settings in place.
		"XDG_CONFIG_HOME="+h.configDir,
		"GOENV="+h.goEnvFile,
		// The build in the action must use the module cache only.
		"GOPROXY=off",
		"GOTOOLCHAIN=local",
	)
}

// run runs the workflow for event with act. The name labels the run's
// files, and extraEnv adds --env variables for the job.
func (h *actHarness) run(name string, event map[string]any, extraEnv ...string) actRun {
	t := h.t
	t.Helper()
	eventPath := filepath.Join(h.tmp, name+"-event.json")
	writeJSON(t, eventPath, event)
	results := filepath.Join(h.tmp, name+"-results")

	args := []string{
		"pull_request",
		"--directory", h.workspace,
		"--workflows", h.workflow,
		"--eventpath", eventPath,
		"--platform", "self-hosted=-self-hosted",
		"--action-cache-path", filepath.Join(h.tmp, "act-cache"),
		"--no-cache-server",
		"--env", "GITHUB_API_URL=" + h.apiURL,
		"--env", "GITHUB_REPOSITORY=" + baseRepo,
		"--env", "LLMBENCH_ACT_KEEP=" + results,
	}
	for _, ref := range h.remote {
		args = append(args, "--local-repository", ref+"="+h.stub)
	}
	for _, kv := range extraEnv {
		args = append(args, "--env", kv)
	}

	ctx, cancel := context.WithTimeout(t.Context(), actRunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, h.act, args...)
	cmd.Dir = h.tmp
	cmd.Env = h.env()
	cmd.WaitDelay = 10 * time.Second
	var log bytes.Buffer
	cmd.Stdout = &log
	cmd.Stderr = &log

	start := time.Now()
	err := cmd.Run()
	t.Logf("act run %s took %s", name, time.Since(start).Round(time.Millisecond))
	if ctx.Err() != nil {
		t.Fatalf("act run %s timed out after %s\nlog:\n%s", name, actRunTimeout, log.String())
	}
	return actRun{Log: log.String(), Err: err, Results: results}
}

// jobLogPrefix starts every line act prints for the job: the workflow's
// name and the job's id.
const jobLogPrefix = "[llmbench act test/bench]"

// outputPattern matches the lines the workflow's "Print the outputs" step
// writes, e.g. "output failed=[false]".
var outputPattern = regexp.MustCompile(`output ([a-z-]+)=\[(.*)\]\s*$`)

// outputs returns the action's outputs as the workflow's "Print the
// outputs" step printed them.
func (r actRun) outputs() map[string]string {
	out := map[string]string{}
	for line := range strings.SplitSeq(r.Log, "\n") {
		if m := outputPattern.FindStringSubmatch(line); m != nil {
			out[m[1]] = m[2]
		}
	}
	return out
}

// stepSummary returns the step summary act printed after "Summary - " up to
// the next line of act's own, or "" when act printed none.
func (r actRun) stepSummary() string {
	_, rest, found := strings.Cut(r.Log, "Summary - ")
	if !found {
		return ""
	}
	var lines []string
	for line := range strings.SplitSeq(rest, "\n") {
		if strings.HasPrefix(line, jobLogPrefix) {
			break
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
