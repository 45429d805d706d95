package report

import (
	"fmt"
	"strconv"
	"strings"
)

// workloadSettings are the settings of a cell's workload that decide whether
// two cells measured the same load. A matrix can override a workload per
// framework or model, so cells that share a workload name may differ.
type workloadSettings struct {
	// requests is the number of measured requests. It equals the planned
	// number only when complete is true.
	requests int
	complete bool
	// maxTokens is the max_tokens of the measured requests: "32", or the
	// range "16-64" when they vary. It is "" when no record has one.
	maxTokens   string
	concurrency int
	// targetRate is the summary's target rate: "" for closed loop.
	targetRate string
	// inputLen is the prompt length in tokens when every measured request
	// sent the same number of tokens, as random prompts do. It is 0, and not
	// compared, when the lengths vary or are unknown.
	inputLen int
}

// settingsOf derives the workload settings of a cell from its records and
// summary. Without records, the number of requests is the summary's
// RequestsTotal and max_tokens and the input length are unknown.
func settingsOf(c *Cell) workloadSettings {
	s := workloadSettings{
		requests:    c.Summary.RequestsTotal,
		complete:    c.Info.Complete,
		concurrency: c.Summary.Concurrency,
		targetRate:  c.Summary.TargetRate,
	}
	if len(c.Records) == 0 {
		return s
	}

	s.requests = 0
	minTokens, maxTokens := 0, 0
	inputLen, sameInput := 0, true
	for i := range c.Records {
		r := &c.Records[i]
		if r.Warmup {
			continue
		}
		s.requests++
		if r.MaxTokens > 0 {
			if minTokens == 0 || r.MaxTokens < minTokens {
				minTokens = r.MaxTokens
			}
			maxTokens = max(maxTokens, r.MaxTokens)
		}
		switch {
		case r.InputTokensClient <= 0:
			sameInput = false
		case inputLen == 0:
			inputLen = r.InputTokensClient
		case r.InputTokensClient != inputLen:
			sameInput = false
		}
	}
	switch {
	case maxTokens == 0:
	case minTokens == maxTokens:
		s.maxTokens = strconv.Itoa(maxTokens)
	default:
		s.maxTokens = fmt.Sprintf("%d-%d", minTokens, maxTokens)
	}
	if sameInput {
		s.inputLen = inputLen
	}
	return s
}

// matches reports whether two cells ran the same workload. Settings that
// are unknown for either cell are not compared. The number of requests is
// compared only when both cells are complete, because a cell cut short
// measured fewer requests than it planned.
func (s workloadSettings) matches(other workloadSettings) bool {
	switch {
	case s.complete && other.complete && s.requests != other.requests:
		return false
	case s.maxTokens != "" && other.maxTokens != "" && s.maxTokens != other.maxTokens:
		return false
	case s.concurrency != other.concurrency:
		return false
	case !sameRate(s.targetRate, other.targetRate):
		return false
	case s.inputLen > 0 && other.inputLen > 0 && s.inputLen != other.inputLen:
		return false
	}
	return true
}

// sameRate reports whether two target rates as summaries write them are
// equal, comparing numbers by value so that "10" and "1e1" match.
func sameRate(a, b string) bool {
	if a == b {
		return true
	}
	x, errX := strconv.ParseFloat(a, 64)
	y, errY := strconv.ParseFloat(b, 64)
	return errX == nil && errY == nil && x == y
}

// String describes the settings for a report line, e.g. "12 requests,
// max_tokens 32, concurrency 4, rate 2 req/s, input 128 tokens". Unknown
// settings are left out.
func (s workloadSettings) String() string {
	requests := fmt.Sprintf("%d requests", s.requests)
	if !s.complete {
		requests += " (incomplete)"
	}
	parts := []string{requests}
	if s.maxTokens != "" {
		parts = append(parts, "max_tokens "+s.maxTokens)
	}
	parts = append(parts, fmt.Sprintf("concurrency %d", s.concurrency))
	switch s.targetRate {
	case "":
	case "inf":
		parts = append(parts, "rate inf")
	default:
		parts = append(parts, "rate "+s.targetRate+" req/s")
	}
	if s.inputLen > 0 {
		parts = append(parts, fmt.Sprintf("input %d tokens", s.inputLen))
	}
	return strings.Join(parts, ", ")
}

// notComparedLine explains why two cells of the same model and workload
// name are not compared.
func notComparedLine(base, other *Cell, baseSettings, otherSettings workloadSettings) string {
	return fmt.Sprintf("not compared: the workloads differ (%s: %s; %s: %s)",
		base.Info.Framework, baseSettings, other.Info.Framework, otherSettings)
}
