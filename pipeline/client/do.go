package client

import (
	"bytes"
	"context"
	"io"
	"mime"
	"net/http"
	"net/http/httptrace"
	"sync"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/record"
)

// maxErrorBodyBytes bounds how much of an error response body is read.
const maxErrorBodyBytes = 64 << 10

// maxPreallocatedEvents bounds the event capacity reserved per request.
const maxPreallocatedEvents = 4096

// drainTimeout bounds the wait for the end of the response body after
// [DONE], which lets the connection return to the keep-alive pool.
const drainTimeout = time.Second

// Do sends req, reads its stream and returns its record. Every time in the
// record is measured from scheduled with the client's clock. Do fills the
// measured fields and the request settings: Endpoint, SendDelay, TTFT, E2E,
// StreamEnd, TokenTimes, TokensPerEvent, the token counts, FinishReason,
// OutputText, Status, OK, Failure, ErrorMessage, FailureLatency,
// UsageMismatch, Warnings, MaxTokens and IgnoreEOS. The caller fills the
// cell identity and the schedule.
//
// A failed record has OK false, a Failure kind, no TTFT and no credited
// output tokens. It keeps the partial text (with KeepText) and the arrival
// times of the token-bearing events that came before the failure.
//
// The per-request timeout runs from the call of Do. When it expires the
// failure latency is the scheduled-to-start delay plus the timeout. When ctx
// is canceled the record fails with record.FailureCanceled.
func (c *Client) Do(ctx context.Context, req Request, scheduled time.Time) record.Record {
	m := c.newMeasurement(&req, scheduled)

	if err := req.Validate(); err != nil {
		m.fail(record.FailureConnect, "request not sent: "+err.Error(), c.now())
		return m.finish()
	}
	body, err := encodeBody(&req)
	if err != nil {
		m.fail(record.FailureConnect, "request not sent: "+err.Error(), c.now())
		return m.finish()
	}

	reqCtx, cancel := c.requestContext(ctx)
	defer cancel()
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { m.setWrote(c.now()) }}
	httpReq, err := http.NewRequestWithContext(httptrace.WithClientTrace(reqCtx, trace),
		http.MethodPost, c.baseURL+req.Path, bytes.NewReader(body))
	if err != nil {
		m.fail(record.FailureConnect, "request not sent: "+err.Error(), c.now())
		return m.finish()
	}
	httpReq.Header.Set("Content-Type", "application/json")
	httpReq.Header.Set("Accept", "text/event-stream")

	resp, err := c.http.Do(httpReq)
	m.takeSendDelay()
	if err != nil {
		m.failTransport(reqCtx, record.FailureConnect, err, c.now())
		return m.finish()
	}
	defer resp.Body.Close()
	m.readResponse(reqCtx, resp)
	rec := m.finish()
	if m.sawDone {
		drain(resp.Body, cancel)
	}
	return rec
}

// readResponse measures a response: an error status, a body that is not an
// event stream, or the stream itself.
func (m *measurement) readResponse(reqCtx context.Context, resp *http.Response) {
	m.rec.Status = resp.StatusCode
	switch {
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		m.failStatus(resp)
	case !isEventStream(resp.Header.Get("Content-Type")):
		m.failNotEventStream(resp)
	default:
		m.readStream(reqCtx, resp.Body)
	}
}

// isEventStream reports whether a response Content-Type announces an event
// stream. A missing Content-Type is read as a stream, since some servers
// omit it.
func isEventStream(contentType string) bool {
	if contentType == "" {
		return true
	}
	mediaType, _, err := mime.ParseMediaType(contentType)
	return err == nil && mediaType == "text/event-stream"
}

// drain reads what follows [DONE] for at most drainTimeout, so that the
// connection can be reused.
func drain(body io.Reader, cancel context.CancelFunc) {
	timer := time.AfterFunc(drainTimeout, cancel)
	defer timer.Stop()
	_, _ = io.Copy(io.Discard, io.LimitReader(body, maxErrorBodyBytes))
}

// measurement is the state of one request while it runs.
type measurement struct {
	c         *Client
	req       *Request
	rec       record.Record
	scheduled time.Time
	start     time.Time

	wroteMu sync.Mutex
	wroteAt time.Time

	dec chunkDecoder
	ch  chunk

	sawDone          bool
	endAt            time.Time
	endNote          string // the end of a stream without [DONE], "" for a clean end of the body
	usageCompletion  int
	usageSeen        bool
	perEventComplete bool // every token-bearing event so far carried usage
	failed           bool
}

func (c *Client) newMeasurement(req *Request, scheduled time.Time) *measurement {
	m := &measurement{
		c:                c,
		req:              req,
		scheduled:        scheduled,
		start:            c.now(),
		perEventComplete: true,
	}
	m.dec.keepText = c.keepText || c.estimator != nil
	m.rec.Endpoint = req.Path
	m.rec.MaxTokens = req.MaxTokens
	m.rec.IgnoreEOS = req.IgnoreEOS
	m.rec.InputTokensClient = req.InputTokensClient
	if m.rec.InputTokensClient == 0 && len(req.PromptTokenIDs) > 0 {
		m.rec.InputTokensClient = len(req.PromptTokenIDs)
	}
	m.rec.SendDelay = m.start.Sub(scheduled)

	// One token-bearing event per token is the common case, so room for
	// max_tokens events (bounded) saves regrowing in the hot path.
	capacity := min(max(req.MaxTokens, 0), maxPreallocatedEvents)
	m.rec.TokenTimes = make([]time.Duration, 0, capacity)
	m.rec.TokensPerEvent = make([]int, 0, capacity)
	return m
}

func (m *measurement) setWrote(at time.Time) {
	m.wroteMu.Lock()
	m.wroteAt = at
	m.wroteMu.Unlock()
}

// takeSendDelay sets SendDelay from the moment the request was written, when
// the transport reported it.
func (m *measurement) takeSendDelay() {
	m.wroteMu.Lock()
	defer m.wroteMu.Unlock()
	if !m.wroteAt.IsZero() {
		m.rec.SendDelay = m.wroteAt.Sub(m.scheduled)
	}
}

// fail records the first failure of the request, known at time at.
func (m *measurement) fail(kind record.FailureKind, message string, at time.Time) {
	if m.failed {
		return
	}
	m.failed = true
	m.rec.Failure = kind
	m.rec.ErrorMessage = cutMessage(message)
	m.rec.FailureLatency = at.Sub(m.scheduled)
	m.rec.StreamEnd = m.rec.FailureLatency
}

// failTransport records a transport error: a timeout or cancellation when
// the request's context ended, else the given kind.
func (m *measurement) failTransport(reqCtx context.Context, kind record.FailureKind, err error, at time.Time) {
	if reqCtx.Err() != nil {
		if context.Cause(reqCtx) == errRequestTimeout {
			m.fail(record.FailureTimeout, "no complete response within the request timeout of "+m.c.timeout.String(), m.start.Add(m.c.timeout))
			return
		}
		m.fail(record.FailureCanceled, "canceled by the run: "+context.Cause(reqCtx).Error(), at)
		return
	}
	// Without the *url.Error wrapper: the URL would repeat the base URL and
	// push the cause past MaxErrorMessageLen.
	m.fail(kind, withoutURL(err).Error(), at)
}

// failStatus records a non-2xx response with the server's message.
func (m *measurement) failStatus(resp *http.Response) {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
	at := m.c.now()
	kind := record.FailureHTTP5xx
	if resp.StatusCode >= 400 && resp.StatusCode <= 499 {
		kind = record.FailureHTTP4xx
	}
	message := errorBodyMessage(body)
	if message == "" {
		message = resp.Status
	}
	m.fail(kind, message, at)
}

// failNotEventStream records a 2xx response that is not an event stream.
func (m *measurement) failNotEventStream(resp *http.Response) {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
	at := m.c.now()
	message := "response Content-Type is " + resp.Header.Get("Content-Type") + ", not text/event-stream"
	if detail := errorBodyMessage(body); detail != "" {
		message += ": " + detail
	}
	m.fail(record.FailureProtocol, message, at)
}
