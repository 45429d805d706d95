// Package client is the streaming client of the OpenAI-compatible
// completions and chat completions endpoints. It sends one request, reads
// its Server-Sent Events stream and measures it into a record.Record.
package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tiktoken-go/tokenizer/codec"
)

// TokenizerGPT2 is the Options.Tokenizer value that estimates output tokens
// with GPT-2's byte-pair encoding (r50k_base) when the server sends no usage.
const TokenizerGPT2 = "gpt2"

// dialTimeout bounds the TCP connect of every request and probe.
const dialTimeout = 5 * time.Second

// Options configures a Client.
type Options struct {
	// BaseURL is the server's root URL, e.g. "http://127.0.0.1:8000". A
	// trailing "/v1" is accepted and removed, because request paths start
	// with it.
	BaseURL string
	// Concurrency is the number of requests in flight at most, and so the
	// size of the keep-alive connection pool. Must be at least 1.
	Concurrency int
	// Timeout is the per-request timeout, from the start of Do until the end
	// of the stream; 0 means none.
	Timeout time.Duration
	// KeepText keeps the generated text in Record.OutputText.
	KeepText bool
	// Tokenizer estimates output tokens when the server sends no usage:
	// "" (none: output tokens unknown) or TokenizerGPT2.
	Tokenizer string
	// Now is the clock of every timestamp; nil means time.Now, which carries
	// the monotonic clock.
	Now func() time.Time
	// HTTPClient replaces the client's own HTTP client (tests, proxies). Its
	// transport should not compress and should not buffer responses.
	HTTPClient *http.Client
}

// Client sends streaming requests to one server. It is safe for concurrent
// use; requests beyond Options.Concurrency wait for a pool connection.
type Client struct {
	baseURL string
	// displayURL is baseURL with its password masked, for messages.
	displayURL string
	http       *http.Client
	timeout    time.Duration
	keepText   bool
	tokenizer  string
	estimator  *codec.Codec
	now        func() time.Time
}

// New returns a Client for opts, or an error naming the invalid option.
func New(opts Options) (*Client, error) {
	base, display, err := normalizeBaseURL(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	if opts.Concurrency < 1 {
		return nil, fmt.Errorf("client concurrency must be at least 1, got %d", opts.Concurrency)
	}
	if opts.Timeout < 0 {
		return nil, fmt.Errorf("client request timeout must be 0 (none) or positive, got %v", opts.Timeout)
	}

	c := &Client{
		baseURL:    base,
		displayURL: display,
		http:       opts.HTTPClient,
		timeout:    opts.Timeout,
		keepText:   opts.KeepText,
		tokenizer:  opts.Tokenizer,
		now:        opts.Now,
	}
	switch opts.Tokenizer {
	case "":
	case TokenizerGPT2:
		c.estimator = codec.NewR50kBase()
	default:
		return nil, fmt.Errorf("unknown tokenizer %q: use %q or leave it empty to report output tokens as unknown when the server sends no usage", opts.Tokenizer, TokenizerGPT2)
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.http == nil {
		c.http = &http.Client{Transport: newTransport(opts.Concurrency)}
	}
	return c, nil
}

// newTransport returns an HTTP/1.1 transport with one keep-alive pool of
// concurrency connections and no response compression, so that reads are
// not buffered by a decompressor. Go sets TCP_NODELAY on its connections.
func newTransport(concurrency int) *http.Transport {
	dialer := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		// No proxy from the environment: a proxy would buffer the stream
		// and distort every timing.
		Proxy:               nil,
		DialContext:         dialer.DialContext,
		MaxIdleConns:        concurrency,
		MaxIdleConnsPerHost: concurrency,
		MaxConnsPerHost:     concurrency,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
		TLSHandshakeTimeout: dialTimeout,
	}
}

// CloseIdleConnections closes the idle connections of the client's pool.
func (c *Client) CloseIdleConnections() {
	c.http.CloseIdleConnections()
}

// normalizeBaseURL checks a base URL and returns it without a trailing
// "/v1", and the same with its password masked for messages. Its errors
// show the URL with the password masked.
func normalizeBaseURL(raw string) (base, display string, err error) {
	if raw == "" {
		return "", "", errors.New("client base URL is empty: set it to the server's root, e.g. http://127.0.0.1:8000")
	}
	redacted := RedactURL(raw)
	u, err := url.Parse(raw)
	if err != nil {
		// The *url.Error repeats the raw URL, password included.
		return "", "", fmt.Errorf("client base URL %q: %w", redacted, withoutURL(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", "", fmt.Errorf("client base URL %q: scheme must be http or https, e.g. http://127.0.0.1:8000", redacted)
	}
	if u.Host == "" {
		return "", "", fmt.Errorf("client base URL %q: missing host, e.g. http://127.0.0.1:8000", redacted)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", "", fmt.Errorf("client base URL %q: remove the query or fragment", redacted)
	}
	path := strings.TrimRight(u.Path, "/")
	path = strings.TrimSuffix(path, "/v1")
	u.Path, u.RawPath = path, ""
	return u.String(), u.Redacted(), nil
}

// RedactURL returns rawURL for messages, with its password, query and
// fragment replaced by "xxxxx", because any of them may carry a key. It also
// masks URLs that do not parse.
func RedactURL(rawURL string) string {
	if i := strings.IndexAny(rawURL, "?#"); i >= 0 {
		rawURL = rawURL[:i+1] + "xxxxx"
	}
	start := 0
	if i := strings.Index(rawURL, "://"); i >= 0 {
		start = i + len("://")
	}
	authority := rawURL[start:]
	if end := strings.IndexAny(authority, "/?#"); end >= 0 {
		authority = authority[:end]
	}
	at := strings.LastIndexByte(authority, '@')
	if at < 0 {
		return rawURL
	}
	if colon := strings.IndexByte(authority[:at], ':'); colon >= 0 {
		return rawURL[:start+colon+1] + "xxxxx" + rawURL[start+at:]
	}
	return rawURL
}

// requestContext returns the context of one request: ctx with the
// per-request timeout. Its cause errRequestTimeout distinguishes the expiry
// from the run's own cancellation.
func (c *Client) requestContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeoutCause(ctx, c.timeout, errRequestTimeout)
}

// errRequestTimeout is the cause of a per-request timeout.
var errRequestTimeout = errors.New("request timed out")

// WithTimeout returns a client that shares c's connection pool and settings
// but has the per-request timeout d (0 for none), so that workloads with
// different timeouts reuse the connections of one server.
func (c *Client) WithTimeout(d time.Duration) (*Client, error) {
	if d < 0 {
		return nil, fmt.Errorf("client request timeout must be 0 (none) or positive, got %v", d)
	}
	copied := *c
	copied.timeout = d
	return &copied, nil
}
