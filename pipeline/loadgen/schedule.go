// Package loadgen offers a workload's requests to a server. Closed loop, a
// number of users each send their next request when the previous one
// completes. Open loop, requests are sent at absolute times drawn from an
// arrival process, with an optional cap on requests in flight.
package loadgen

import (
	"math"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/llmbench/llmbench-action/pipeline/workload"
)

// streamArrival is the PCG stream of the default arrival generator, apart
// from the streams that draw the prompts.
const streamArrival = 3

// Schedule returns the send times of n open-loop requests as offsets from
// the workload's start. The first request is sent at 0. Gaps between
// requests are 1/rate (constant), exponential with mean 1/rate (poisson) or
// gamma with shape burstiness and mean 1/rate (gamma). A rate of +Inf sends
// every request at 0. Offsets are absolute: each is the sum of
// the gaps before it, kept in float64 seconds, so rounding does not
// accumulate and the achieved rate does not drift. An offset beyond the
// range of time.Duration (about 292 years) is clamped to its maximum.
//
// Schedule returns nil for closed-loop workloads (rate 0) and for n <= 0.
// A nil rng means a generator seeded with the workload's seed.
func Schedule(w workload.Workload, n int, rng *rand.Rand) []time.Duration {
	if n <= 0 || !(w.RequestRate > 0) {
		return nil
	}
	offsets := make([]time.Duration, n)
	if w.Infinite() {
		return offsets
	}
	if rng == nil {
		rng = rand.New(rand.NewPCG(uint64(w.Seed), streamArrival))
	}

	if w.Arrival == workload.ArrivalConstant {
		for i := range offsets {
			offsets[i] = seconds(float64(i) / w.RequestRate)
		}
		return offsets
	}

	gap := func() float64 { return rng.ExpFloat64() / w.RequestRate }
	if w.Arrival == workload.ArrivalGamma {
		shape := w.Burstiness
		if !(shape > 0) || math.IsInf(shape, 0) {
			shape = 1
		}
		dist := distuv.Gamma{Alpha: shape, Beta: shape * w.RequestRate, Src: rng}
		gap = dist.Rand
	}

	elapsed := 0.0
	for i := range offsets {
		offsets[i] = seconds(elapsed)
		elapsed += gap()
	}
	return offsets
}

// seconds converts seconds to a Duration, clamping values outside the range
// of Duration (and NaN) instead of overflowing.
func seconds(s float64) time.Duration {
	ns := s * float64(time.Second)
	switch {
	case math.IsNaN(ns) || ns <= 0:
		return 0
	case ns >= math.MaxInt64:
		return time.Duration(math.MaxInt64)
	default:
		return time.Duration(ns)
	}
}
