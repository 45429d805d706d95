// Package record defines the per-request measurement that the load generator
// produces and every later stage (metrics, results, reports, charts) reads.
//
// A Record is the contract of the pipeline: summaries are always derived from
// records, never measured separately. All durations come from one monotonic
// clock. Request-relative durations (TTFT, E2E, token times) are measured from
// the request's scheduled send time, so client-side queueing shows up in them
// instead of being hidden. SendDelay and SlotWait measure how much of it there
// was.
package record

import "time"

// FailureKind classifies a failed request. The empty kind means success.
type FailureKind string

// Failure kinds, as they appear in summaries, reports and Parquet.
const (
	FailureNone      FailureKind = ""
	FailureConnect   FailureKind = "connect"      // dial, TLS or write error before any response
	FailureHTTP4xx   FailureKind = "http_4xx"     // response status 400-499
	FailureHTTP5xx   FailureKind = "http_5xx"     // response status 500-599 (and other non-2xx)
	FailureInBand    FailureKind = "in_band"      // an error object or event inside a 2xx stream
	FailureTimeout   FailureKind = "timeout"      // the per-request timeout expired
	FailureTruncated FailureKind = "truncated"    // the stream ended without [DONE] or finish_reason
	FailureNoToken   FailureKind = "no_token"     // the stream ended properly but carried no token
	FailureCanceled  FailureKind = "canceled"     // the run was interrupted while the request was in flight
	FailureProtocol  FailureKind = "bad_response" // a 2xx body that is not an event stream or not JSON
)

// FailureKinds lists every failure kind in report order.
var FailureKinds = []FailureKind{
	FailureConnect, FailureHTTP4xx, FailureHTTP5xx, FailureInBand,
	FailureTimeout, FailureTruncated, FailureNoToken, FailureCanceled, FailureProtocol,
}

// MaxErrorMessageLen is the number of bytes of a server's error message kept
// in a record.
const MaxErrorMessageLen = 200

// Record is one request's measurements.
type Record struct {
	// Cell identity.
	Framework string
	Model     string
	Workload  string

	// Index is the request's position in its workload, from 0. Warm-up
	// requests are numbered separately, also from 0.
	Index  int
	Warmup bool

	// Endpoint is the API path posted to, e.g. "/v1/completions".
	Endpoint string

	// ScheduledAt is the wall-clock time of the scheduled send. It is derived
	// from the workload's start instant plus ScheduledOffset, so it is only as
	// accurate as the wall clock at the start, but consistent within a run.
	ScheduledAt time.Time
	// ScheduledOffset is the scheduled send time since the workload started.
	ScheduledOffset time.Duration
	// SlotWait is the time spent waiting for a concurrency slot after the
	// scheduled send time.
	SlotWait time.Duration
	// SendDelay is the actual send time minus the scheduled send time. It
	// includes SlotWait and any lateness of the scheduler.
	SendDelay time.Duration

	// TTFT is the arrival of the first token-bearing event, since the
	// scheduled send. Zero and meaningless unless HasTTFT.
	TTFT    time.Duration
	HasTTFT bool
	// E2E is the arrival of the last token-bearing event, since the scheduled
	// send. Set together with TTFT.
	E2E time.Duration
	// StreamEnd is the arrival of [DONE] (or of EOF when the server never sent
	// [DONE]), or the moment a failed request was given up, since the
	// scheduled send.
	StreamEnd time.Duration

	// TokenTimes holds the arrival of every token-bearing event since the
	// scheduled send, in order. Events carried by one network read share a
	// time, so chunk ITLs may be zero.
	TokenTimes []time.Duration
	// TokensPerEvent holds, parallel to TokenTimes, the number of output
	// tokens each event carried when the server reported it (cumulative usage
	// on every chunk). It is nil when unknown.
	TokensPerEvent []int

	// OutputTokens is the server's last usage.completion_tokens, or an
	// estimate (OutputTokensEstimated) when the server sent no usage.
	// OutputTokensKnown is false when neither was available.
	OutputTokens          int
	OutputTokensKnown     bool
	OutputTokensEstimated bool
	// OutputTokensSource is the origin of OutputTokens: "usage", or
	// "estimated (<tokenizer>)".
	OutputTokensSource string

	// InputTokens is the server's usage.prompt_tokens (InputTokensKnown), else 0.
	InputTokens      int
	InputTokensKnown bool
	// InputTokensClient is the prompt length the client sent: exact for
	// token-id prompts, an estimate for text prompts; 0 when unknown.
	InputTokensClient int

	// MaxTokens and IgnoreEOS are the request's settings.
	MaxTokens int
	IgnoreEOS bool

	// FinishReason is the last finish_reason the server sent.
	FinishReason string
	// OutputText is the generated text, joined from all events (may be a
	// partial text for failed requests). Empty when text keeping is off.
	OutputText string

	// Status is the HTTP status code, 0 when no response arrived.
	Status int
	// OK is true when the request succeeded: 2xx, no in-band error, at least
	// one token-bearing event and a proper end of stream.
	OK bool
	// Failure is the failure kind when !OK.
	Failure FailureKind
	// ErrorMessage is the server's or the transport's error message, cut to
	// MaxErrorMessageLen bytes.
	ErrorMessage string
	// FailureLatency is the time from the scheduled send until the failure
	// was known. Zero for successful requests.
	FailureLatency time.Duration

	// UsageMismatch is set when the server's usage disagrees with what the
	// client saw (fewer completion tokens than token-bearing events, or
	// prompt tokens different from an exact client-side count).
	UsageMismatch bool
	// Warnings holds notes on this request that do not make it fail, e.g.
	// "finish_reason without [DONE]".
	Warnings []string
}

// ChunkITLs returns the gaps between consecutive token-bearing events, zeros
// included: len(TokenTimes)-1 entries.
func (r *Record) ChunkITLs() []time.Duration {
	if len(r.TokenTimes) < 2 {
		return nil
	}
	gaps := make([]time.Duration, 0, len(r.TokenTimes)-1)
	for i := 1; i < len(r.TokenTimes); i++ {
		gaps = append(gaps, r.TokenTimes[i]-r.TokenTimes[i-1])
	}
	return gaps
}

// TPOT returns (E2E - TTFT) / (OutputTokens - 1) and whether it is defined:
// the request succeeded and produced more than one known output token.
func (r *Record) TPOT() (time.Duration, bool) {
	if !r.OK || !r.HasTTFT || !r.OutputTokensKnown || r.OutputTokens <= 1 {
		return 0, false
	}
	return (r.E2E - r.TTFT) / time.Duration(r.OutputTokens-1), true
}

// Completion returns the request's completion time since the workload
// started: the scheduled send plus its stream end.
func (r *Record) Completion() time.Duration {
	return r.ScheduledOffset + r.StreamEnd
}
