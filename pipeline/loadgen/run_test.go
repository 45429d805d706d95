package loadgen

import (
	"context"
	"errors"
	"math"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/client"
	"github.com/llmbench/llmbench-action/pipeline/record"
	"github.com/llmbench/llmbench-action/pipeline/workload"
)

// fakeDoer is a Doer whose requests take a fixed time. It records when each
// request was sent (after sendOverhead) as SendDelay, and tracks how many
// requests are in flight at once.
type fakeDoer struct {
	sendOverhead time.Duration
	latency      time.Duration

	mu          sync.Mutex
	inFlight    int
	maxInFlight int
	calls       int
}

func (d *fakeDoer) Do(ctx context.Context, req client.Request, scheduled time.Time) record.Record {
	d.mu.Lock()
	d.calls++
	d.inFlight++
	d.maxInFlight = max(d.maxInFlight, d.inFlight)
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		d.inFlight--
		d.mu.Unlock()
	}()

	time.Sleep(d.sendOverhead)
	rec := record.Record{SendDelay: time.Since(scheduled), MaxTokens: req.MaxTokens}

	timer := time.NewTimer(d.latency)
	defer timer.Stop()
	select {
	case <-timer.C:
		end := time.Since(scheduled)
		rec.OK, rec.HasTTFT, rec.TTFT, rec.E2E, rec.StreamEnd = true, true, end, end, end
	case <-ctx.Done():
		rec.Failure = record.FailureCanceled
		rec.FailureLatency = time.Since(scheduled)
		rec.StreamEnd = rec.FailureLatency
	}
	return rec
}

func requests(n int) []client.Request {
	reqs := make([]client.Request, n)
	for i := range reqs {
		reqs[i] = client.Request{Path: client.PathCompletions, Model: "m", MaxTokens: 16 + i}
	}
	return reqs
}

func offsetsOf(records []record.Record) []time.Duration {
	out := make([]time.Duration, len(records))
	for i, r := range records {
		out[i] = r.ScheduledOffset
	}
	return out
}

func sendsOf(records []record.Record) []time.Duration {
	out := make([]time.Duration, len(records))
	for i, r := range records {
		out[i] = r.ScheduledOffset + r.SendDelay
	}
	return out
}

// TestOpenLoopAbsoluteDeadlines runs rate 10 with constant gaps while every
// reading of the clock costs 3 ms, as a slow send loop would. Deadlines are
// absolute, so requests are still scheduled at 0, 100, ..., 400 ms and sent
// 3 ms after (the clock reading before the Doer is called), not at 0, 103,
// 206, ... as relative sleeps would drift. Request 0 is sent at 6 ms
// because it also waits for the reading of the start instant.
func TestOpenLoopAbsoluteDeadlines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := openWorkload(10, workload.ArrivalConstant)
		slowNow := func() time.Time {
			time.Sleep(3 * time.Millisecond)
			return time.Now()
		}
		result, err := Run(t.Context(), Config{
			Workload: w, Framework: "vllm", Model: "m",
			Requests: requests(5), Doer: &fakeDoer{latency: 50 * time.Millisecond}, Now: slowNow,
		})
		if err != nil {
			t.Fatal(err)
		}

		ms := time.Millisecond
		wantScheduled := []time.Duration{0, 100 * ms, 200 * ms, 300 * ms, 400 * ms}
		if got := offsetsOf(result.Records); !slices.Equal(got, wantScheduled) {
			t.Errorf("scheduled offsets = %v, want %v", got, wantScheduled)
		}
		wantSends := []time.Duration{6 * ms, 103 * ms, 203 * ms, 303 * ms, 403 * ms}
		if got := sendsOf(result.Records); !slices.Equal(got, wantSends) {
			t.Errorf("send offsets = %v, want %v", got, wantSends)
		}
		for i, rec := range result.Records {
			if rec.Index != i || rec.Warmup || rec.Framework != "vllm" || rec.Model != "m" || rec.Workload != "small" {
				t.Errorf("record %d identity = %+v", i, rec)
			}
			if !rec.ScheduledAt.Equal(result.Start.Add(rec.ScheduledOffset)) {
				t.Errorf("record %d ScheduledAt = %v, want Start + %v", i, rec.ScheduledAt, rec.ScheduledOffset)
			}
		}
	})
}

func TestOpenLoopInfSendsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		doer := &fakeDoer{latency: 10 * time.Millisecond}
		result, err := Run(t.Context(), Config{
			Workload: openWorkload(math.Inf(1), workload.ArrivalPoisson), Requests: requests(5), Doer: doer,
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := sendsOf(result.Records); !slices.Equal(got, make([]time.Duration, 5)) {
			t.Errorf("send offsets = %v, want all 0", got)
		}
		if doer.maxInFlight != 5 {
			t.Errorf("max in flight = %d, want all 5 requests at once", doer.maxInFlight)
		}
	})
}

func TestOpenLoopConcurrencyCap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := openWorkload(math.Inf(1), workload.ArrivalPoisson)
		w.Concurrency = 2
		doer := &fakeDoer{latency: 50 * time.Millisecond}
		result, err := Run(t.Context(), Config{Workload: w, Requests: requests(5), Doer: doer})
		if err != nil {
			t.Fatal(err)
		}
		if doer.maxInFlight != 2 {
			t.Errorf("max in flight = %d, want the cap 2", doer.maxInFlight)
		}

		ms := time.Millisecond
		wantSlotWait := []time.Duration{0, 0, 50 * ms, 50 * ms, 100 * ms}
		for i, rec := range result.Records {
			if rec.ScheduledOffset != 0 {
				t.Errorf("record %d ScheduledOffset = %v, want 0", i, rec.ScheduledOffset)
			}
			if rec.SlotWait != wantSlotWait[i] {
				t.Errorf("record %d SlotWait = %v, want %v", i, rec.SlotWait, wantSlotWait[i])
			}
			if rec.SendDelay != wantSlotWait[i] {
				t.Errorf("record %d SendDelay = %v, want %v", i, rec.SendDelay, wantSlotWait[i])
			}
		}
	})
}

func TestClosedLoopUsers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w, _ := workload.Builtin("small")
		w.Concurrency = 2
		doer := &fakeDoer{latency: 10 * time.Millisecond}
		result, err := Run(t.Context(), Config{Workload: w, Requests: requests(5), Doer: doer})
		if err != nil {
			t.Fatal(err)
		}
		if doer.maxInFlight != 2 {
			t.Errorf("max in flight = %d, want 2 users", doer.maxInFlight)
		}

		// Each user sends its next request when the previous one completes.
		ms := time.Millisecond
		want := []time.Duration{0, 0, 10 * ms, 10 * ms, 20 * ms}
		got := offsetsOf(result.Records)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("scheduled offsets = %v, want %v", got, want)
		}
		for i, rec := range result.Records {
			if rec.Index != i || rec.SendDelay != 0 || rec.SlotWait != 0 {
				t.Errorf("record %d = index %d, send delay %v, slot wait %v", i, rec.Index, rec.SendDelay, rec.SlotWait)
			}
			if rec.MaxTokens != 16+i {
				t.Errorf("record %d came from request with MaxTokens %d", i, rec.MaxTokens)
			}
		}
	})
}

func TestWarmupFirstAndFlagged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w, _ := workload.Builtin("small")
		var progress [][3]int
		result, err := Run(t.Context(), Config{
			Workload: w, Warmup: requests(2), Requests: requests(3),
			Doer:     &fakeDoer{latency: 10 * time.Millisecond},
			Progress: func(done, failed, total int) { progress = append(progress, [3]int{done, failed, total}) },
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(result.Records) != 5 {
			t.Fatalf("got %d records, want 2 warm-up and 3 measured", len(result.Records))
		}
		for i, rec := range result.Records {
			wantWarmup, wantIndex := i < 2, i
			if i >= 2 {
				wantIndex = i - 2
			}
			if rec.Warmup != wantWarmup || rec.Index != wantIndex {
				t.Errorf("record %d: Warmup %v Index %d, want %v %d", i, rec.Warmup, rec.Index, wantWarmup, wantIndex)
			}
		}
		if !result.Start.After(result.WarmupStart) {
			t.Errorf("Start %v is not after WarmupStart %v", result.Start, result.WarmupStart)
		}
		want := [][3]int{{1, 0, 3}, {2, 0, 3}, {3, 0, 3}}
		if !slices.Equal(progress, want) {
			t.Errorf("progress = %v, want %v", progress, want)
		}
	})
}

func TestCancelStopsSending(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(250*time.Millisecond, cancel)

		var failedSeen int
		result, err := Run(ctx, Config{
			Workload: openWorkload(10, workload.ArrivalConstant), Requests: requests(10),
			Doer:     &fakeDoer{latency: time.Hour},
			Progress: func(done, failed, total int) { failedSeen = failed },
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run error = %v, want context.Canceled", err)
		}
		if len(result.Records) != 3 {
			t.Fatalf("got %d records, want the 3 sent before the cancel", len(result.Records))
		}
		for i, rec := range result.Records {
			if rec.Index != i || rec.Failure != record.FailureCanceled {
				t.Errorf("record %d: index %d failure %q, want canceled", i, rec.Index, rec.Failure)
			}
		}
		if failedSeen != 3 {
			t.Errorf("progress reported %d failed, want 3", failedSeen)
		}
		if got := result.End.Sub(result.Start); got != 250*time.Millisecond {
			t.Errorf("run ended %v after start, want 250ms", got)
		}
	})
}

func TestCancelDuringWarmup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(5*time.Millisecond, cancel)
		w, _ := workload.Builtin("small")
		doer := &fakeDoer{latency: time.Hour}
		result, err := Run(ctx, Config{Workload: w, Warmup: requests(8), Requests: requests(3), Doer: doer})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run error = %v, want context.Canceled", err)
		}
		for _, rec := range result.Records {
			if !rec.Warmup {
				t.Errorf("measured record %d exists after a cancel during warm-up", rec.Index)
			}
		}
		if doer.calls != w.Users() {
			t.Errorf("Doer called %d times, want %d (one per user)", doer.calls, w.Users())
		}
	})
}

func TestRunRejectsBadConfig(t *testing.T) {
	if _, err := Run(t.Context(), Config{Workload: openWorkload(10, workload.ArrivalConstant)}); err == nil {
		t.Error("Run without a Doer succeeded")
	}
	if _, err := Run(t.Context(), Config{Workload: openWorkload(-1, workload.ArrivalConstant), Doer: &fakeDoer{}}); err == nil {
		t.Error("Run with rate -1 succeeded")
	}
}
