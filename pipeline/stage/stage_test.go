package stage

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fakeClock advances by step on every call.
func fakeClock(step time.Duration) func() time.Time {
	t := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(step)
		return t
	}
}

// runSample reports a server group with a passing and a failing stage.
func runSample(text, events *bytes.Buffer) bool {
	r := NewReporter(text, events, "llmbench", fakeClock(250*time.Millisecond))
	group := r.Run("vllm/opt-125m")
	start := r.Run("vllm/opt-125m/start")
	start.Pass()
	medium := r.Run("vllm/opt-125m/medium")
	medium.Logf("medium: 50/50 ok  1843.2 tok/s  TTFT p50 21.4ms p99 48.0ms")
	medium.Pass()
	large := r.Run("vllm/opt-125m/large")
	large.Fail(errors.New("server exited with code 137\nlast log line"))
	large.Pass() // no effect: the stage already ended
	skipped := r.Run("vllm/opt-125m/stop")
	skipped.Skip("server already gone")
	group.Fail(nil)
	return r.Finish()
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file; run go test -update and review the diff\ngot:\n%s", name, got)
	}
}

func TestReporterTextGolden(t *testing.T) {
	var text, events bytes.Buffer
	failed := runSample(&text, &events)
	if !failed {
		t.Error("Finish() = false, want true after a failed stage")
	}
	checkGolden(t, "stages.txt", text.Bytes())
	checkGolden(t, "stages.jsonl", events.Bytes())
}

func TestReporterPassWithoutFailures(t *testing.T) {
	var text bytes.Buffer
	r := NewReporter(&text, nil, "llmbench", fakeClock(time.Second))
	r.Run("a").Pass()
	if r.Finish() {
		t.Error("Finish() = true, want false")
	}
	if !strings.HasSuffix(text.String(), "PASS\n") {
		t.Errorf("text does not end with PASS:\n%s", text.String())
	}
}

// TestEventsMatchTest2JSON converts the text log with the Go toolchain's own
// test2json and checks that it yields the same actions for the same tests as
// the events the reporter wrote.
func TestEventsMatchTest2JSON(t *testing.T) {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		t.Skipf("go command not found at %s", goTool)
	}
	var text, events bytes.Buffer
	runSample(&text, &events)

	cmd := exec.Command(goTool, "tool", "test2json", "-p", "llmbench")
	cmd.Stdin = &text
	converted, err := cmd.Output()
	if err != nil {
		t.Fatalf("go tool test2json: %v", err)
	}

	want := actions(t, converted)
	got := actions(t, events.Bytes())
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events differ from test2json's reading of the text log\ngot:\n%s\nwant:\n%s",
			strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// actions lists "action test" for the run/pass/fail/skip events of a
// test2json stream, in order.
func actions(t *testing.T, data []byte) []string {
	t.Helper()
	var out []string
	dec := json.NewDecoder(bytes.NewReader(data))
	for dec.More() {
		var e Event
		if err := dec.Decode(&e); err != nil {
			t.Fatalf("decoding event: %v", err)
		}
		switch e.Action {
		case "run", "pass", "fail", "skip":
			out = append(out, e.Action+" "+e.Test)
		}
	}
	return out
}
