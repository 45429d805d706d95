package metrics

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/record"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const msD = time.Millisecond

// okRecord returns a successful request scheduled at offset, with token
// events at times (ms since the scheduled send) and out output tokens from
// usage. Its stream ends 2 ms after the last token.
func okRecord(index int, offset time.Duration, out int, times ...int) record.Record {
	r := record.Record{
		Index: index, ScheduledOffset: offset, OK: true,
		OutputTokens: out, OutputTokensKnown: true, OutputTokensSource: "usage",
	}
	for _, t := range times {
		r.TokenTimes = append(r.TokenTimes, time.Duration(t)*msD)
	}
	if len(times) > 0 {
		r.HasTTFT = true
		r.TTFT = r.TokenTimes[0]
		r.E2E = r.TokenTimes[len(r.TokenTimes)-1]
		r.StreamEnd = r.E2E + 2*msD
	}
	return r
}

func failedRecord(index int, offset time.Duration, kind record.FailureKind, latency time.Duration) record.Record {
	return record.Record{Index: index, ScheduledOffset: offset, Failure: kind, FailureLatency: latency, StreamEnd: latency}
}

func approx(t *testing.T, name string, got *float64, want float64) {
	t.Helper()
	if got == nil {
		t.Errorf("%s = nil, want %v", name, want)
		return
	}
	if math.Abs(*got-want) > 1e-9*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %v, want %v", name, *got, want)
	}
}

func isNil(t *testing.T, name string, got *float64) {
	t.Helper()
	if got != nil {
		t.Errorf("%s = %v, want nil", name, *got)
	}
}

// TestSummarizeServerPromptTokens: 10 chat requests whose prompts the client
// counts as 100 tokens and the server as 108 (chat template markers), 50
// output tokens each, over 10.0 s at $3.60 per hour.
func TestSummarizeServerPromptTokens(t *testing.T) {
	var records []record.Record
	for i := range 10 {
		r := okRecord(i, time.Duration(i)*900*msD, 50, 100, 120, 140)
		r.InputTokens, r.InputTokensKnown, r.InputTokensClient = 108, true, 100
		if i == 9 {
			r.StreamEnd = 10*time.Second - r.ScheduledOffset
		}
		records = append(records, r)
	}

	s := Summarize("vllm", "m", "c15", records, Options{PricePerHourUSD: 3.6})
	if s.DurationS != 10 {
		t.Fatalf("DurationS = %v, want 10", s.DurationS)
	}
	if s.InputTokens != 1080 {
		t.Errorf("InputTokens = %d, want 1080 from the server's usage", s.InputTokens)
	}
	if s.OutputTokens != 500 {
		t.Errorf("OutputTokens = %d, want 500", s.OutputTokens)
	}
	if s.InputTokensFromClient != 0 {
		t.Errorf("InputTokensFromClient = %d, want 0", s.InputTokensFromClient)
	}
	approx(t, "cost per 1M total tokens", s.CostPer1MTotalTokensUSD, 0.01/1580*1e6) // 6.329...
	approx(t, "cost per 1M output tokens", s.CostPer1MOutputTokensUSD, 20)
	approx(t, "total token throughput", s.TotalTokenThroughput, 158)
	approx(t, "output token throughput", s.OutputTokenThroughput, 50)
	approx(t, "request throughput", s.RequestThroughput, 1)
	if got := math.Round(*s.CostPer1MTotalTokensUSD*100) / 100; got != 6.33 {
		t.Errorf("cost per 1M total tokens rounds to %v, want 6.33", got)
	}
}

func TestSummarizeClientInputTokensFallback(t *testing.T) {
	r := okRecord(0, 0, 3, 10, 20, 30)
	r.InputTokensClient = 100
	s := Summarize("f", "m", "w", []record.Record{r}, Options{})
	if s.InputTokens != 100 || s.InputTokensFromClient != 1 {
		t.Errorf("InputTokens = %d from client %d, want 100 and 1", s.InputTokens, s.InputTokensFromClient)
	}
	want := []string{"input tokens are the client's count (the server sent no prompt_tokens)"}
	if !slices.Equal(s.Warnings, want) {
		t.Errorf("Warnings = %q, want %q", s.Warnings, want)
	}

	served := okRecord(1, 0, 3, 10, 20, 30)
	served.InputTokens, served.InputTokensKnown, served.InputTokensClient = 100, true, 100
	s = Summarize("f", "m", "w", []record.Record{r, okRecord(2, 0, 3, 10, 20, 30), served, r}, Options{})
	want = []string{"2 requests: input tokens are the client's count (the server sent no prompt_tokens)"}
	if !slices.Equal(s.Warnings, want) {
		t.Errorf("Warnings = %q, want %q", s.Warnings, want)
	}
}

// TestSummarizeUnknownOutputTokens replays what a stream without usage and
// without a tokenizer gives: successful requests whose output token count is
// unknown. The token throughputs and costs must be nil, not an undercount.
func TestSummarizeUnknownOutputTokens(t *testing.T) {
	unknown := func(i int) record.Record {
		r := okRecord(i, time.Duration(i)*time.Second, 0, 100, 120, 140)
		r.OutputTokensKnown, r.OutputTokensSource = false, ""
		r.InputTokens, r.InputTokensKnown = 50, true
		return r
	}
	known := okRecord(2, 0, 3, 100, 120, 140)
	known.InputTokens, known.InputTokensKnown = 50, true
	opts := Options{PricePerHourUSD: 3.6, SLO: SLO{TTFT: time.Second}}
	s := Summarize("f", "m", "w", []record.Record{unknown(0), unknown(1), known}, opts)

	if s.OutputTokensUnknown != 2 {
		t.Errorf("OutputTokensUnknown = %d, want 2", s.OutputTokensUnknown)
	}
	if s.OutputTokens != 3 {
		t.Errorf("OutputTokens = %d, want 3 (the known request only)", s.OutputTokens)
	}
	isNil(t, "output token throughput", s.OutputTokenThroughput)
	isNil(t, "total token throughput", s.TotalTokenThroughput)
	isNil(t, "cost per 1M output tokens", s.CostPer1MOutputTokensUSD)
	isNil(t, "cost per 1M total tokens", s.CostPer1MTotalTokensUSD)
	if s.DurationS <= 0 {
		t.Fatalf("DurationS = %v, want > 0", s.DurationS)
	}
	approx(t, "request throughput", s.RequestThroughput, 3/s.DurationS)
	approx(t, "goodput (TTFT only)", s.Goodput, 3/s.DurationS)
	want := []string{"2 requests: output tokens unknown (the server sent no usage and no tokenizer is set); " +
		"token throughput and cost not computed"}
	if !slices.Equal(s.Warnings, want) {
		t.Errorf("Warnings = %q, want %q", s.Warnings, want)
	}

	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"output_tokens_unknown":2`, `"output_token_throughput":null`, `"total_token_throughput":null`,
		`"cost_per_1m_output_tokens_usd":null`, `"cost_per_1m_total_tokens_usd":null`} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("JSON %s does not contain %s", data, want)
		}
	}

	// Failed requests of unknown length do not count: they are left out of
	// every token total anyway.
	failed := failedRecord(3, 0, record.FailureTruncated, 50*msD)
	s = Summarize("f", "m", "w", []record.Record{known, failed}, opts)
	if s.OutputTokensUnknown != 0 || s.OutputTokenThroughput == nil || s.CostPer1MTotalTokensUSD == nil {
		t.Errorf("a failed request made the token numbers unknown: unknown %d, throughput %v, cost %v",
			s.OutputTokensUnknown, s.OutputTokenThroughput, s.CostPer1MTotalTokensUSD)
	}
}

// TestSummarizeShortOutputWarning: the run requests 16 tokens with
// ignore_eos and the server stops at EOS after 5.
func TestSummarizeShortOutputWarning(t *testing.T) {
	short := func(i int) record.Record {
		r := okRecord(i, 0, 5, 90, 110, 130, 150, 170)
		r.MaxTokens, r.IgnoreEOS, r.FinishReason = 16, true, "stop"
		return r
	}
	one := Summarize("f", "m", "w", []record.Record{short(0)}, Options{})
	if one.ShortOutputs != 1 {
		t.Errorf("ShortOutputs = %d, want 1", one.ShortOutputs)
	}
	want := []string{"requested 16, got 5, finish_reason=stop although ignore_eos was set"}
	if !slices.Equal(one.Warnings, want) {
		t.Errorf("Warnings = %q, want %q", one.Warnings, want)
	}
	approx(t, "TTFT p50", one.TTFT.P50, 90)
	approx(t, "TPOT p50", one.TPOT.P50, 20)
	if one.OutputTokens != 5 {
		t.Errorf("OutputTokens = %d, want 5, never max_tokens", one.OutputTokens)
	}

	full := okRecord(4, 0, 16, 10, 20)
	full.MaxTokens, full.IgnoreEOS, full.FinishReason = 16, true, "length"
	estimated := short(5)
	estimated.OutputTokensEstimated = true
	noEOS := short(6)
	noEOS.IgnoreEOS = false
	many := Summarize("f", "m", "w", []record.Record{short(0), short(1), short(2), full, estimated, noEOS}, Options{})
	if many.ShortOutputs != 4 {
		t.Errorf("ShortOutputs = %d, want 4", many.ShortOutputs)
	}
	want = []string{
		"3 requests: requested 16, got 5, finish_reason=stop although ignore_eos was set",
		"requested 16, got ~5 (estimated), finish_reason=stop although ignore_eos was set",
	}
	if !slices.Equal(many.Warnings, want) {
		t.Errorf("Warnings = %q, want %q", many.Warnings, want)
	}
	if many.OutputTokensEstimated != 1 {
		t.Errorf("OutputTokensEstimated = %d, want 1", many.OutputTokensEstimated)
	}
}

func TestSummarizeChunkAndTokenITL(t *testing.T) {
	tests := []struct {
		name       string
		record     record.Record
		wantChunk  []float64
		wantPerTok []float64
		wantTPOT   *float64
	}{
		{
			// Three events in one read at 300 ms, then one at 330 ms.
			name:      "several events in one read",
			record:    okRecord(0, 0, 4, 300, 300, 300, 330),
			wantChunk: []float64{0, 0, 30}, wantPerTok: []float64{0, 0, 30}, wantTPOT: ptr(10),
		},
		{
			name: "tokens per event from usage",
			record: func() record.Record {
				r := okRecord(0, 0, 7, 100, 140, 200)
				r.TokensPerEvent = []int{1, 4, 2}
				return r
			}(),
			// TPOT is computed on whole nanoseconds, as Record.TPOT does.
			wantChunk: []float64{40, 60}, wantPerTok: []float64{10, 10, 10, 10, 30, 30}, wantTPOT: ptr(16.666666),
		},
		{
			// 8 tokens over 3 events: 1 in the first, 7 spread as 4 and 3.
			name:      "tokens spread evenly without per-event counts",
			record:    okRecord(0, 0, 8, 100, 140, 200),
			wantChunk: []float64{40, 60}, wantPerTok: []float64{10, 10, 10, 10, 20, 20, 20}, wantTPOT: ptr(14.285714),
		},
		{
			name: "unknown output count",
			record: func() record.Record {
				r := okRecord(0, 0, 0, 100, 130, 160)
				r.OutputTokensKnown = false
				return r
			}(),
			wantChunk: []float64{30, 30}, wantPerTok: nil, wantTPOT: nil,
		},
		{
			name:      "one token",
			record:    okRecord(0, 0, 1, 100),
			wantChunk: nil, wantPerTok: nil, wantTPOT: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize("f", "m", "w", []record.Record{tt.record}, Options{})
			if s.ITL.N != len(tt.wantChunk) {
				t.Errorf("chunk ITL n = %d, want %d", s.ITL.N, len(tt.wantChunk))
			}
			if s.ITLToken.N != len(tt.wantPerTok) {
				t.Errorf("per-token ITL n = %d, want %d", s.ITLToken.N, len(tt.wantPerTok))
			}
			checkDistribution(t, "chunk ITL", s.ITL, tt.wantChunk)
			checkDistribution(t, "per-token ITL", s.ITLToken, tt.wantPerTok)
			if tt.wantTPOT == nil {
				isNil(t, "TPOT mean", s.TPOT.Mean)
			} else {
				approx(t, "TPOT mean", s.TPOT.Mean, *tt.wantTPOT)
			}
		})
	}
}

// checkDistribution compares d with newDistribution's definition on want,
// checking mean, min and max against direct computation.
func checkDistribution(t *testing.T, name string, d Distribution, want []float64) {
	t.Helper()
	if len(want) == 0 {
		isNil(t, name+" mean", d.Mean)
		return
	}
	sum := 0.0
	for _, v := range want {
		sum += v
	}
	approx(t, name+" mean", d.Mean, sum/float64(len(want)))
	approx(t, name+" min", d.Min, slices.Min(want))
	approx(t, name+" max", d.Max, slices.Max(want))
}

func TestSummarizeFailuresAndWarmup(t *testing.T) {
	warm := okRecord(0, 0, 3, 1, 2, 3)
	warm.Warmup = true
	records := []record.Record{
		warm,
		okRecord(0, 0, 4, 100, 120, 140, 160),
		okRecord(1, 500*msD, 4, 200, 220, 240, 260),
		failedRecord(2, 1000*msD, record.FailureTimeout, 5*time.Second),
		failedRecord(3, 1500*msD, record.FailureHTTP5xx, 3*msD),
		failedRecord(4, 1600*msD, record.FailureHTTP5xx, 3*msD),
		failedRecord(5, 1700*msD, record.FailureNone, 3*msD),
	}
	// A failed request's partial tokens must not count.
	records[3].TokenTimes = []time.Duration{100 * msD, 120 * msD}
	records[3].OutputTokens, records[3].OutputTokensKnown = 2, true

	s := Summarize("f", "m", "w", records, Options{})
	if s.RequestsTotal != 6 || s.RequestsOK != 2 || s.RequestsFailed != 4 {
		t.Errorf("total/ok/failed = %d/%d/%d, want 6/2/4", s.RequestsTotal, s.RequestsOK, s.RequestsFailed)
	}
	wantFailures := map[record.FailureKind]int{record.FailureTimeout: 1, record.FailureHTTP5xx: 2, FailureUnknown: 1}
	if len(s.Failures) != len(wantFailures) {
		t.Errorf("Failures = %v, want %v", s.Failures, wantFailures)
	}
	for kind, n := range wantFailures {
		if s.Failures[kind] != n {
			t.Errorf("Failures[%s] = %d, want %d", kind, s.Failures[kind], n)
		}
	}
	if s.TTFT.N != 2 || s.E2E.N != 2 || s.TPOT.N != 2 || s.ITL.N != 6 {
		t.Errorf("n of TTFT/E2E/TPOT/ITL = %d/%d/%d/%d, want 2/2/2/6", s.TTFT.N, s.E2E.N, s.TPOT.N, s.ITL.N)
	}
	approx(t, "TTFT mean", s.TTFT.Mean, 150)
	approx(t, "E2E max", s.E2E.Max, 260)
	if s.OutputTokens != 8 {
		t.Errorf("OutputTokens = %d, want 8 (successful requests only)", s.OutputTokens)
	}
	// Window: first scheduled send 0 to the timeout's end at 1.0 s + 5 s.
	if s.DurationS != 6 {
		t.Errorf("DurationS = %v, want 6", s.DurationS)
	}
	approx(t, "request throughput", s.RequestThroughput, 2.0/6)
}

func TestSummarizeAllFailed(t *testing.T) {
	records := []record.Record{
		failedRecord(0, 0, record.FailureConnect, 1*msD),
		failedRecord(1, 10*msD, record.FailureConnect, 1*msD),
	}
	s := Summarize("f", "m", "w", records, Options{PricePerHourUSD: 1.006, SLO: SLO{TTFT: time.Second}, TargetRate: 10})
	for name, d := range map[string]Distribution{"ttft": s.TTFT, "tpot": s.TPOT, "itl": s.ITL, "itl_token": s.ITLToken, "e2e": s.E2E} {
		if d.N != 0 || d.Mean != nil || d.P99 != nil || d.Stdev != nil {
			t.Errorf("%s = %+v, want empty", name, d)
		}
	}
	approx(t, "request throughput", s.RequestThroughput, 0)
	approx(t, "output token throughput", s.OutputTokenThroughput, 0)
	approx(t, "goodput", s.Goodput, 0)
	isNil(t, "cost per 1M output tokens", s.CostPer1MOutputTokensUSD)
	isNil(t, "cost per 1M total tokens", s.CostPer1MTotalTokensUSD)
	if s.Failures[record.FailureConnect] != 2 {
		t.Errorf("Failures = %v, want 2 connect", s.Failures)
	}
}

func TestSummarizeEmpty(t *testing.T) {
	s := Summarize("f", "m", "w", nil, Options{PricePerHourUSD: 1, SLO: SLO{E2E: time.Second}})
	for name, v := range map[string]*float64{
		"request throughput": s.RequestThroughput, "output throughput": s.OutputTokenThroughput,
		"total throughput": s.TotalTokenThroughput, "goodput": s.Goodput, "achieved rate": s.AchievedRate,
		"cost output": s.CostPer1MOutputTokensUSD, "cost total": s.CostPer1MTotalTokensUSD,
	} {
		isNil(t, name, v)
	}
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"ttft_ms":{"mean":null,"p50":null,"p90":null,"p95":null,"p99":null,"min":null,"max":null,"stdev":null,"n":0}`, `"failures":{}`, `"warnings":[]`} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("JSON %s does not contain %s", data, want)
		}
	}
}

func TestSummarizeGoodput(t *testing.T) {
	records := []record.Record{
		okRecord(0, 0, 3, 50, 60, 70),                         // meets all
		okRecord(1, 0, 3, 150, 160, 170),                      // TTFT too slow
		okRecord(2, 0, 3, 50, 100, 150),                       // TPOT 50 too slow
		okRecord(3, 0, 1, 50),                                 // one token: meets TPOT
		okRecord(4, 1800*msD, 6, 90, 110, 130, 150, 170, 198), // TPOT 21.6, E2E 198: meets all; ends at 2.0 s
	}
	slo := SLO{TTFT: 100 * msD, TPOT: 30 * msD, E2E: 200 * msD}
	s := Summarize("f", "m", "w", records, Options{SLO: slo})
	if s.DurationS != 2 {
		t.Fatalf("DurationS = %v, want 2", s.DurationS)
	}
	approx(t, "goodput", s.Goodput, 3.0/2)
	if s.GoodRequests != 3 {
		t.Errorf("GoodRequests = %d, want 3", s.GoodRequests)
	}
	approx(t, "SLO TTFT", s.SLOTTFTMs, 100)
	approx(t, "SLO TPOT", s.SLOTPOTMs, 30)
	approx(t, "SLO E2E", s.SLOE2EMs, 200)

	s = Summarize("f", "m", "w", records, Options{SLO: SLO{E2E: 100 * msD}})
	approx(t, "goodput with E2E only", s.Goodput, 2.0/2)
	if s.GoodRequests != 2 {
		t.Errorf("GoodRequests with E2E only = %d, want 2", s.GoodRequests)
	}
	isNil(t, "SLO TTFT with E2E only", s.SLOTTFTMs)
	isNil(t, "SLO TPOT with E2E only", s.SLOTPOTMs)
	approx(t, "SLO E2E with E2E only", s.SLOE2EMs, 100)

	s = Summarize("f", "m", "w", records, Options{})
	isNil(t, "goodput without SLO", s.Goodput)
	if s.GoodRequests != 0 {
		t.Errorf("GoodRequests without SLO = %d, want 0", s.GoodRequests)
	}
	isNil(t, "SLO TTFT without SLO", s.SLOTTFTMs)
	isNil(t, "SLO TPOT without SLO", s.SLOTPOTMs)
	isNil(t, "SLO E2E without SLO", s.SLOE2EMs)
}

func TestSummarizeSLOInJSON(t *testing.T) {
	records := []record.Record{okRecord(0, 0, 3, 50, 60, 70)}
	s := Summarize("f", "m", "w", records, Options{SLO: SLO{TTFT: 50500 * time.Microsecond}})
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"good_requests":1`, `"slo_ttft_ms":50.5`, `"slo_tpot_ms":null`, `"slo_e2e_ms":null`} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("JSON %s does not contain %s", data, want)
		}
	}
}

func TestSummarizeRates(t *testing.T) {
	sendsAt := func(sendOverhead time.Duration, offsets ...int) []record.Record {
		var out []record.Record
		for i, o := range offsets {
			r := okRecord(i, time.Duration(o)*msD, 2, 10, 20)
			r.SendDelay = sendOverhead
			out = append(out, r)
		}
		return out
	}
	tests := []struct {
		name       string
		records    []record.Record
		target     float64
		wantTarget string
		want       *float64
	}{
		{"rate 10 constant", sendsAt(3*msD, 0, 100, 200, 300, 400), 10, "10", ptr(10)},
		{"inf", sendsAt(0, 0, 0, 0, 0, 1), math.Inf(1), "inf", nil},
		{"closed loop", sendsAt(0, 0, 50, 100), 0, "", nil},
		{"closed loop with simultaneous first sends", sendsAt(0, 0, 0, 0, 0, 1), 0, "", nil},
		{"fractional target", sendsAt(0, 0, 2000), 0.5, "0.5", ptr(0.5)},
		{"one send", sendsAt(0, 0), 10, "10", nil},
		{"tiny target written with an exponent", sendsAt(0, 0), 1e-300, "1e-300", nil},
		{"zero span", sendsAt(0, 0, 0), 10, "10", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize("f", "m", "w", tt.records, Options{TargetRate: tt.target})
			if s.TargetRate != tt.wantTarget {
				t.Errorf("TargetRate = %q, want %q", s.TargetRate, tt.wantTarget)
			}
			if tt.want == nil {
				isNil(t, "achieved rate", s.AchievedRate)
			} else {
				approx(t, "achieved rate", s.AchievedRate, *tt.want)
			}
		})
	}
}

func TestSummarizeUsageMismatchAndRecordWarnings(t *testing.T) {
	a := okRecord(0, 0, 2, 10, 20, 30)
	a.UsageMismatch = true
	a.Warnings = []string{"finish_reason without [DONE]"}
	b := okRecord(1, 0, 3, 10, 20, 30)
	b.Warnings = []string{"finish_reason without [DONE]"}
	s := Summarize("f", "m", "w", []record.Record{a, b}, Options{})
	if s.UsageMismatches != 1 {
		t.Errorf("UsageMismatches = %d, want 1", s.UsageMismatches)
	}
	want := []string{
		"2 requests: finish_reason without [DONE]",
		"server usage disagreed with the client's count of tokens or events",
	}
	if !slices.Equal(s.Warnings, want) {
		t.Errorf("Warnings = %q, want %q", s.Warnings, want)
	}
}

func TestSummarizeEstimatedTokens(t *testing.T) {
	r := okRecord(0, 0, 2, 110, 150)
	r.OutputTokensEstimated, r.OutputTokensSource = true, "estimated (gpt2)"
	s := Summarize("f", "m", "w", []record.Record{r, okRecord(1, 0, 2, 10, 20)}, Options{})
	if s.OutputTokens != 4 || s.OutputTokensEstimated != 1 {
		t.Errorf("OutputTokens = %d with %d estimated, want 4 and 1", s.OutputTokens, s.OutputTokensEstimated)
	}
	approx(t, "TPOT max", s.TPOT.Max, 40)
}

// goldenRecords is a fixed mixed cell: successes, short outputs (12 of 16
// tokens with ignore_eos), failures and a warm-up request.
func goldenRecords() []record.Record {
	rng := rand.New(rand.NewPCG(1, 1))
	var records []record.Record
	for i := range 40 {
		offset := time.Duration(i) * 50 * msD
		switch {
		case i%13 == 5:
			records = append(records, failedRecord(i, offset, record.FailureHTTP5xx, 4*msD))
		case i%17 == 3:
			records = append(records, failedRecord(i, offset, record.FailureTimeout, 2*time.Second))
		default:
			ttft := 80 + rng.IntN(60)
			times := []int{ttft}
			for range 15 {
				times = append(times, times[len(times)-1]+15+rng.IntN(10))
			}
			r := okRecord(i, offset, 16, times...)
			r.InputTokens, r.InputTokensKnown, r.MaxTokens, r.IgnoreEOS = 128, true, 16, true
			r.SendDelay = time.Duration(rng.IntN(500)) * time.Microsecond
			if i%11 == 2 {
				// The server sent no prompt_tokens; the client counted the same.
				r.InputTokens, r.InputTokensKnown, r.InputTokensClient = 0, false, 128
			}
			if i%7 == 0 {
				r.OutputTokens, r.FinishReason = 12, "stop"
			}
			records = append(records, r)
		}
	}
	warm := okRecord(0, 0, 16, 1000, 2000)
	warm.Warmup = true
	return append(records, warm)
}

func TestSummarizeGolden(t *testing.T) {
	opts := Options{PricePerHourUSD: 1.006, SLO: SLO{TTFT: 120 * msD}, TargetRate: 20, Concurrency: 8}
	s := Summarize("vllm", "facebook/opt-125m", "medium", goldenRecords(), opts)
	got, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')

	path := filepath.Join("testdata", "summary.golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("summary differs from %s (run go test -update and review the diff):\n%s", path, got)
	}
}

func TestSummarizeOrderIndependent(t *testing.T) {
	opts := Options{PricePerHourUSD: 1.006, SLO: SLO{TTFT: 120 * msD}, TargetRate: 20}
	records := goldenRecords()
	first, _ := json.Marshal(Summarize("f", "m", "w", records, opts))
	rng := rand.New(rand.NewPCG(3, 3))
	rng.Shuffle(len(records), func(i, j int) { records[i], records[j] = records[j], records[i] })
	second, _ := json.Marshal(Summarize("f", "m", "w", records, opts))
	if !bytes.Equal(first, second) {
		t.Errorf("shuffled records changed the summary:\n%s\n%s", first, second)
	}
}

// FuzzSummarize builds records from random values, extreme ones included,
// and checks that Summarize neither panics nor produces NaN or Inf (which
// json.Marshal rejects) and that the counts add up.
func FuzzSummarize(f *testing.F) {
	f.Add(uint64(1), uint8(10), 3.6)
	f.Add(uint64(2), uint8(0), 0.0)
	f.Add(uint64(3), uint8(200), math.Inf(1))
	f.Add(uint64(4), uint8(1), math.NaN())
	f.Fuzz(func(t *testing.T, seed uint64, n uint8, price float64) {
		rng := rand.New(rand.NewPCG(seed, seed>>7))
		pick := func() time.Duration {
			switch rng.IntN(6) {
			case 0:
				return 0
			case 1:
				return time.Duration(math.MaxInt64 - rng.Int64N(1000))
			case 2:
				return -time.Duration(rng.Int64N(int64(time.Hour)))
			default:
				return time.Duration(rng.Int64N(int64(10 * time.Second)))
			}
		}
		count := func() int {
			switch rng.IntN(20) {
			case 0, 1, 2:
				return -rng.IntN(100)
			case 3:
				return rng.IntN(3 << 17)
			default:
				return rng.IntN(300)
			}
		}

		records := make([]record.Record, n)
		for i := range records {
			r := &records[i]
			r.Index, r.Warmup, r.OK, r.HasTTFT = i, rng.IntN(8) == 0, rng.IntN(3) > 0, rng.IntN(4) > 0
			r.ScheduledOffset, r.SendDelay, r.StreamEnd = pick(), pick(), pick()
			r.TTFT, r.E2E = pick(), pick()
			for range rng.IntN(6) {
				r.TokenTimes = append(r.TokenTimes, pick())
			}
			if rng.IntN(2) == 0 {
				for range len(r.TokenTimes) + rng.IntN(2) - rng.IntN(2) {
					r.TokensPerEvent = append(r.TokensPerEvent, count())
				}
			}
			r.OutputTokens, r.OutputTokensKnown, r.OutputTokensEstimated = count(), rng.IntN(4) > 0, rng.IntN(3) == 0
			r.InputTokens, r.InputTokensKnown, r.InputTokensClient = count(), rng.IntN(2) == 0, count()
			r.MaxTokens, r.IgnoreEOS, r.UsageMismatch = count(), rng.IntN(2) == 0, rng.IntN(5) == 0
			if !r.OK && rng.IntN(2) == 0 {
				r.Failure = record.FailureKinds[rng.IntN(len(record.FailureKinds))]
			}
		}
		opts := Options{
			PricePerHourUSD: price, TargetRate: []float64{0, 10, math.Inf(1), math.NaN(), -1}[rng.IntN(5)],
			SLO: SLO{TTFT: pick(), TPOT: pick(), E2E: pick()},
		}

		s := Summarize("f", "m", "w", records, opts)
		if _, err := json.Marshal(s); err != nil {
			t.Fatalf("summary does not marshal (NaN or Inf): %v", err)
		}
		if s.RequestsOK+s.RequestsFailed != s.RequestsTotal {
			t.Errorf("ok %d + failed %d != total %d", s.RequestsOK, s.RequestsFailed, s.RequestsTotal)
		}
		if s.OutputTokensUnknown > 0 && (s.OutputTokenThroughput != nil || s.TotalTokenThroughput != nil ||
			s.CostPer1MOutputTokensUSD != nil || s.CostPer1MTotalTokensUSD != nil) {
			t.Errorf("%d requests of unknown output length, yet token throughput or cost is set", s.OutputTokensUnknown)
		}
		failures := 0
		for _, c := range s.Failures {
			failures += c
		}
		if failures != s.RequestsFailed {
			t.Errorf("failures by kind add up to %d, want %d", failures, s.RequestsFailed)
		}
	})
}
