package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/record"
	"github.com/llmbench/llmbench-action/pipeline/sse"
)

var doneData = []byte("[DONE]")

// readStream reads the event stream of a 2xx response until [DONE], a
// failure or the end of the body.
func (m *measurement) readStream(reqCtx context.Context, body io.Reader) {
	reader := sse.NewReader(body, m.c.now)
	for {
		ev, err := reader.NextRaw()
		if err != nil {
			m.endOfBody(reqCtx, reader.LastReadAt(), err)
			return
		}
		if stop := m.handleEvent(ev); stop {
			return
		}
	}
}

// handleEvent applies one event and reports whether the stream is over.
func (m *measurement) handleEvent(ev sse.RawEvent) bool {
	if ev.Type != nil {
		switch string(ev.Type) {
		case sse.DefaultEventType:
		case "error":
			m.fail(record.FailureInBand, inBandEventMessage(ev.Data), ev.At)
			return true
		default:
			// Events of other types (pings, progress) carry no output.
			return false
		}
	}

	if bytes.Equal(bytes.TrimSpace(ev.Data), doneData) {
		m.sawDone = true
		m.endAt = ev.At
		return true
	}

	ch := &m.ch
	if err := m.dec.decode(ev.Data, ch); err != nil {
		m.fail(record.FailureProtocol, "event data is not a JSON object: "+string(ev.Data), ev.At)
		return true
	}
	if ch.isError {
		message := ch.errorMessage
		if len(message) == 0 {
			message = ev.Data
		}
		m.fail(record.FailureInBand, string(message), ev.At)
		return true
	}

	if ch.hasPromptTokens {
		m.rec.InputTokens = ch.promptTokens
		m.rec.InputTokensKnown = true
	}
	tokensInEvent, eventHasUsage := 0, false
	if ch.hasCompletionTokens {
		tokensInEvent = ch.completionTokens - m.usageCompletion
		eventHasUsage = true
		m.usageCompletion = ch.completionTokens
		m.usageSeen = true
	}
	if len(ch.finishReason) > 0 && string(ch.finishReason) != m.rec.FinishReason {
		m.rec.FinishReason = string(ch.finishReason)
	}

	if ch.tokenBearing {
		m.rec.TokenTimes = append(m.rec.TokenTimes, ev.At.Sub(m.scheduled))
		m.rec.TokensPerEvent = append(m.rec.TokensPerEvent, tokensInEvent)
		m.perEventComplete = m.perEventComplete && eventHasUsage
	}
	return false
}

// endOfBody handles the error that ended the body: its end (clean or in the
// middle of an event), a timeout, a cancellation or a transport error.
func (m *measurement) endOfBody(reqCtx context.Context, at time.Time, err error) {
	switch {
	case err == io.EOF:
		m.endNote = ""
	case errors.Is(err, sse.ErrIncompleteEvent):
		m.endNote = "in the middle of an event"
	case reqCtx.Err() != nil:
		m.failTransport(reqCtx, record.FailureTruncated, err, at)
		return
	default:
		m.endNote = withoutURL(err).Error()
	}
	m.endAt = at
}

// finish classifies the request and returns its completed record.
func (m *measurement) finish() record.Record {
	rec := &m.rec
	if !m.failed {
		m.classifyEnd()
	}
	if m.c.keepText {
		rec.OutputText = string(m.dec.text)
	}
	if !m.perEventComplete || len(rec.TokensPerEvent) == 0 {
		rec.TokensPerEvent = nil
	}
	if len(rec.TokenTimes) == 0 {
		rec.TokenTimes = nil
	}
	if m.failed {
		return *rec
	}

	rec.OK = true
	rec.StreamEnd = m.endAt.Sub(m.scheduled)
	rec.HasTTFT = true
	rec.TTFT = rec.TokenTimes[0]
	rec.E2E = rec.TokenTimes[len(rec.TokenTimes)-1]
	m.countOutputTokens()

	if m.usageSeen && m.usageCompletion < len(rec.TokenTimes) {
		rec.UsageMismatch = true
	}
	if rec.InputTokensKnown && len(m.req.PromptTokenIDs) > 0 && rec.InputTokens != rec.InputTokensClient {
		rec.UsageMismatch = true
	}
	return *rec
}

// classifyEnd fails a stream that ended improperly or carried no token.
func (m *measurement) classifyEnd() {
	if !m.sawDone {
		if m.rec.FinishReason == "" {
			m.fail(record.FailureTruncated, "stream ended without [DONE] or a finish_reason"+m.endDetail(), m.endAt)
			return
		}
		m.rec.Warnings = append(m.rec.Warnings,
			fmt.Sprintf("finish_reason %q without [DONE]%s", m.rec.FinishReason, m.endDetail()))
	}
	if len(m.rec.TokenTimes) == 0 {
		m.fail(record.FailureNoToken, "the stream ended properly but carried no token-bearing event", m.endAt)
	}
}

// endDetail returns the way a stream without [DONE] ended, in parentheses
// after a space, or "" for a clean end of the body.
func (m *measurement) endDetail() string {
	if m.endNote == "" {
		return ""
	}
	return " (" + m.endNote + ")"
}

// countOutputTokens sets the output token count of a successful request:
// the last usage.completion_tokens, else a tokenizer estimate of the joined
// text, else unknown.
func (m *measurement) countOutputTokens() {
	rec := &m.rec
	switch {
	case m.usageSeen:
		rec.OutputTokens = m.usageCompletion
		rec.OutputTokensKnown = true
		rec.OutputTokensSource = "usage"
	case m.c.estimator != nil:
		n, err := m.c.estimator.Count(string(m.dec.text))
		if err != nil {
			rec.Warnings = append(rec.Warnings, "estimating output tokens with "+m.c.tokenizer+": "+err.Error())
			return
		}
		rec.OutputTokens = n
		rec.OutputTokensKnown = true
		rec.OutputTokensEstimated = true
		rec.OutputTokensSource = "estimated (" + m.c.tokenizer + ")"
	}
}
