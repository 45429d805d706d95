// Package resultstest generates deterministic request records for tests of
// the results, report and chart packages.
package resultstest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/record"
)

// Start is the wall-clock start of every generated workload.
var Start = time.Date(2025, 3, 14, 9, 26, 53, 589793000, time.UTC)

// Spec describes a generated cell.
type Spec struct {
	Framework, Model, Workload string
	// Seed makes the records reproducible.
	Seed uint64
	// Requests and Warmup are the numbers of measured and warm-up requests.
	Requests, Warmup int
	// MaxTokens is each request's max_tokens.
	MaxTokens int
	// TTFT and ITL are the median time to first token and the median gap
	// between tokens.
	TTFT, ITL time.Duration
	// Rate is the arrival rate in requests per second; 0 sends all at once.
	Rate float64
	// FailEvery makes every n-th measured request fail (0: none), cycling
	// through the failure kinds.
	FailEvery int
	// TokensPerChunk is how many tokens each stream event carries (at least
	// 1).
	TokensPerChunk int
	// Quirks adds the rarer cases: a short output despite ignore_eos, a
	// usage mismatch, an estimated token count, a missing usage, a slow send
	// and per-request warnings.
	Quirks bool
}

// failureKinds are the kinds generated failures cycle through.
var failureKinds = []record.FailureKind{
	record.FailureHTTP5xx, record.FailureTimeout, record.FailureTruncated,
	record.FailureInBand, record.FailureConnect, record.FailureNoToken,
}

// Records returns the warm-up records followed by the measured records.
func Records(spec Spec) []record.Record {
	rng := rand.New(rand.NewPCG(spec.Seed, spec.Seed^0x9e3779b97f4a7c15))
	perChunk := max(spec.TokensPerChunk, 1)

	var records []record.Record
	for i := range spec.Warmup {
		r := generate(rng, spec, i, 0, perChunk)
		r.Warmup = true
		records = append(records, r)
	}
	var offset time.Duration
	for i := range spec.Requests {
		if spec.Rate > 0 && i > 0 {
			offset += time.Duration(rng.ExpFloat64() / spec.Rate * float64(time.Second))
		}
		r := generate(rng, spec, i, offset, perChunk)
		if spec.FailEvery > 0 && (i+1)%spec.FailEvery == 0 {
			fail(&r, failureKinds[(i/spec.FailEvery)%len(failureKinds)], rng)
		}
		if spec.Quirks {
			addQuirks(&r, i)
		}
		records = append(records, r)
	}
	return records
}

// lognormal returns median times a log-normal factor with the given sigma.
func lognormal(rng *rand.Rand, median time.Duration, sigma float64) time.Duration {
	return time.Duration(float64(median) * math.Exp(sigma*rng.NormFloat64()))
}

func generate(rng *rand.Rand, spec Spec, index int, offset time.Duration, perChunk int) record.Record {
	sendDelay := time.Duration(rng.IntN(200_000)) + 50_000
	ttft := sendDelay + lognormal(rng, spec.TTFT, 0.25)
	var times []time.Duration
	var perEvent []int
	at := ttft
	for produced := 0; produced < spec.MaxTokens; produced += perChunk {
		if produced > 0 {
			at += lognormal(rng, spec.ITL*time.Duration(perChunk), 0.15)
		}
		times = append(times, at)
		perEvent = append(perEvent, min(perChunk, spec.MaxTokens-produced))
	}
	streamEnd := at + time.Duration(rng.IntN(300_000)) + 20_000
	inputTokens := 32 + rng.IntN(64)
	return record.Record{
		Framework:          spec.Framework,
		Model:              spec.Model,
		Workload:           spec.Workload,
		Index:              index,
		Endpoint:           "/v1/completions",
		ScheduledAt:        Start.Add(offset),
		ScheduledOffset:    offset,
		SendDelay:          sendDelay,
		TTFT:               ttft,
		HasTTFT:            true,
		E2E:                at,
		StreamEnd:          streamEnd,
		TokenTimes:         times,
		TokensPerEvent:     perEvent,
		OutputTokens:       spec.MaxTokens,
		OutputTokensKnown:  true,
		OutputTokensSource: "usage",
		InputTokens:        inputTokens,
		InputTokensKnown:   true,
		InputTokensClient:  inputTokens,
		MaxTokens:          spec.MaxTokens,
		IgnoreEOS:          true,
		FinishReason:       "length",
		OutputText:         fmt.Sprintf("output %d of %s", index, spec.Model),
		Status:             200,
		OK:                 true,
	}
}

// fail turns r into a failed request of the given kind.
func fail(r *record.Record, kind record.FailureKind, rng *rand.Rand) {
	r.OK = false
	r.Failure = kind
	r.FailureLatency = r.StreamEnd
	r.FinishReason = ""
	switch kind {
	case record.FailureHTTP5xx:
		r.Status = 503
		r.ErrorMessage = "503 Service Unavailable: server overloaded"
	case record.FailureConnect:
		r.Status = 0
		r.ErrorMessage = "dial tcp 127.0.0.1:8000: connect: connection refused"
	case record.FailureTimeout:
		r.ErrorMessage = "request timed out after 30s"
	case record.FailureInBand:
		r.ErrorMessage = "in-band error: CUDA out of memory"
	case record.FailureTruncated:
		r.ErrorMessage = "stream ended without [DONE] or finish_reason"
	case record.FailureNoToken:
		r.ErrorMessage = "stream carried no token"
	}
	switch kind {
	case record.FailureTruncated:
		keep := 1 + rng.IntN(len(r.TokenTimes))
		r.TokenTimes = r.TokenTimes[:keep]
		r.TokensPerEvent = r.TokensPerEvent[:keep]
		r.E2E = r.TokenTimes[keep-1]
		r.OutputTokensKnown = false
		r.OutputTokens = 0
		r.OutputTokensSource = ""
	default:
		r.TokenTimes = nil
		r.TokensPerEvent = nil
		r.HasTTFT = false
		r.TTFT = 0
		r.E2E = 0
		r.OutputTokens = 0
		r.OutputTokensKnown = false
		r.OutputTokensSource = ""
		r.OutputText = ""
	}
	if kind == record.FailureConnect {
		r.InputTokens = 0
		r.InputTokensKnown = false
	}
}

// addQuirks adds rare cases to some successful requests by index.
func addQuirks(r *record.Record, index int) {
	if !r.OK {
		return
	}
	switch index % 7 {
	case 1:
		// A short output although ignore_eos was set.
		keep := max(len(r.TokenTimes)/2, 1)
		r.TokenTimes = r.TokenTimes[:keep]
		r.TokensPerEvent = r.TokensPerEvent[:keep]
		r.E2E = r.TokenTimes[keep-1]
		r.OutputTokens = 0
		for _, n := range r.TokensPerEvent {
			r.OutputTokens += n
		}
		r.FinishReason = "stop"
	case 2:
		r.UsageMismatch = true
		r.InputTokens = r.InputTokensClient + 1
	case 3:
		r.OutputTokensEstimated = true
		r.OutputTokensSource = "estimated (whitespace)"
		r.TokensPerEvent = nil
		r.InputTokensKnown = false
		r.InputTokens = 0
	case 4:
		// Client-side queueing: every later time moves with the send.
		shift := 45*time.Millisecond - r.SendDelay
		r.SlotWait = 40 * time.Millisecond
		r.SendDelay = 45 * time.Millisecond
		r.TTFT += shift
		r.E2E += shift
		r.StreamEnd += shift
		for i := range r.TokenTimes {
			r.TokenTimes[i] += shift
		}
		r.Warnings = []string{"finish_reason without [DONE]"}
	}
}
