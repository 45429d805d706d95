package metrics

import (
	"math"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/record"
	"github.com/llmbench/llmbench-action/pipeline/workload"
)

// SLO sets optional service-level objectives for goodput. A zero value
// means the objective is not set.
type SLO struct {
	TTFT time.Duration
	TPOT time.Duration
	E2E  time.Duration
}

// Options are the per-cell settings a summary depends on besides the records.
// They are stored with the results so that a summary can be recomputed from
// requests.parquet alone.
type Options struct {
	// PricePerHourUSD is the price of the server's hardware per hour; 0 means
	// unknown, and the cost fields stay nil.
	PricePerHourUSD float64
	SLO             SLO
	// TargetRate is the workload's request rate in requests per second:
	// 0 for closed loop, +Inf for "inf".
	TargetRate  float64
	Concurrency int
}

// FailureUnknown is the kind counted for a failed record that carries no
// failure kind.
const FailureUnknown record.FailureKind = "unknown"

// Summarize derives the summary of one cell from its records. Warm-up
// records are ignored. Failed requests are counted by kind and left out of
// every latency distribution and of the token totals and throughputs. The
// result depends only on the set of records, not on their order.
//
// Definitions, all over the measured (non-warm-up) records:
//   - TTFT and E2E (last token) per successful request with a token; TPOT
//     per successful request with more than one known output token, as
//     Record.TPOT computes it.
//   - ITL: every gap between token-bearing events, zeros included; ITLToken
//     spreads each gap over the tokens its event carried (appendTokenITLs).
//   - The window runs from the first scheduled send to the last completion
//     (Record.Completion), failed requests included. Throughputs and goodput
//     are per second of it and nil when it is empty.
//   - Input tokens are the server's usage.prompt_tokens, or the client's
//     count when the server sent none (counted in InputTokensFromClient).
//     Output tokens are Record.OutputTokens when known, estimates included
//     (counted in OutputTokensEstimated). Requests whose count is unknown
//     are counted in OutputTokensUnknown. When there is any, the token
//     throughputs and both costs are nil, because the total is an
//     undercount. Both fallbacks add a warning.
//   - Goodput counts successful requests that meet every set SLO. A request
//     with exactly one output token meets the TPOT objective, as in vLLM's
//     benchmark; one whose output token count is unknown does not.
//   - GoodRequests counts them, and the SLO thresholds are copied into the
//     summary in milliseconds.
//   - AchievedRate is (n-1) / (last send - first send) over the actual sends
//     (ScheduledOffset + SendDelay) of all measured requests, for open loop
//     only. It is nil for closed loop (target rate 0), whose sends follow
//     completions, so that a burst of simultaneous first sends gives a
//     meaningless rate. It is also nil for a target rate of +Inf, because
//     those sends all fall at about 0, and for fewer than 2 sends or a zero
//     span.
func Summarize(framework, model, workloadName string, records []record.Record, opts Options) Summary {
	s := Summary{
		Framework:   framework,
		Model:       model,
		Workload:    workloadName,
		Failures:    map[record.FailureKind]int{},
		TargetRate:  workload.FormatRate(opts.TargetRate),
		Concurrency: opts.Concurrency,
	}

	var samples struct{ ttft, tpot, itl, itlToken, e2e []float64 }
	var window windowBounds
	var sends []time.Duration
	var notes noteCounter
	goodCount := 0

	for i := range records {
		r := &records[i]
		if r.Warmup {
			continue
		}
		s.RequestsTotal++
		window.add(r.ScheduledOffset, r.Completion())
		sends = append(sends, r.ScheduledOffset+r.SendDelay)
		if r.UsageMismatch {
			s.UsageMismatches++
		}
		for _, w := range r.Warnings {
			notes.add(w)
		}

		if !r.OK {
			s.RequestsFailed++
			kind := r.Failure
			if kind == record.FailureNone {
				kind = FailureUnknown
			}
			s.Failures[kind]++
			continue
		}

		s.RequestsOK++
		if r.HasTTFT {
			samples.ttft = append(samples.ttft, ms(r.TTFT))
			samples.e2e = append(samples.e2e, ms(r.E2E))
		}
		if tpot, ok := r.TPOT(); ok {
			samples.tpot = append(samples.tpot, ms(tpot))
		}
		for _, gap := range r.ChunkITLs() {
			samples.itl = append(samples.itl, ms(gap))
		}
		samples.itlToken = appendTokenITLs(samples.itlToken, r)

		s.addTokens(r)
		if short, ok := shortOutput(r); ok {
			s.ShortOutputs++
			notes.add(short)
		}
		if meetsSLO(r, opts.SLO) {
			goodCount++
		}
	}

	s.TTFT = newDistribution(samples.ttft)
	s.TPOT = newDistribution(samples.tpot)
	s.ITL = newDistribution(samples.itl)
	s.ITLToken = newDistribution(samples.itlToken)
	s.E2E = newDistribution(samples.e2e)

	s.DurationS = window.seconds()
	s.RequestThroughput = perSecond(float64(s.RequestsOK), s.DurationS)
	if opts.SLO != (SLO{}) {
		s.GoodRequests = goodCount
		s.Goodput = perSecond(float64(goodCount), s.DurationS)
	}
	s.SLOTTFTMs, s.SLOTPOTMs, s.SLOE2EMs = sloMs(opts.SLO.TTFT), sloMs(opts.SLO.TPOT), sloMs(opts.SLO.E2E)
	// A total that leaves out requests of unknown length is an undercount,
	// so the token throughputs and costs stay nil rather than look measured.
	if s.OutputTokensUnknown == 0 {
		s.OutputTokenThroughput = perSecond(float64(s.OutputTokens), s.DurationS)
		s.TotalTokenThroughput = perSecond(float64(s.InputTokens)+float64(s.OutputTokens), s.DurationS)
		s.CostPer1MOutputTokensUSD = costPer1M(opts.PricePerHourUSD, s.DurationS, s.OutputTokens)
		s.CostPer1MTotalTokensUSD = costPer1M(opts.PricePerHourUSD, s.DurationS, s.InputTokens+s.OutputTokens)
	}

	if opts.TargetRate > 0 && !math.IsInf(opts.TargetRate, 1) {
		s.AchievedRate = achievedRate(sends)
	}
	if s.OutputTokensUnknown > 0 {
		notes.addCount(s.OutputTokensUnknown, warnOutputTokensUnknown)
	}
	if s.InputTokensFromClient > 0 {
		notes.addCount(s.InputTokensFromClient, warnInputTokensFromClient)
	}
	if s.UsageMismatches > 0 {
		notes.addCount(s.UsageMismatches, "server usage disagreed with the client's count of tokens or events")
	}
	s.Warnings = notes.lines()
	return s
}

// addTokens adds a successful request's token counts to the totals.
func (s *Summary) addTokens(r *record.Record) {
	switch {
	case !r.OutputTokensKnown:
		s.OutputTokensUnknown++
	case r.OutputTokens > 0:
		s.OutputTokens += r.OutputTokens
		if r.OutputTokensEstimated {
			s.OutputTokensEstimated++
		}
	}
	switch {
	case r.InputTokensKnown && r.InputTokens > 0:
		s.InputTokens += r.InputTokens
	case !r.InputTokensKnown && r.InputTokensClient > 0:
		s.InputTokens += r.InputTokensClient
		s.InputTokensFromClient++
	}
}

// meetsSLO reports whether a successful request met every set objective.
func meetsSLO(r *record.Record, slo SLO) bool {
	if slo.TTFT > 0 && (!r.HasTTFT || r.TTFT > slo.TTFT) {
		return false
	}
	if slo.E2E > 0 && (!r.HasTTFT || r.E2E > slo.E2E) {
		return false
	}
	if slo.TPOT > 0 {
		tpot, ok := r.TPOT()
		oneToken := r.OutputTokensKnown && r.OutputTokens == 1
		if ok && tpot > slo.TPOT || !ok && !oneToken {
			return false
		}
	}
	return true
}

// sloMs returns an SLO threshold in milliseconds, nil when it is not set.
func sloMs(d time.Duration) *float64 {
	if d <= 0 {
		return nil
	}
	return ptr(ms(d))
}

// windowBounds tracks the first scheduled send and the last completion.
type windowBounds struct {
	first, last time.Duration
	set         bool
}

func (w *windowBounds) add(scheduled, completion time.Duration) {
	if !w.set {
		w.first, w.last, w.set = scheduled, completion, true
		return
	}
	w.first = min(w.first, scheduled)
	w.last = max(w.last, completion)
}

// seconds returns the window's length, 0 when it is empty or negative.
func (w *windowBounds) seconds() float64 {
	if !w.set || w.last <= w.first {
		return 0
	}
	return (w.last - w.first).Seconds()
}

// perSecond returns count/durationS, nil when the window is empty.
func perSecond(count, durationS float64) *float64 {
	if !(durationS > 0) {
		return nil
	}
	return ptr(count / durationS)
}

// achievedRate returns (n-1) / (last send - first send) in requests per
// second, nil for fewer than 2 sends or a zero span.
func achievedRate(sends []time.Duration) *float64 {
	if len(sends) < 2 {
		return nil
	}
	first, last := sends[0], sends[0]
	for _, t := range sends[1:] {
		first, last = min(first, t), max(last, t)
	}
	if last <= first {
		return nil
	}
	return ptr(float64(len(sends)-1) / (last - first).Seconds())
}
