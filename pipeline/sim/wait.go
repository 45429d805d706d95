package sim

import (
	"context"
	"time"
)

// coarseMargin is how long before a deadline waitUntil switches from the Go
// runtime timer to the fine timer. The runtime timer on Linux sleeps in
// whole milliseconds, so it wakes up to about 1 ms late.
const coarseMargin = 2 * time.Millisecond

// waitUntil blocks until deadline and returns nil, or returns ctx's error
// when ctx ends first. The last coarseMargin is waited with fine when it is
// not nil, and is not interrupted by ctx.
func waitUntil(ctx context.Context, deadline time.Time, fine *fineTimer) error {
	rem := time.Until(deadline)
	if rem > coarseMargin {
		timer := time.NewTimer(rem - coarseMargin)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		}
	}

	rem = time.Until(deadline)
	if rem > 0 {
		if fine == nil || fine.wait(rem) != nil {
			time.Sleep(time.Until(deadline))
		}
	}
	return ctx.Err()
}
