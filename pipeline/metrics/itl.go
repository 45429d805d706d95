package metrics

import (
	"time"

	"github.com/llmbench/llmbench-action/pipeline/record"
)

// maxTokensPerRequest bounds the per-token ITL samples of one request: a
// request that reports more output tokens than this (131,072, above the
// output limits of current models) is left out of the per-token ITL, so a
// corrupt count cannot exhaust memory.
const maxTokensPerRequest = 1 << 17

// appendTokenITLs appends the per-token inter-token latencies of r, in ms,
// to out. Each gap between token-bearing events is spread over the k tokens
// of the later event: gap/k, k times. The tokens of the first event have no
// gap before them, so they add nothing.
//
// k comes from TokensPerEvent when the server reported it. Otherwise, when the
// request's OutputTokens exceed its number of events, the first event is
// taken to carry one token. The remaining OutputTokens-1 are spread as evenly
// as whole numbers allow over the later events, the earlier events getting
// the extra ones, so the mean per-token ITL equals TPOT. When the count is
// not above the number of events, k is 1. A request whose output token count
// is unknown has no per-token ITL.
func appendTokenITLs(out []float64, r *record.Record) []float64 {
	gaps := r.ChunkITLs()
	if len(gaps) == 0 {
		return out
	}
	if counts, ok := eventCounts(r); ok {
		for i, gap := range gaps {
			out = appendSpread(out, gap, counts[i+1])
		}
		return out
	}

	if !r.OutputTokensKnown || r.OutputTokens > maxTokensPerRequest {
		return out
	}
	later := r.OutputTokens - 1
	if later <= len(gaps) {
		for _, gap := range gaps {
			out = append(out, ms(gap))
		}
		return out
	}
	base, extra := later/len(gaps), later%len(gaps)
	for i, gap := range gaps {
		k := base
		if i < extra {
			k++
		}
		out = appendSpread(out, gap, k)
	}
	return out
}

// eventCounts returns TokensPerEvent when it is usable: one count per event
// and no more than maxTokensPerRequest tokens in all. Counts below 1 are
// read as 1, since every token-bearing event carried at least one token.
func eventCounts(r *record.Record) ([]int, bool) {
	if len(r.TokensPerEvent) != len(r.TokenTimes) {
		return nil, false
	}
	counts := make([]int, len(r.TokensPerEvent))
	total := 0
	for i, k := range r.TokensPerEvent {
		if k > maxTokensPerRequest {
			return nil, false
		}
		counts[i] = max(k, 1)
		total += counts[i]
		if total > maxTokensPerRequest {
			return nil, false
		}
	}
	return counts, true
}

func appendSpread(out []float64, gap time.Duration, k int) []float64 {
	each := ms(gap) / float64(k)
	for range k {
		out = append(out, each)
	}
	return out
}
