package runner_test

import (
	"strings"
	"sync"
	"testing"
)

// subtests mirrors stages as nested subtests of a Go test: the stage
// "vllm/opt-125m/start" becomes the subtest "start" of the subtest
// "vllm/opt-125m", so `go test -run 'TestMatrix/vllm/opt-125m'` selects
// a server group and a failed stage fails its subtest.
//
// testing.T.Run blocks until the subtest function returns, while stages are
// started and ended by separate calls, so each subtest runs in its own
// goroutine and waits for its stage to end.
type subtests struct {
	root    *testing.T
	mu      sync.Mutex
	running map[string]*subtest
}

type subtest struct {
	t        *testing.T
	started  chan struct{}
	ended    chan string // the stage's action: pass, fail or skip
	finished chan struct{}
}

func newSubtests(t *testing.T) *subtests {
	return &subtests{root: t, running: map[string]*subtest{}}
}

// parent returns the innermost running stage whose name is a prefix of
// name, and the rest of name.
func (s *subtests) parent(name string) (*testing.T, string) {
	best, rest, bestLen := s.root, name, -1
	for running, st := range s.running {
		if strings.HasPrefix(name, running+"/") && len(running) > bestLen {
			best, rest, bestLen = st.t, strings.TrimPrefix(name, running+"/"), len(running)
		}
	}
	return best, rest
}

func (s *subtests) StageStarted(name string) {
	s.mu.Lock()
	parent, rel := s.parent(name)
	st := &subtest{started: make(chan struct{}), ended: make(chan string, 1), finished: make(chan struct{})}
	s.running[name] = st
	s.mu.Unlock()

	go func() {
		defer close(st.finished)
		parent.Run(rel, func(t *testing.T) {
			st.t = t
			close(st.started)
			switch <-st.ended {
			case "fail":
				t.Fail()
			case "skip":
				t.SkipNow()
			}
		})
	}()
	<-st.started
}

func (s *subtests) StageOutput(name, text string) {
	s.mu.Lock()
	st := s.running[name]
	s.mu.Unlock()
	if st != nil {
		st.t.Log(text)
	}
}

func (s *subtests) StageEnded(name, action string) {
	s.mu.Lock()
	st := s.running[name]
	delete(s.running, name)
	s.mu.Unlock()
	if st == nil {
		return
	}
	st.ended <- action
	<-st.finished
}
