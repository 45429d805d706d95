package ghcomment

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
)

// Errors the poster wraps, for errors.Is.
var (
	// ErrReadOnlyToken means the token may not write comments: GitHub
	// returned 403 "Resource not accessible by integration", as it does for
	// the read-only GITHUB_TOKEN of a pull request from a fork.
	ErrReadOnlyToken = errors.New("the token cannot write pull-request comments")
	// ErrBadCredentials means GitHub rejected the token (401).
	ErrBadCredentials = errors.New("GitHub rejected the token")
	// ErrRateLimited means a rate limit outlasted the retry budget.
	ErrRateLimited = errors.New("GitHub API rate limit exceeded")
	// ErrNotFound means the repository or pull request does not exist or the
	// token cannot see it (404).
	ErrNotFound = errors.New("not found")
	// ErrBodyTooLong means GitHub rejected the comment body as too long even
	// after it was cut further.
	ErrBodyTooLong = errors.New("comment body too long")
)

// readOnlyRemedy explains the safe way to comment on pull requests from forks.
const readOnlyRemedy = "pull requests from forks get a read-only GITHUB_TOKEN: run the benchmark with " +
	"comment: never, upload the results with actions/upload-artifact, and post the comment from a " +
	"separate workflow triggered by workflow_run (see docs/action.md); for pull requests from the same " +
	"repository, grant the job permissions: pull-requests: write"

// classify wraps err, returned while doing what, in one of the package's
// errors with a remedy when it recognises the response.
func classify(err error, what string) error {
	var rateErr *github.RateLimitError
	if errors.As(err, &rateErr) {
		reset := rateErr.Rate.Reset.Time
		return fmt.Errorf("%s: %w until %s; the results are saved, rerun the job after that time: %w",
			what, ErrRateLimited, reset.UTC().Format(time.RFC3339), err)
	}
	var abuseErr *github.AbuseRateLimitError
	if errors.As(err, &abuseErr) {
		return fmt.Errorf("%s: %w (secondary limit); the results are saved, rerun the job later: %w",
			what, ErrRateLimited, err)
	}

	var respErr *github.ErrorResponse
	if !errors.As(err, &respErr) || respErr.Response == nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	switch status := respErr.Response.StatusCode; {
	case status == http.StatusForbidden && strings.Contains(respErr.Message, "Resource not accessible"):
		return fmt.Errorf("%s: %w (403 %s); %s", what, ErrReadOnlyToken, respErr.Message, readOnlyRemedy)
	case status == http.StatusUnauthorized:
		return fmt.Errorf("%s: %w (401 %s); check the github-token input", what, ErrBadCredentials, respErr.Message)
	case status == http.StatusNotFound:
		return fmt.Errorf("%s: %w (404): the repository or pull request does not exist or the token cannot read it: %w",
			what, ErrNotFound, err)
	case status == http.StatusTooManyRequests:
		return fmt.Errorf("%s: %w; the results are saved, rerun the job later: %w", what, ErrRateLimited, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// isBodyTooLong reports whether err is GitHub's 422 response to a comment body
// over its length limit.
func isBodyTooLong(err error) bool {
	var respErr *github.ErrorResponse
	if !errors.As(err, &respErr) || respErr.Response == nil || respErr.Response.StatusCode != http.StatusUnprocessableEntity {
		return false
	}
	if strings.Contains(strings.ToLower(respErr.Message), "too long") {
		return true
	}
	for _, e := range respErr.Errors {
		if strings.Contains(strings.ToLower(e.Message), "too long") {
			return true
		}
	}
	return false
}

// isServerError reports whether err is a 5xx response.
func isServerError(err error) bool {
	var respErr *github.ErrorResponse
	return errors.As(err, &respErr) && respErr.Response != nil && respErr.Response.StatusCode >= 500
}
