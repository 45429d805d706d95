package metrics

import (
	"fmt"
	"slices"

	"github.com/llmbench/llmbench-action/pipeline/record"
)

// Run-level warnings on where token counts come from. noteCounter prefixes
// them with the number of requests they apply to.
const (
	warnOutputTokensUnknown = "output tokens unknown (the server sent no usage and no tokenizer is set); " +
		"token throughput and cost not computed"
	warnInputTokensFromClient = "input tokens are the client's count (the server sent no prompt_tokens)"
)

// shortOutput returns the warning for a successful request that asked for a
// fixed output length (ignore_eos with max_tokens) and got fewer tokens,
// which means the server stopped at EOS anyway, e.g. because it dropped
// ignore_eos. An estimated count is marked "~".
func shortOutput(r *record.Record) (string, bool) {
	if !r.IgnoreEOS || r.MaxTokens <= 0 || !r.OutputTokensKnown || r.OutputTokens >= r.MaxTokens {
		return "", false
	}
	got := fmt.Sprint(r.OutputTokens)
	if r.OutputTokensEstimated {
		got = "~" + got + " (estimated)"
	}
	reason := r.FinishReason
	if reason == "" {
		reason = "none"
	}
	return fmt.Sprintf("requested %d, got %s, finish_reason=%s although ignore_eos was set", r.MaxTokens, got, reason), true
}

// noteCounter counts repeated warnings, so a summary lists each distinct
// warning once with the number of requests it applies to.
type noteCounter struct {
	counts map[string]int
}

func (n *noteCounter) add(text string) { n.addCount(1, text) }

func (n *noteCounter) addCount(count int, text string) {
	if n.counts == nil {
		n.counts = map[string]int{}
	}
	n.counts[text] += count
}

// lines returns one line per distinct warning, sorted by text, prefixed
// with "<n> requests: " when it applies to more than one request. It
// returns an empty slice, never nil, so JSON shows [].
func (n *noteCounter) lines() []string {
	texts := make([]string, 0, len(n.counts))
	for text := range n.counts {
		texts = append(texts, text)
	}
	slices.Sort(texts)

	out := make([]string, 0, len(texts))
	for _, text := range texts {
		if c := n.counts[text]; c > 1 {
			out = append(out, fmt.Sprintf("%d requests: %s", c, text))
		} else {
			out = append(out, text)
		}
	}
	return out
}
