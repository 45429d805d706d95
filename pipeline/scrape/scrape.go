// Package scrape samples an inference server's Prometheus /metrics endpoint
// while a workload runs, and maps each framework's metric names onto
// canonical names (running_requests, waiting_requests, kv_cache_usage,
// prompt_tokens_total, generation_tokens_total).
//
// A Scraper runs in its own goroutine with its own HTTP client, so it does
// not compete with the load generator for connections. A failed scrape (no
// endpoint, a non-2xx status, unparseable text) is counted, and the scraper
// keeps going, because server metrics explain a benchmark rather than decide
// it: Run returns no error.
package scrape

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strings"
	"sync"
	"time"
)

// DefaultInterval is the scrape interval used when New is given none.
const DefaultInterval = time.Second

// Bounds of the timeout of the scraper's own HTTP client, which is the
// interval clamped to [minTimeout, maxTimeout].
const (
	minTimeout = time.Second
	maxTimeout = 5 * time.Second
)

// maxBodyBytes bounds the /metrics response read per scrape.
const maxBodyBytes = 16 << 20

// Sample is one scrape.
type Sample struct {
	// At is the time since the workload started, taken when the response
	// headers arrived.
	At time.Duration
	// Values maps canonical names (RunningRequests, ...) to their values.
	// A name the server did not expose is absent.
	Values map[string]float64
}

// Scraper samples one server's /metrics endpoint at a fixed interval. Its
// methods are safe for concurrent use.
type Scraper struct {
	url      string
	sources  []source
	interval time.Duration
	client   *http.Client

	mu      sync.Mutex
	samples []Sample
	errors  int
	lastErr error
}

// New returns a scraper of baseURL + "/metrics" for a server of the given
// flavor, FlavorVLLM or FlavorSGLang. Any other flavor looks for the names of
// every known flavor. An interval of 0 or less means DefaultInterval. A nil
// httpClient means a client of the scraper's own, whose timeout is the
// interval clamped to 1..5 s. A client passed in should share no connection
// pool with the load generator.
func New(baseURL, flavor string, interval time.Duration, httpClient *http.Client) *Scraper {
	if interval <= 0 {
		interval = DefaultInterval
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: max(minTimeout, min(interval, maxTimeout))}
	}
	return &Scraper{
		url:      strings.TrimSuffix(baseURL, "/") + "/metrics",
		sources:  sourcesFor(flavor),
		interval: interval,
		client:   httpClient,
	}
}

// Run scrapes at once and then every interval until ctx is done. start is the
// workload's start instant; each sample's At is measured from it on the
// monotonic clock. Ticks that fall due while a slow scrape is still running
// are dropped rather than queued. Errors are counted (see Errors and
// LastError), never returned.
func (s *Scraper) Run(ctx context.Context, start time.Time) {
	ticker := time.NewTicker(s.interval)
	defer ticker.Stop()
	for {
		_ = s.Scrape(ctx, start)
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// Scrape takes one sample now and returns its error, which is also counted.
// Call it once more after the workload ends so that the counters cover the
// whole workload. A scrape cut short because ctx is done is neither stored
// nor counted.
func (s *Scraper) Scrape(ctx context.Context, start time.Time) error {
	sample, err := s.fetch(ctx, start)
	if err != nil && ctx.Err() != nil {
		return err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.errors++
		s.lastErr = err
		return err
	}
	s.samples = append(s.samples, sample)
	return nil
}

func (s *Scraper) fetch(ctx context.Context, start time.Time) (Sample, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return Sample{}, fmt.Errorf("scraping %s: %w", s.url, err)
	}
	// Ask for the classic text format: prometheus_client (vLLM, SGLang)
	// otherwise may answer in OpenMetrics.
	req.Header.Set("Accept", "text/plain;version=0.0.4")

	resp, err := s.client.Do(req)
	if err != nil {
		return Sample{}, fmt.Errorf("scraping %s: %w", s.url, err)
	}
	at := time.Since(start)
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// Drain a little so the connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return Sample{}, fmt.Errorf("scraping %s: status %s", s.url, resp.Status)
	}

	values, err := extract(io.LimitReader(resp.Body, maxBodyBytes), s.sources)
	if err != nil {
		return Sample{}, fmt.Errorf("scraping %s: %w", s.url, err)
	}
	return Sample{At: at, Values: values}, nil
}

// Samples returns a copy of the samples taken so far, in order.
func (s *Scraper) Samples() []Sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Sample, len(s.samples))
	for i, sample := range s.samples {
		out[i] = Sample{At: sample.At, Values: maps.Clone(sample.Values)}
	}
	return out
}

// Errors returns the number of failed scrapes.
func (s *Scraper) Errors() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.errors
}

// LastError returns the error of the most recent failed scrape, or nil.
func (s *Scraper) LastError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastErr
}
