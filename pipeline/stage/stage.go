// Package stage reports the steps of a benchmark run the way `go test -v`
// reports tests: "=== RUN" and "--- PASS"/"--- FAIL" lines with durations and
// indented details. It can write the same as test2json events, which CI test
// reporters such as gotestsum read like a test run.
package stage

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Event is one test2json event, as written by `go test -json`.
type Event struct {
	Time    time.Time `json:"Time"`
	Action  string    `json:"Action"`
	Package string    `json:"Package,omitempty"`
	Test    string    `json:"Test,omitempty"`
	Elapsed *float64  `json:"Elapsed,omitempty"`
	Output  string    `json:"Output,omitempty"`
}

// Observer receives each stage event as it happens, e.g. to mirror stages
// as subtests of a Go test. Its methods are called with the reporter's lock
// held, in event order, so they must not call back into the reporter.
type Observer interface {
	// StageStarted is called when a stage starts.
	StageStarted(name string)
	// StageOutput is called with each block of detail lines of a stage.
	StageOutput(name, text string)
	// StageEnded is called when a stage ends; action is "pass", "fail" or
	// "skip".
	StageEnded(name, action string)
}

// Reporter writes stage lines to a text writer and test2json events to an
// optional JSON writer. It is safe for concurrent use.
type Reporter struct {
	mu       sync.Mutex
	observer Observer
	text     io.Writer
	events   *json.Encoder
	pkg      string
	now      func() time.Time
	start    time.Time
	failed   bool
	started  bool
}

// NewReporter returns a reporter that writes text lines to text (nil to
// discard) and test2json events to events (nil for none). pkg is the
// "Package" of every event; now is the clock (nil for time.Now).
func NewReporter(text, events io.Writer, pkg string, now func() time.Time) *Reporter {
	if now == nil {
		now = time.Now
	}
	if text == nil {
		text = io.Discard
	}
	r := &Reporter{text: text, pkg: pkg, now: now}
	if events != nil {
		r.events = json.NewEncoder(events)
	}
	return r
}

// SetObserver sets the observer of every later stage event; nil removes it.
func (r *Reporter) SetObserver(o Observer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.observer = o
}

// Stage is one running step. Its methods are safe for concurrent use.
type Stage struct {
	r       *Reporter
	name    string
	start   time.Time
	mu      sync.Mutex
	done    bool
	outcome string
}

// Run starts a stage named name (slash-separated, like a subtest name) and
// prints its "=== RUN" line.
func (r *Reporter) Run(name string) *Stage {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	if !r.started {
		r.started = true
		r.start = now
		r.emit(Event{Time: now, Action: "start", Package: r.pkg})
	}
	r.emit(Event{Time: now, Action: "run", Package: r.pkg, Test: name})
	if r.observer != nil {
		r.observer.StageStarted(name)
	}
	r.output(now, name, "=== RUN   "+name+"\n")
	return &Stage{r: r, name: name, start: now}
}

// Name returns the stage's full name.
func (s *Stage) Name() string { return s.name }

// Logf prints an indented detail line under the stage, like t.Logf.
func (s *Stage) Logf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(msg, "\n"), "\n") {
		b.WriteString("    ")
		b.WriteString(line)
		b.WriteByte('\n')
	}
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.r.output(s.r.now(), s.name, b.String())
	if s.r.observer != nil {
		s.r.observer.StageOutput(s.name, msg)
	}
}

// Pass ends the stage successfully. Ending a stage twice has no effect.
func (s *Stage) Pass() { s.end("pass", "PASS", "") }

// Fail ends the stage as failed, printing err under it.
func (s *Stage) Fail(err error) {
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	s.end("fail", "FAIL", msg)
}

// Skip ends the stage as skipped, printing reason under it.
func (s *Stage) Skip(reason string) { s.end("skip", "SKIP", reason) }

// Failed reports whether the stage ended as failed.
func (s *Stage) Failed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.outcome == "fail"
}

func (s *Stage) end(action, word, detail string) {
	s.mu.Lock()
	if s.done {
		s.mu.Unlock()
		return
	}
	s.done = true
	s.outcome = action
	s.mu.Unlock()

	if detail != "" {
		s.Logf("%s", detail)
	}
	r := s.r
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	elapsed := now.Sub(s.start).Seconds()
	if action == "fail" {
		r.failed = true
	}
	r.output(now, s.name, fmt.Sprintf("--- %s: %s (%.2fs)\n", word, s.name, elapsed))
	r.emit(Event{Time: now, Action: action, Package: r.pkg, Test: s.name, Elapsed: &elapsed})
	if r.observer != nil {
		r.observer.StageEnded(s.name, action)
	}
}

// Finish prints the final PASS or FAIL line and the package event. It
// returns whether any stage failed.
func (r *Reporter) Finish() (failed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	if !r.started {
		r.started = true
		r.start = now
		r.emit(Event{Time: now, Action: "start", Package: r.pkg})
	}
	word, action := "PASS", "pass"
	if r.failed {
		word, action = "FAIL", "fail"
	}
	elapsed := now.Sub(r.start).Seconds()
	r.output(now, "", word+"\n")
	r.emit(Event{Time: now, Action: action, Package: r.pkg, Elapsed: &elapsed})
	return r.failed
}

// output writes text lines and their output event. r.mu must be held.
func (r *Reporter) output(now time.Time, test, text string) {
	io.WriteString(r.text, text)
	r.emit(Event{Time: now, Action: "output", Package: r.pkg, Test: test, Output: text})
}

// emit writes one event. r.mu must be held. Write errors are ignored: the
// text log and the results files are the record of the run, and a broken
// event pipe must not stop a benchmark.
func (r *Reporter) emit(e Event) {
	if r.events == nil {
		return
	}
	_ = r.events.Encode(e)
}
