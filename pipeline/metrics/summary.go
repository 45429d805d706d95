// Package metrics derives per-cell summaries from request records, with one
// definition of each metric shared by every output.
package metrics

import "github.com/llmbench/llmbench-action/pipeline/record"

// Distribution describes a set of samples in milliseconds. Every statistic is
// nil (JSON null) when the set is empty.
type Distribution struct {
	Mean  *float64 `json:"mean"`
	P50   *float64 `json:"p50"`
	P90   *float64 `json:"p90"`
	P95   *float64 `json:"p95"`
	P99   *float64 `json:"p99"`
	Min   *float64 `json:"min"`
	Max   *float64 `json:"max"`
	Stdev *float64 `json:"stdev"`
	N     int      `json:"n"`
}

// Summary is the aggregate of one cell (framework, model, workload). The JSON
// field names are stable: other tools read summary.json.
type Summary struct {
	Framework string `json:"framework"`
	Model     string `json:"model"`
	Workload  string `json:"workload"`

	RequestsTotal  int                        `json:"requests_total"`
	RequestsOK     int                        `json:"requests_ok"`
	RequestsFailed int                        `json:"requests_failed"`
	Failures       map[record.FailureKind]int `json:"failures"`

	// DurationS is the measured window in seconds: first scheduled send to
	// last completion, warm-up excluded.
	DurationS float64 `json:"duration_s"`

	// Throughputs are per second over DurationS; nil when the window is
	// empty. The token throughputs are also nil when OutputTokensUnknown > 0.
	RequestThroughput     *float64 `json:"request_throughput"`
	OutputTokenThroughput *float64 `json:"output_token_throughput"`
	TotalTokenThroughput  *float64 `json:"total_token_throughput"`

	TTFT Distribution `json:"ttft_ms"`
	TPOT Distribution `json:"tpot_ms"`
	// ITL is the per-chunk inter-token latency; ITLToken spreads each gap over
	// the tokens its chunk carried.
	ITL      Distribution `json:"itl_ms"`
	ITLToken Distribution `json:"itl_token_ms"`
	E2E      Distribution `json:"e2e_ms"`

	// InputTokens and OutputTokens are totals over successful requests;
	// OutputTokens counts only requests whose output token count is known.
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
	// OutputTokensUnknown counts successful requests whose output token
	// count is unknown: the server sent no usage and no tokenizer was set.
	OutputTokensUnknown int `json:"output_tokens_unknown"`
	// OutputTokensEstimated counts successful requests whose output tokens
	// were estimated rather than reported by the server.
	OutputTokensEstimated int `json:"output_tokens_estimated"`
	// InputTokensFromClient counts successful requests whose input tokens
	// are the client's count (exact for token ids, an estimate for text)
	// because the server reported no usage.prompt_tokens.
	InputTokensFromClient int `json:"input_tokens_from_client"`

	// The costs are in US dollars per million tokens; nil when the price is
	// unknown, the window is empty or OutputTokensUnknown > 0.
	CostPer1MOutputTokensUSD *float64 `json:"cost_per_1m_output_tokens_usd"`
	CostPer1MTotalTokensUSD  *float64 `json:"cost_per_1m_total_tokens_usd"`

	// Goodput is successful requests per second that met every SLO; nil when
	// no SLO was set.
	Goodput *float64 `json:"goodput"`
	// GoodRequests counts successful requests that met every set SLO; 0 when
	// no SLO was set.
	GoodRequests int `json:"good_requests"`
	// SLOTTFTMs, SLOTPOTMs and SLOE2EMs are the SLO thresholds in
	// milliseconds that Goodput and GoodRequests were computed against; nil
	// when that objective is not set.
	SLOTTFTMs *float64 `json:"slo_ttft_ms"`
	SLOTPOTMs *float64 `json:"slo_tpot_ms"`
	SLOE2EMs  *float64 `json:"slo_e2e_ms"`

	// TargetRate is the workload's request rate ("inf", a number as text, or
	// "" for closed loop). AchievedRate is the rate of actual sends in
	// requests per second, for open loop only: nil for closed loop, where
	// sends follow completions rather than a schedule, and for "inf".
	TargetRate   string   `json:"target_rate"`
	AchievedRate *float64 `json:"achieved_rate"`
	Concurrency  int      `json:"concurrency"`

	// UsageMismatches counts requests whose server usage disagreed with what
	// the client saw.
	UsageMismatches int `json:"usage_mismatches"`
	// ShortOutputs counts successful requests with ignore_eos set that
	// returned fewer tokens than max_tokens.
	ShortOutputs int `json:"short_outputs"`

	// Warnings are run-level notes, e.g. "requested 16, got 5,
	// finish_reason=stop although ignore_eos was set".
	Warnings []string `json:"warnings"`
}
