package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/client"
	"github.com/llmbench/llmbench-action/pipeline/record"
	"github.com/llmbench/llmbench-action/pipeline/workload"
)

// Doer sends one request and measures it. The streaming client implements
// it. Do measures every duration from scheduled and fills the response
// fields of the record (times, tokens, status, failure). It returns when the
// request has completed or failed, and returns a failed record with kind
// record.FailureCanceled when ctx is canceled. Run fills the cell identity,
// the index and the schedule fields.
type Doer interface {
	Do(ctx context.Context, req client.Request, scheduled time.Time) record.Record
}

// Config is one workload run against one server.
type Config struct {
	Workload  workload.Workload
	Framework string
	Model     string
	// Warmup requests run first, closed loop, and are flagged in their
	// records; Requests are the measured ones.
	Warmup   []client.Request
	Requests []client.Request
	Doer     Doer

	// Now returns the current time; nil means time.Now. Deadlines are waited
	// for with time.NewTimer, so a fake Now must move with the runtime's
	// timers, as the clock inside a testing/synctest bubble does.
	Now func() time.Time
	// Rand draws the arrival gaps; nil means a generator seeded with the
	// workload's seed.
	Rand *rand.Rand
	// Progress, when set, is called after each measured request completes,
	// with the number completed so far, how many of them failed, and the
	// number of measured requests. Calls never overlap.
	Progress func(done, failed, total int)
}

// Result is the outcome of a run: its records and the instants they are
// measured from.
type Result struct {
	// Records holds the warm-up records (Warmup set) in index order, then
	// the measured records in index order. A request that was never sent,
	// because the run was canceled first, has no record.
	Records []record.Record
	// WarmupStart is when the warm-up began; warm-up records' offsets are
	// measured from it.
	WarmupStart time.Time
	// Start is the workload's start instant, after the warm-up: measured
	// records' offsets are measured from it.
	Start time.Time
	// End is when the last measured request completed or the run stopped.
	End time.Time
}

// Run sends the warm-up requests, then the measured requests of cfg, and
// returns their records. Closed loop (Workload.RequestRate 0) runs
// Workload.Users() users. Open loop sends request i at Start +
// Schedule(...)[i], waiting for each deadline with its own timer, and caps
// requests in flight at Workload.Concurrency when it is above 0.
//
// When ctx is canceled, Run stops sending, lets the Doer cancel the
// requests in flight, and returns the records of every request it sent
// together with an error that wraps ctx.Err(). Run returns only after every
// goroutine it started has ended.
//
// NOTE: the per-request timeout (Workload.Timeout) is the Doer's to enforce,
// so that it can report the failure as a timeout rather than a cancellation.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Doer == nil {
		return Result{}, errors.New("running workload: no Doer (HTTP client) configured")
	}
	w := cfg.Workload
	if w.RequestRate < 0 || math.IsNaN(w.RequestRate) {
		return Result{}, fmt.Errorf("running workload %q: request rate must be > 0 or inf (0 for closed loop), got %v", w.Name, w.RequestRate)
	}
	r := &runner{cfg: cfg, now: cfg.Now}
	if r.now == nil {
		r.now = time.Now
	}

	var result Result
	result.WarmupStart = r.now()
	warmup := r.closedLoop(ctx, cfg.Warmup, result.WarmupStart, true)
	result.Records = append(result.Records, warmup...)
	if err := ctx.Err(); err != nil {
		result.Start = result.WarmupStart
		result.End = r.now()
		return result, fmt.Errorf("running workload %q: canceled during warm-up after %d of %d requests: %w",
			w.Name, len(warmup), len(cfg.Warmup), err)
	}

	result.Start = r.now()
	var measured []record.Record
	if w.OpenLoop() {
		offsets := Schedule(w, len(cfg.Requests), cfg.Rand)
		measured = r.openLoop(ctx, cfg.Requests, result.Start, offsets)
	} else {
		measured = r.closedLoop(ctx, cfg.Requests, result.Start, false)
	}
	result.Records = append(result.Records, measured...)
	result.End = r.now()

	if err := ctx.Err(); err != nil {
		return result, fmt.Errorf("running workload %q: canceled after sending %d of %d requests: %w",
			w.Name, len(measured), len(cfg.Requests), err)
	}
	return result, nil
}

// runner holds the state that the goroutines of one run share.
type runner struct {
	cfg Config
	now func() time.Time

	mu     sync.Mutex
	done   int
	failed int
}

// closedLoop runs Workload.Users() users over reqs. Each user takes the next
// unsent request as soon as its previous request completes, and that moment
// is the request's scheduled time, so the records show no queueing delay.
func (r *runner) closedLoop(ctx context.Context, reqs []client.Request, start time.Time, warmup bool) []record.Record {
	records := make([]record.Record, len(reqs))
	sent := make([]bool, len(reqs))
	var next atomic.Int64
	var wg sync.WaitGroup

	users := min(r.cfg.Workload.Users(), len(reqs))
	for range users {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(reqs) {
					return
				}
				sent[i] = true
				records[i] = r.send(ctx, reqs[i], i, warmup, start, r.now(), 0)
			}
		})
	}
	wg.Wait()
	return keepSent(records, sent)
}

// openLoop sends reqs[i] at start+offsets[i]. One goroutine dispatches the
// requests in order. With a concurrency cap, it waits for a free slot before
// it dispatches the next request, so requests get slots in order.
func (r *runner) openLoop(ctx context.Context, reqs []client.Request, start time.Time, offsets []time.Duration) []record.Record {
	records := make([]record.Record, len(reqs))
	sent := make([]bool, len(reqs))
	var wg sync.WaitGroup

	var slots chan struct{}
	if c := r.cfg.Workload.Concurrency; c > 0 {
		slots = make(chan struct{}, c)
	}

	// lastBlockEnd is when the dispatcher last got a slot it had to wait for.
	var lastBlockEnd time.Time
	for i := range reqs {
		scheduled := start.Add(offsets[i])
		if !r.waitUntil(ctx, scheduled) {
			break
		}
		blockEnd, ok := r.acquire(ctx, slots)
		if !ok {
			break
		}
		if !blockEnd.IsZero() {
			lastBlockEnd = blockEnd
		}

		// A request waited for a slot when the dispatcher waited for one after
		// the request's scheduled time, for it or for a request queued before it.
		var slotWait time.Duration
		if lastBlockEnd.After(scheduled) {
			slotWait = lastBlockEnd.Sub(scheduled)
		}

		sent[i] = true
		wg.Go(func() {
			if slots != nil {
				defer func() { <-slots }()
			}
			records[i] = r.send(ctx, reqs[i], i, false, start, scheduled, slotWait)
		})
	}
	wg.Wait()
	return keepSent(records, sent)
}

// waitUntil waits for the deadline on a timer of its own and reports false
// when ctx was canceled first.
func (r *runner) waitUntil(ctx context.Context, deadline time.Time) bool {
	if ctx.Err() != nil {
		return false
	}
	wait := deadline.Sub(r.now())
	if wait <= 0 {
		return true
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// acquire takes a concurrency slot (none when slots is nil). It returns the
// time it got the slot when it had to wait for one, and the zero time when a
// slot was free at once. It reports false when ctx was canceled first.
func (r *runner) acquire(ctx context.Context, slots chan struct{}) (time.Time, bool) {
	if slots == nil {
		return time.Time{}, ctx.Err() == nil
	}
	select {
	case slots <- struct{}{}:
		return time.Time{}, true
	default:
	}

	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return time.Time{}, false
	}
	if ctx.Err() != nil {
		<-slots
		return time.Time{}, false
	}
	return r.now(), true
}

// send runs one request through the Doer and fills the fields the Doer
// does not. SendDelay is raised to the time from the scheduled send until
// the Doer was called when the Doer reported less, because no request is
// sent before that.
func (r *runner) send(ctx context.Context, req client.Request, index int, warmup bool, start, scheduled time.Time, slotWait time.Duration) record.Record {
	dispatched := r.now()
	rec := r.cfg.Doer.Do(ctx, req, scheduled)

	rec.Framework = r.cfg.Framework
	rec.Model = r.cfg.Model
	rec.Workload = r.cfg.Workload.Name
	rec.Index = index
	rec.Warmup = warmup
	rec.ScheduledOffset = scheduled.Sub(start)
	rec.ScheduledAt = start.Round(0).Add(rec.ScheduledOffset)
	rec.SlotWait = slotWait
	if delay := dispatched.Sub(scheduled); delay > rec.SendDelay {
		rec.SendDelay = delay
	}

	if !warmup {
		r.reportProgress(rec.OK)
	}
	return rec
}

func (r *runner) reportProgress(ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done++
	if !ok {
		r.failed++
	}
	if r.cfg.Progress != nil {
		r.cfg.Progress(r.done, r.failed, len(r.cfg.Requests))
	}
}

// keepSent returns the records of the requests that were sent, in index
// order.
func keepSent(records []record.Record, sent []bool) []record.Record {
	out := records[:0]
	for i, rec := range records {
		if sent[i] {
			out = append(out, rec)
		}
	}
	return out
}
