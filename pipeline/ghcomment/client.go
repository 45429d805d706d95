package ghcomment

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
)

// defaultAPIURL is the REST API root of github.com.
const defaultAPIURL = "https://api.github.com"

// ClientOptions configure NewClient.
type ClientOptions struct {
	// APIURL is the REST API root from GITHUB_API_URL:
	// "https://api.github.com", or "https://HOST/api/v3" on GitHub Enterprise
	// Server. Empty means github.com.
	APIURL string
	// Token authenticates every request; it is never logged.
	Token string
	// Transport sends the requests; nil means http.DefaultTransport.
	Transport http.RoundTripper
	// Retry bounds the retries after rate limits and server errors.
	Retry RetryPolicy
	// Timeout is the time limit of one HTTP request; 0 means 30 seconds.
	Timeout time.Duration
	// Logger receives retries; nil discards them.
	Logger *slog.Logger
}

// NewClient returns a go-github client for o.APIURL whose requests are
// retried according to o.Retry.
func NewClient(o ClientOptions) (*github.Client, error) {
	timeout := o.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	httpClient := &http.Client{
		Transport: newRetryTransport(o.Transport, o.Retry, o.Logger),
		Timeout:   timeout,
	}
	client := github.NewClient(httpClient)
	if o.Token != "" {
		client = client.WithAuthToken(o.Token)
	}

	apiURL := strings.TrimRight(strings.TrimSpace(o.APIURL), "/")
	if apiURL == "" || apiURL == defaultAPIURL {
		return client, nil
	}
	parsed, err := url.Parse(apiURL)
	if err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "" {
		return nil, fmt.Errorf("invalid GitHub API URL %q: want an absolute http(s) URL such as https://github.example.com/api/v3", o.APIURL)
	}
	uploadURL := strings.TrimSuffix(apiURL, "/api/v3") + "/api/uploads"
	client, err = client.WithEnterpriseURLs(apiURL+"/", uploadURL+"/")
	if err != nil {
		return nil, fmt.Errorf("configuring the GitHub API URL %q: %w", o.APIURL, err)
	}
	return client, nil
}
