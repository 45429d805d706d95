package ghcomment

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Retry defaults. GitHub documents a wait of at least one minute after a
// secondary rate limit without Retry-After.
const (
	defaultMaxRetries        = 4
	defaultMaxWait           = 3 * time.Minute
	defaultSecondaryWait     = time.Minute
	defaultFirstBackoff      = time.Second
	maxErrorBodyInspectBytes = 64 << 10
)

// RetryPolicy bounds the retries of GitHub API requests.
type RetryPolicy struct {
	// MaxRetries is the number of retries of one request; 0 means
	// defaultMaxRetries (4), a negative value turns retries off.
	MaxRetries int
	// MaxWait caps the total time spent waiting across all requests of one
	// client; 0 means 3 minutes. A wait that would exceed it is not started,
	// and the failed response is returned instead.
	MaxWait time.Duration
	// Sleep waits for d or until ctx is done; nil means a timer. Tests inject
	// a recorder here.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now returns the current time, for X-RateLimit-Reset; nil means
	// time.Now.
	Now func() time.Time
}

// retryTransport retries GitHub API requests, with exponential backoff, that
// got one of three answers. A primary rate limit is 403 or 429 with
// X-RateLimit-Remaining: 0, and waits until X-RateLimit-Reset. A secondary
// rate limit is 403 or 429 with Retry-After, or 429 without any header. A
// 5xx status is retried for idempotent methods.
// POST is not retried after a 5xx, because the server may have acted on it.
type retryTransport struct {
	base   http.RoundTripper
	policy RetryPolicy
	logger *slog.Logger

	mu     sync.Mutex
	waited time.Duration
}

func newRetryTransport(base http.RoundTripper, policy RetryPolicy, logger *slog.Logger) *retryTransport {
	if base == nil {
		base = http.DefaultTransport
	}
	if policy.MaxRetries == 0 {
		policy.MaxRetries = defaultMaxRetries
	}
	if policy.MaxWait == 0 {
		policy.MaxWait = defaultMaxWait
	}
	if policy.Sleep == nil {
		policy.Sleep = sleepContext
	}
	if policy.Now == nil {
		policy.Now = time.Now
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &retryTransport{base: base, policy: policy, logger: logger}
}

func sleepContext(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// RoundTrip implements http.RoundTripper.
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		attemptReq := req
		if attempt > 0 {
			var err error
			if attemptReq, err = rewind(req); err != nil {
				return nil, err
			}
		}

		resp, err := t.base.RoundTrip(attemptReq)
		if err != nil {
			if !idempotent(req.Method) || attempt >= t.policy.MaxRetries || req.Context().Err() != nil {
				return nil, err
			}
			wait := defaultFirstBackoff << attempt
			if !t.reserve(wait) {
				return nil, err
			}
			t.logger.Warn("GitHub API: retrying after a transport error",
				"method", req.Method, "path", req.URL.Path, "error", err, "wait", wait, "attempt", attempt+1)
			if err := t.policy.Sleep(req.Context(), wait); err != nil {
				return nil, fmt.Errorf("waiting to retry %s %s: %w", req.Method, req.URL.Path, err)
			}
			continue
		}
		wait, reason := t.retryDelay(req, resp, attempt)
		if reason == "" {
			return resp, nil
		}
		if !t.reserve(wait) {
			t.logger.Warn("GitHub API: not retrying, the wait would exceed the retry budget",
				"method", req.Method, "path", req.URL.Path, "status", resp.StatusCode, "reason", reason,
				"wait", wait, "budget", t.policy.MaxWait)
			return resp, nil
		}

		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBodyInspectBytes))
		_ = resp.Body.Close()
		t.logger.Warn("GitHub API: retrying",
			"method", req.Method, "path", req.URL.Path, "status", resp.StatusCode, "reason", reason,
			"wait", wait, "attempt", attempt+1)
		if err := t.policy.Sleep(req.Context(), wait); err != nil {
			return nil, fmt.Errorf("waiting to retry %s %s: %w", req.Method, req.URL.Path, err)
		}
	}
}

// rewind returns a copy of req with a fresh body for another attempt.
func rewind(req *http.Request) (*http.Request, error) {
	clone := req.Clone(req.Context())
	if req.Body == nil || req.Body == http.NoBody {
		return clone, nil
	}
	if req.GetBody == nil {
		return nil, fmt.Errorf("retrying %s %s: the request body cannot be replayed", req.Method, req.URL.Path)
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, fmt.Errorf("retrying %s %s: %w", req.Method, req.URL.Path, err)
	}
	clone.Body = body
	return clone, nil
}

// reserve takes wait out of the retry budget; it reports false when the
// budget cannot cover it.
func (t *retryTransport) reserve(wait time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.waited+wait > t.policy.MaxWait {
		return false
	}
	t.waited += wait
	return true
}

// retryDelay decides whether resp deserves another attempt: it returns the
// wait and a reason, or "" when resp is final.
func (t *retryTransport) retryDelay(req *http.Request, resp *http.Response, attempt int) (time.Duration, string) {
	if attempt >= t.policy.MaxRetries {
		return 0, ""
	}
	status := resp.StatusCode

	if status == http.StatusForbidden || status == http.StatusTooManyRequests {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), t.policy.Now()); ok {
			return d, "secondary rate limit"
		}
		if resp.Header.Get("X-RateLimit-Remaining") == "0" {
			return t.untilReset(resp.Header.Get("X-RateLimit-Reset")), "primary rate limit"
		}
		if status == http.StatusTooManyRequests || mentionsSecondaryLimit(resp) {
			return defaultSecondaryWait, "secondary rate limit"
		}
		return 0, ""
	}

	if status >= 500 && status <= 599 && idempotent(req.Method) {
		return defaultFirstBackoff << attempt, fmt.Sprintf("server error %d", status)
	}
	return 0, ""
}

// untilReset returns the wait until an X-RateLimit-Reset time (Unix seconds)
// plus one second, or defaultSecondaryWait when the header is missing.
func (t *retryTransport) untilReset(header string) time.Duration {
	reset, err := strconv.ParseInt(strings.TrimSpace(header), 10, 64)
	if err != nil {
		return defaultSecondaryWait
	}
	wait := time.Unix(reset, 0).Sub(t.policy.Now()) + time.Second
	return max(wait, time.Second)
}

// parseRetryAfter reads a Retry-After header: seconds or an HTTP date.
func parseRetryAfter(header string, now time.Time) (time.Duration, bool) {
	header = strings.TrimSpace(header)
	if header == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(header); err == nil && secs >= 0 {
		return max(time.Duration(secs)*time.Second, time.Second), true
	}
	if at, err := http.ParseTime(header); err == nil {
		return max(at.Sub(now), time.Second), true
	}
	return 0, false
}

// mentionsSecondaryLimit reports whether a 403 body is GitHub's secondary
// rate limit message. It reads at most maxErrorBodyInspectBytes and puts the
// bytes back for the caller.
func mentionsSecondaryLimit(resp *http.Response) bool {
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyInspectBytes))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(data), resp.Body), resp.Body}
	if err != nil {
		return false
	}
	return bytes.Contains(bytes.ToLower(data), []byte("secondary rate limit"))
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}
