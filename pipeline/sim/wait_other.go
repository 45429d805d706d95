//go:build !linux

package sim

import (
	"errors"
	"time"
)

// fineTimer is not available outside Linux; waitUntil uses the runtime
// timer alone there.
type fineTimer struct{}

func newFineTimer() *fineTimer { return nil }

func (t *fineTimer) wait(time.Duration) error { return errors.New("no fine timer on this system") }

func (t *fineTimer) close() {}
