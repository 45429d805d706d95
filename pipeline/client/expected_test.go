package client

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/record"
)

// expected is the right record for a fixture, with times in milliseconds
// from the moment the request was written.
type expected struct {
	id string

	ok      bool
	failure record.FailureKind
	status  int

	tokenTimesMS   []int // arrival of each token-bearing event
	streamEndMS    int
	failureLatency int // ms, for failed requests; -1 means the request timeout

	outputTokens   int
	outputKnown    bool
	estimated      bool
	inputTokens    int
	inputKnown     bool
	tokensPerEvent []int

	text            string
	finishReason    string
	messagePrefix   string
	warnings        int
	tokenizer       string
	requestContains string
}

// expectations holds the right values of the conventions in
// testdata/streams/README.md for every per-request fixture.
var expectations = []expected{
	{id: "c01", ok: true, status: 200, tokenTimesMS: []int{214, 239, 265}, streamEndMS: 267,
		outputTokens: 3, outputKnown: true, inputTokens: 9, inputKnown: true,
		text: "Hello there!", finishReason: "stop"},
	{id: "c02", ok: true, status: 200, tokenTimesMS: []int{120, 140, 160, 180}, streamEndMS: 182,
		outputTokens: 4, outputKnown: true, inputTokens: 12, inputKnown: true,
		text: "The sky is blue", finishReason: "stop"},
	{id: "c04", ok: true, status: 200, tokenTimesMS: []int{95, 118, 141, 164, 187}, streamEndMS: 188,
		outputTokens: 5, outputKnown: true, inputTokens: 15, inputKnown: true,
		text: "Deep learning is neat.", finishReason: "stop"},
	{id: "c06", ok: true, status: 200, tokenTimesMS: []int{300, 300, 300, 330}, streamEndMS: 332,
		outputTokens: 4, outputKnown: true, inputTokens: 11, inputKnown: true,
		text: "The answer is 42", finishReason: "stop"},
	{id: "c07", ok: true, status: 200, tokenTimesMS: []int{2850, 2880, 2910}, streamEndMS: 2912,
		outputTokens: 3, outputKnown: true, inputTokens: 3000, inputKnown: true,
		text: "Sure thing.", finishReason: "stop"},
	{id: "c08", failure: record.FailureTruncated, status: 200, tokenTimesMS: []int{130, 155, 180},
		streamEndMS: 181, failureLatency: 181, text: "One, two"},
	{id: "c10", failure: record.FailureHTTP4xx, status: 400, streamEndMS: 3, failureLatency: 3,
		messagePrefix: "This model's maximum context length is 4096 tokens."},
	{id: "c11", ok: true, status: 200, tokenTimesMS: []int{201, 230, 262}, streamEndMS: 264,
		outputTokens: 3, outputKnown: true, inputTokens: 14, inputKnown: true,
		text: "你好世界 🌍", finishReason: "stop"},
	{id: "c13", ok: true, status: 200, tokenTimesMS: []int{90, 110, 130, 150, 170}, streamEndMS: 172,
		outputTokens: 5, outputKnown: true, inputTokens: 8, inputKnown: true,
		text: "Hello! How can I", finishReason: "stop", requestContains: `"ignore_eos":true`},
	{id: "c18", failure: record.FailureTimeout, status: 200, tokenTimesMS: []int{150, 180},
		failureLatency: -1, text: "Hello wor"},
	{id: "c20", ok: true, status: 200, tokenTimesMS: []int{110, 130, 150}, streamEndMS: 152,
		outputTokens: 2, outputKnown: true, estimated: true, tokenizer: TokenizerGPT2,
		text: "Hello world", finishReason: "stop"},
	{id: "c20", ok: true, status: 200, tokenTimesMS: []int{110, 130, 150}, streamEndMS: 152,
		text: "Hello world", finishReason: "stop"}, // no tokenizer: output tokens unknown
	{id: "c21", ok: true, status: 200, tokenTimesMS: []int{130, 150, 170}, streamEndMS: 172,
		outputTokens: 3, outputKnown: true, inputTokens: 10, inputKnown: true, tokensPerEvent: []int{1, 1, 1},
		text: "ABC", finishReason: "stop"},
}

// name returns the subtest name of e.
func (e expected) name() string {
	if e.id == "c20" && e.tokenizer == "" {
		return "c20-no-tokenizer"
	}
	return e.id
}

// timeMapper maps an expected fixture time to the window of times, relative
// to the scheduled send, in which the client should have measured it.
type timeMapper func(ms int) (earliest, latest time.Duration)

// tolerance is the allowed gap between a measured time and its window.
type tolerance time.Duration

// checkRecord compares rec with e. Counts, texts and kinds are exact and
// reported with t.Errorf. Times must fall in the window of want widened by
// tol, and misses are reported with timingErrorf.
func checkRecord(t *testing.T, e expected, rec record.Record, timeout time.Duration, want timeMapper, tol tolerance, timingErrorf func(format string, args ...any)) {
	t.Helper()
	near := func(field string, got time.Duration, ms int, shift time.Duration) {
		t.Helper()
		earliest, latest := want(ms)
		earliest, latest = earliest+shift-time.Duration(tol), latest+shift+time.Duration(tol)
		if got < earliest || got > latest {
			timingErrorf("%s = %v, want %dms: between %v and %v", field, got, ms, earliest, latest)
		}
	}

	if rec.OK != e.ok {
		t.Errorf("OK = %v, want %v (failure %q: %s)", rec.OK, e.ok, rec.Failure, rec.ErrorMessage)
	}
	if rec.Failure != e.failure {
		t.Errorf("Failure = %q, want %q (%s)", rec.Failure, e.failure, rec.ErrorMessage)
	}
	if rec.Status != e.status {
		t.Errorf("Status = %d, want %d", rec.Status, e.status)
	}

	if len(rec.TokenTimes) != len(e.tokenTimesMS) {
		t.Errorf("token-bearing events = %d (%v), want %d", len(rec.TokenTimes), rec.TokenTimes, len(e.tokenTimesMS))
	} else {
		for i, ms := range e.tokenTimesMS {
			near(fmt.Sprintf("TokenTimes[%d]", i), rec.TokenTimes[i], ms, 0)
		}
	}

	if e.ok {
		if !rec.HasTTFT {
			t.Errorf("HasTTFT = false, want true")
		}
		near("TTFT", rec.TTFT, e.tokenTimesMS[0], 0)
		near("E2E", rec.E2E, e.tokenTimesMS[len(e.tokenTimesMS)-1], 0)
		near("StreamEnd", rec.StreamEnd, e.streamEndMS, 0)
		if rec.FailureLatency != 0 {
			t.Errorf("FailureLatency = %v on a success, want 0", rec.FailureLatency)
		}
	} else {
		if rec.HasTTFT || rec.TTFT != 0 || rec.E2E != 0 {
			t.Errorf("failed record has TTFT %v (HasTTFT %v), E2E %v; want none", rec.TTFT, rec.HasTTFT, rec.E2E)
		}
		if rec.OutputTokens != 0 || rec.OutputTokensKnown {
			t.Errorf("failed record credited %d output tokens (known %v)", rec.OutputTokens, rec.OutputTokensKnown)
		}
		if e.failureLatency < 0 {
			near("FailureLatency", rec.FailureLatency, 0, timeout)
		} else {
			near("FailureLatency", rec.FailureLatency, e.failureLatency, 0)
		}
		if rec.ErrorMessage == "" {
			t.Errorf("ErrorMessage is empty")
		}
	}

	if rec.OutputTokens != e.outputTokens || rec.OutputTokensKnown != e.outputKnown || rec.OutputTokensEstimated != e.estimated {
		t.Errorf("output tokens = %d (known %v, estimated %v), want %d (known %v, estimated %v)",
			rec.OutputTokens, rec.OutputTokensKnown, rec.OutputTokensEstimated, e.outputTokens, e.outputKnown, e.estimated)
	}
	wantSource := ""
	switch {
	case e.estimated:
		wantSource = "estimated (gpt2)"
	case e.outputKnown:
		wantSource = "usage"
	}
	if rec.OutputTokensSource != wantSource {
		t.Errorf("OutputTokensSource = %q, want %q", rec.OutputTokensSource, wantSource)
	}
	if rec.InputTokens != e.inputTokens || rec.InputTokensKnown != e.inputKnown {
		t.Errorf("input tokens = %d (known %v), want %d (known %v)", rec.InputTokens, rec.InputTokensKnown, e.inputTokens, e.inputKnown)
	}
	if !equalInts(rec.TokensPerEvent, e.tokensPerEvent) {
		t.Errorf("TokensPerEvent = %v, want %v", rec.TokensPerEvent, e.tokensPerEvent)
	}
	if rec.OutputText != e.text {
		t.Errorf("OutputText = %q, want %q", rec.OutputText, e.text)
	}
	if rec.FinishReason != e.finishReason {
		t.Errorf("FinishReason = %q, want %q", rec.FinishReason, e.finishReason)
	}
	if !strings.HasPrefix(rec.ErrorMessage, e.messagePrefix) {
		t.Errorf("ErrorMessage = %q, want prefix %q", rec.ErrorMessage, e.messagePrefix)
	}
	if len(rec.ErrorMessage) > record.MaxErrorMessageLen {
		t.Errorf("ErrorMessage has %d bytes, more than %d", len(rec.ErrorMessage), record.MaxErrorMessageLen)
	}
	if len(rec.Warnings) != e.warnings {
		t.Errorf("Warnings = %q, want %d", rec.Warnings, e.warnings)
	}
	if rec.UsageMismatch {
		t.Errorf("UsageMismatch = true, want false")
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
