package results

import (
	"math"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/record"
)

// RequestRow is one row of requests.parquet: one request of one cell. Every
// duration is a float64 number of milliseconds, unrounded, so that
// Record -> RequestRow -> Record returns the same durations to the
// nanosecond for runs shorter than about 100 days. Request-relative durations
// count from the request's scheduled send time.
type RequestRow struct {
	// Framework is the serving engine, e.g. "vllm".
	Framework string `parquet:"framework,dict"`
	// Model is the Hugging Face repository id, e.g. "facebook/opt-125m".
	Model string `parquet:"model,dict"`
	// Workload is the workload name, e.g. "medium".
	Workload string `parquet:"workload,dict"`
	// RequestIndex is the request's position in its workload, from 0;
	// warm-up requests are numbered separately, also from 0.
	RequestIndex int64 `parquet:"request_index"`
	// Warmup is true for warm-up requests, which no summary counts.
	Warmup bool `parquet:"warmup"`
	// Endpoint is the API path posted to, e.g. "/v1/completions".
	Endpoint string `parquet:"endpoint,dict"`
	// ScheduledAt is the wall-clock time of the scheduled send, in UTC with
	// microsecond precision.
	ScheduledAt time.Time `parquet:"scheduled_at,timestamp(microsecond:utc)"`
	// ScheduledOffsetMs is the scheduled send time since the workload
	// started, in milliseconds.
	ScheduledOffsetMs float64 `parquet:"scheduled_offset_ms"`
	// SlotWaitMs is the wait for a concurrency slot after the scheduled send
	// time, in milliseconds.
	SlotWaitMs float64 `parquet:"slot_wait_ms"`
	// SendDelayMs is the actual send time minus the scheduled send time, in
	// milliseconds; it includes SlotWaitMs.
	SendDelayMs float64 `parquet:"send_delay_ms"`
	// TTFTMs is the time to the first token-bearing event in milliseconds;
	// null when no token arrived.
	TTFTMs *float64 `parquet:"ttft_ms,optional"`
	// E2EMs is the time to the last token-bearing event in milliseconds;
	// null when no token arrived.
	E2EMs *float64 `parquet:"e2e_ms,optional"`
	// StreamEndMs is the time to [DONE], EOF or the failure, in milliseconds.
	StreamEndMs float64 `parquet:"stream_end_ms"`
	// TokenTimesMs holds the arrival of every token-bearing event in
	// milliseconds, in order. Chunk inter-token latencies are the
	// differences of consecutive entries; they are not stored, because a
	// second list column made the file about 70% larger.
	TokenTimesMs []float64 `parquet:"token_times_ms,list"`
	// TokensPerEvent holds, parallel to TokenTimesMs, the output tokens each
	// event carried. It is null when the server did not report them.
	TokensPerEvent []int32 `parquet:"tokens_per_event,list,optional"`
	// OutputTokens is the server's last usage.completion_tokens or an
	// estimate; null when neither was available.
	OutputTokens *int64 `parquet:"output_tokens,optional"`
	// OutputTokensEstimated is true when OutputTokens is an estimate.
	OutputTokensEstimated bool `parquet:"output_tokens_estimated"`
	// OutputTokensSource is the origin of OutputTokens: "usage" or
	// "estimated (<tokenizer>)".
	OutputTokensSource string `parquet:"output_tokens_source,dict"`
	// InputTokens is the server's usage.prompt_tokens; null when the server
	// sent none.
	InputTokens *int64 `parquet:"input_tokens,optional"`
	// InputTokensClient is the prompt length the client sent, 0 when unknown.
	InputTokensClient int64 `parquet:"input_tokens_client"`
	// MaxTokens is the request's max_tokens.
	MaxTokens int64 `parquet:"max_tokens"`
	// IgnoreEOS is the request's ignore_eos.
	IgnoreEOS bool `parquet:"ignore_eos"`
	// FinishReason is the last finish_reason the server sent.
	FinishReason string `parquet:"finish_reason,dict"`
	// OutputText is the generated text; empty when text keeping is off.
	OutputText string `parquet:"output_text"`
	// Status is the HTTP status code, 0 when no response arrived.
	Status int32 `parquet:"status"`
	// OK is true when the request succeeded.
	OK bool `parquet:"ok"`
	// FailureKind is the failure kind (connect, http_4xx, http_5xx, in_band,
	// timeout, truncated, no_token, canceled, bad_response); null on success.
	FailureKind *string `parquet:"failure_kind,optional,dict"`
	// ErrorMessage is the server's or the transport's error message.
	ErrorMessage string `parquet:"error_message"`
	// FailureLatencyMs is the time until the failure was known, in
	// milliseconds; null for successful requests.
	FailureLatencyMs *float64 `parquet:"failure_latency_ms,optional"`
	// UsageMismatch is true when the server's usage disagreed with what the
	// client saw.
	UsageMismatch bool `parquet:"usage_mismatch"`
	// Warnings holds notes on the request that did not make it fail.
	Warnings []string `parquet:"warnings,list"`
}

// toMs converts a duration to float64 milliseconds without rounding.
func toMs(d time.Duration) float64 { return float64(d) / 1e6 }

// fromMs converts float64 milliseconds back to the nearest nanosecond.
func fromMs(ms float64) time.Duration { return time.Duration(math.Round(ms * 1e6)) }

func msPtr(d time.Duration) *float64 {
	v := toMs(d)
	return &v
}

func int64Ptr(v int) *int64 {
	n := int64(v)
	return &n
}

// rowOf converts a record to its Parquet row.
func rowOf(r *record.Record) RequestRow {
	row := RequestRow{
		Framework:             r.Framework,
		Model:                 r.Model,
		Workload:              r.Workload,
		RequestIndex:          int64(r.Index),
		Warmup:                r.Warmup,
		Endpoint:              r.Endpoint,
		ScheduledAt:           r.ScheduledAt.UTC(),
		ScheduledOffsetMs:     toMs(r.ScheduledOffset),
		SlotWaitMs:            toMs(r.SlotWait),
		SendDelayMs:           toMs(r.SendDelay),
		StreamEndMs:           toMs(r.StreamEnd),
		OutputTokensEstimated: r.OutputTokensEstimated,
		OutputTokensSource:    r.OutputTokensSource,
		InputTokensClient:     int64(r.InputTokensClient),
		MaxTokens:             int64(r.MaxTokens),
		IgnoreEOS:             r.IgnoreEOS,
		FinishReason:          r.FinishReason,
		OutputText:            r.OutputText,
		Status:                int32(r.Status),
		OK:                    r.OK,
		ErrorMessage:          r.ErrorMessage,
		UsageMismatch:         r.UsageMismatch,
		Warnings:              r.Warnings,
	}
	if r.HasTTFT {
		row.TTFTMs = msPtr(r.TTFT)
		row.E2EMs = msPtr(r.E2E)
	}
	if len(r.TokenTimes) > 0 {
		row.TokenTimesMs = make([]float64, len(r.TokenTimes))
		for i, t := range r.TokenTimes {
			row.TokenTimesMs[i] = toMs(t)
		}
	}
	if r.TokensPerEvent != nil {
		row.TokensPerEvent = make([]int32, len(r.TokensPerEvent))
		for i, n := range r.TokensPerEvent {
			row.TokensPerEvent[i] = int32(n)
		}
	}
	if r.OutputTokensKnown {
		row.OutputTokens = int64Ptr(r.OutputTokens)
	}
	if r.InputTokensKnown {
		row.InputTokens = int64Ptr(r.InputTokens)
	}
	if r.Failure != record.FailureNone {
		kind := string(r.Failure)
		row.FailureKind = &kind
	}
	if !r.OK || r.FailureLatency != 0 {
		row.FailureLatencyMs = msPtr(r.FailureLatency)
	}
	return row
}

// recordOf converts a Parquet row back to a record. Empty lists become nil
// slices, and ScheduledAt comes back in UTC without a monotonic reading.
func recordOf(row *RequestRow) record.Record {
	r := record.Record{
		Framework:             row.Framework,
		Model:                 row.Model,
		Workload:              row.Workload,
		Index:                 int(row.RequestIndex),
		Warmup:                row.Warmup,
		Endpoint:              row.Endpoint,
		ScheduledAt:           row.ScheduledAt.UTC(),
		ScheduledOffset:       fromMs(row.ScheduledOffsetMs),
		SlotWait:              fromMs(row.SlotWaitMs),
		SendDelay:             fromMs(row.SendDelayMs),
		StreamEnd:             fromMs(row.StreamEndMs),
		OutputTokensEstimated: row.OutputTokensEstimated,
		OutputTokensSource:    row.OutputTokensSource,
		InputTokensClient:     int(row.InputTokensClient),
		MaxTokens:             int(row.MaxTokens),
		IgnoreEOS:             row.IgnoreEOS,
		FinishReason:          row.FinishReason,
		OutputText:            row.OutputText,
		Status:                int(row.Status),
		OK:                    row.OK,
		ErrorMessage:          row.ErrorMessage,
		UsageMismatch:         row.UsageMismatch,
	}
	if row.TTFTMs != nil {
		r.HasTTFT = true
		r.TTFT = fromMs(*row.TTFTMs)
	}
	if row.E2EMs != nil {
		r.E2E = fromMs(*row.E2EMs)
	}
	if len(row.TokenTimesMs) > 0 {
		r.TokenTimes = make([]time.Duration, len(row.TokenTimesMs))
		for i, ms := range row.TokenTimesMs {
			r.TokenTimes[i] = fromMs(ms)
		}
	}
	if row.TokensPerEvent != nil {
		r.TokensPerEvent = make([]int, len(row.TokensPerEvent))
		for i, n := range row.TokensPerEvent {
			r.TokensPerEvent[i] = int(n)
		}
	}
	if row.OutputTokens != nil {
		r.OutputTokensKnown = true
		r.OutputTokens = int(*row.OutputTokens)
	}
	if row.InputTokens != nil {
		r.InputTokensKnown = true
		r.InputTokens = int(*row.InputTokens)
	}
	if row.FailureKind != nil {
		r.Failure = record.FailureKind(*row.FailureKind)
	}
	if row.FailureLatencyMs != nil {
		r.FailureLatency = fromMs(*row.FailureLatencyMs)
	}
	if len(row.Warnings) > 0 {
		r.Warnings = row.Warnings
	}
	return r
}
