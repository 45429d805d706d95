package ghcomment

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/ghcomment/ghtest"
)

// testNow is the fixed clock of the retry policy in these tests.
var testNow = time.Date(2026, 1, 2, 15, 0, 0, 0, time.UTC)

const testToken = "ghp_testtoken0123456789"

// sleepRecorder replaces the retry sleep and records the requested waits.
type sleepRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleepRecorder) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waits = append(s.waits, d)
	return nil
}

func (s *sleepRecorder) recorded() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

func newTestPoster(t *testing.T, srv *ghtest.Server, maxWait time.Duration) (*Poster, *sleepRecorder) {
	t.Helper()
	sleeps := &sleepRecorder{}
	client, err := NewClient(ClientOptions{
		APIURL: srv.APIURL(),
		Token:  testToken,
		Retry:  RetryPolicy{Sleep: sleeps.sleep, Now: func() time.Time { return testNow }, MaxWait: maxWait},
	})
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return NewPoster(client, PosterOptions{}), sleeps
}

// registerActionsToken stubs GET /user as GitHub does for the GITHUB_TOKEN.
func registerActionsToken(srv *ghtest.Server) {
	srv.Register("GET", "/user", ghtest.JSON(http.StatusForbidden, ghtest.ErrorBody(
		"Resource not accessible by integration",
		"https://docs.github.com/rest/users/users#get-the-authenticated-user")))
}

var testTarget = Target{Owner: "acme", Repo: "serving", Number: 7, MatrixID: "plan"}

func fixedBody(body string) func(int) string {
	return func(int) string { return body }
}

func TestUpsertCreatesComment(t *testing.T) {
	srv := ghtest.NewServer(t)
	issue := ghtest.NewIssue("acme", "serving", 7)
	registerActionsToken(srv)
	srv.Register("GET", issue.CommentsPath(), issue.List())
	srv.Register("POST", issue.CommentsPath(), issue.Create(ghtest.ActionsBot))
	poster, _ := newTestPoster(t, srv, 0)

	body := RenderComment(planReport())
	res, err := poster.Upsert(context.Background(), testTarget, ModeOnChange, fixedBody(body))
	if err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	if res.Outcome != Created {
		t.Errorf("outcome = %s, want created", res.Outcome)
	}
	if want := fmt.Sprintf("https://github.com/acme/serving/pull/7#issuecomment-%d", res.ID); res.URL != want {
		t.Errorf("URL = %q, want %q", res.URL, want)
	}
	comments := issue.Comments()
	if len(comments) != 1 || comments[0].Body != body {
		t.Fatalf("issue has %d comments, want the one rendered body", len(comments))
	}
	for _, req := range srv.Requests() {
		if got := req.Header.Get("Authorization"); got != "Bearer "+testToken {
			t.Errorf("%s %s: Authorization = %q, want the bearer token", req.Method, req.Path, got)
		}
	}
}

func TestUpsertFindsMarkerOnPageThree(t *testing.T) {
	srv := ghtest.NewServer(t)
	issue := ghtest.NewIssue("acme", "serving", 7)
	for i := range 230 {
		issue.Add(ghtest.Octocat, fmt.Sprintf("comment %d", i))
	}
	stickyID := issue.Add(ghtest.ActionsBot, Marker("plan")+"\nold results")
	for i := range 15 {
		issue.Add(ghtest.Mallory, fmt.Sprintf("later comment %d", i))
	}
	registerActionsToken(srv)
	srv.Register("GET", issue.CommentsPath(), issue.List()).WithQuery("page", "").WithQuery("per_page", "100")
	srv.Register("GET", issue.CommentsPath(), issue.List()).WithQuery("page", "2").WithQuery("per_page", "100")
	srv.Register("GET", issue.CommentsPath(), issue.List()).WithQuery("page", "3").WithQuery("per_page", "100")
	srv.Register("PATCH", issue.CommentPath(stickyID), issue.Edit())
	poster, _ := newTestPoster(t, srv, 0)

	body := Marker("plan") + "\nnew results"
	res, err := poster.Upsert(context.Background(), testTarget, ModeAlways, fixedBody(body))
	if err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	if res.Outcome != Updated || res.ID != stickyID {
		t.Errorf("result = %+v, want an update of comment %d", res, stickyID)
	}
	comments := issue.Comments()
	if len(comments) != 246 {
		t.Errorf("issue has %d comments, want 246 (no new one)", len(comments))
	}
	if got := comments[230].Body; got != body {
		t.Errorf("sticky comment body = %q, want %q", got, body)
	}
}

func TestUpsertOnChangeSkipsEqualBody(t *testing.T) {
	srv := ghtest.NewServer(t)
	issue := ghtest.NewIssue("acme", "serving", 7)
	body := RenderComment(planReport())
	id := issue.Add(ghtest.ActionsBot, body)
	registerActionsToken(srv)
	srv.Register("GET", issue.CommentsPath(), issue.List())
	poster, _ := newTestPoster(t, srv, 0)

	res, err := poster.Upsert(context.Background(), testTarget, ModeOnChange, fixedBody(body))
	if err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	if res.Outcome != Unchanged || res.ID != id {
		t.Errorf("result = %+v, want unchanged comment %d", res, id)
	}
}

func TestUpsertIgnoresForgedMarker(t *testing.T) {
	srv := ghtest.NewServer(t)
	issue := ghtest.NewIssue("acme", "serving", 7)
	forged := Marker("plan") + "\nfake results"
	issue.Add(ghtest.Mallory, forged)
	registerActionsToken(srv)
	srv.Register("GET", issue.CommentsPath(), issue.List())
	srv.Register("POST", issue.CommentsPath(), issue.Create(ghtest.ActionsBot))
	poster, _ := newTestPoster(t, srv, 0)

	res, err := poster.Upsert(context.Background(), testTarget, ModeAlways, fixedBody(Marker("plan")+"\nreal"))
	if err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	if res.Outcome != Created {
		t.Errorf("outcome = %s, want created (the forged comment is not ours)", res.Outcome)
	}
	if got := issue.Comments()[0].Body; got != forged {
		t.Errorf("the other user's comment was changed to %q", got)
	}
}

func TestUpsertPersonalTokenAuthor(t *testing.T) {
	srv := ghtest.NewServer(t)
	issue := ghtest.NewIssue("acme", "serving", 7)
	issue.Add(ghtest.ActionsBot, Marker("plan")+"\nmade with another token")
	mine := issue.Add(ghtest.Octocat, Marker("plan")+"\nmine")
	srv.Register("GET", "/user", func(req ghtest.Request) ghtest.Response {
		return ghtest.JSON(http.StatusOK, ghtest.UserJSON(ghtest.Octocat, req.BaseURL))(req)
	})
	srv.Register("GET", issue.CommentsPath(), issue.List())
	srv.Register("PATCH", issue.CommentPath(mine), issue.Edit())
	poster, _ := newTestPoster(t, srv, 0)

	res, err := poster.Upsert(context.Background(), testTarget, ModeAlways, fixedBody(Marker("plan")+"\nnew"))
	if err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	if res.ID != mine {
		t.Errorf("edited comment %d, want octocat's comment %d", res.ID, mine)
	}
}

func TestUpsertReadOnlyToken(t *testing.T) {
	srv := ghtest.NewServer(t)
	issue := ghtest.NewIssue("acme", "serving", 7)
	registerActionsToken(srv)
	srv.Register("GET", issue.CommentsPath(), issue.List())
	srv.Register("POST", issue.CommentsPath(), ghtest.JSON(http.StatusForbidden, ghtest.ErrorBody(
		"Resource not accessible by integration",
		"https://docs.github.com/rest/issues/comments#create-an-issue-comment")))
	poster, _ := newTestPoster(t, srv, 0)

	_, err := poster.Upsert(context.Background(), testTarget, ModeAlways, fixedBody("x"))
	if !errors.Is(err, ErrReadOnlyToken) {
		t.Fatalf("error = %v, want ErrReadOnlyToken", err)
	}
	for _, want := range []string{"workflow_run", "comment: never", "pull-requests: write"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestUpsertBodyTooLongCutsAndRetries(t *testing.T) {
	srv := ghtest.NewServer(t)
	issue := ghtest.NewIssue("acme", "serving", 7)
	registerActionsToken(srv)
	srv.Register("GET", issue.CommentsPath(), issue.List())
	srv.Register("POST", issue.CommentsPath(), ghtest.JSON(http.StatusUnprocessableEntity, map[string]any{
		"message": "Validation Failed",
		"errors": []map[string]any{{
			"resource": "IssueComment", "code": "custom", "field": "body",
			"message": "body is too long (maximum is 65536 characters)",
		}},
		"documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
		"status":            "422",
	}))
	srv.Register("POST", issue.CommentsPath(), issue.Create(ghtest.ActionsBot))
	poster, _ := newTestPoster(t, srv, 0)

	var limits []int
	render := func(limit int) string {
		limits = append(limits, limit)
		o := CommentOptions()
		o.Limit = limit
		return Render(manyModelsReport(60), o)
	}
	res, err := poster.Upsert(context.Background(), testTarget, ModeAlways, render)
	if err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	if res.Outcome != Created {
		t.Errorf("outcome = %s, want created", res.Outcome)
	}
	if len(limits) != 2 || limits[1] >= limits[0] {
		t.Fatalf("render limits = %v, want a second, smaller limit", limits)
	}
	if got := len(issue.Comments()[0].Body); got > limits[1] {
		t.Errorf("posted body is %d bytes, over the reduced limit %d", got, limits[1])
	}
}

func TestListRetriesBadGateway(t *testing.T) {
	srv := ghtest.NewServer(t)
	issue := ghtest.NewIssue("acme", "serving", 7)
	registerActionsToken(srv)
	srv.Register("GET", issue.CommentsPath(), ghtest.JSON(http.StatusBadGateway, ghtest.ErrorBody("Server Error", "")))
	srv.Register("GET", issue.CommentsPath(), issue.List())
	srv.Register("POST", issue.CommentsPath(), issue.Create(ghtest.ActionsBot))
	poster, sleeps := newTestPoster(t, srv, 0)

	if _, err := poster.Upsert(context.Background(), testTarget, ModeAlways, fixedBody("x")); err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	if got := sleeps.recorded(); len(got) != 1 || got[0] != time.Second {
		t.Errorf("waits = %v, want one backoff of 1s", got)
	}
}

func TestCreateAfterBadGatewayChecksFirst(t *testing.T) {
	srv := ghtest.NewServer(t)
	issue := ghtest.NewIssue("acme", "serving", 7)
	registerActionsToken(srv)
	srv.Register("GET", issue.CommentsPath(), issue.List()).Times(2)
	srv.Register("POST", issue.CommentsPath(), ghtest.JSON(http.StatusBadGateway, ghtest.ErrorBody("Server Error", "")))
	srv.Register("POST", issue.CommentsPath(), issue.Create(ghtest.ActionsBot))
	poster, sleeps := newTestPoster(t, srv, 0)

	res, err := poster.Upsert(context.Background(), testTarget, ModeAlways, fixedBody("x"))
	if err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	if res.Outcome != Created || len(issue.Comments()) != 1 {
		t.Errorf("result %+v with %d comments, want one created comment", res, len(issue.Comments()))
	}
	if got := sleeps.recorded(); len(got) != 0 {
		t.Errorf("POST was retried by the transport after waits %v; it must not be", got)
	}
}

func TestSecondaryRateLimitRetryAfter(t *testing.T) {
	srv := ghtest.NewServer(t)
	issue := ghtest.NewIssue("acme", "serving", 7)
	registerActionsToken(srv)
	srv.Register("GET", issue.CommentsPath(), issue.List())
	srv.Register("POST", issue.CommentsPath(), ghtest.WithHeader(ghtest.JSON(http.StatusForbidden, ghtest.ErrorBody(
		"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
		"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits")),
		"Retry-After", "30"))
	srv.Register("POST", issue.CommentsPath(), issue.Create(ghtest.ActionsBot))
	poster, sleeps := newTestPoster(t, srv, 0)

	if _, err := poster.Upsert(context.Background(), testTarget, ModeAlways, fixedBody("x")); err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	if got := sleeps.recorded(); len(got) != 1 || got[0] != 30*time.Second {
		t.Errorf("waits = %v, want the Retry-After of 30s", got)
	}
}

func primaryLimit(status int, reset time.Time) ghtest.Responder {
	r := ghtest.JSON(status, ghtest.ErrorBody("API rate limit exceeded for installation ID 1.",
		"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"))
	r = ghtest.WithHeader(r, "X-RateLimit-Limit", "5000")
	r = ghtest.WithHeader(r, "X-RateLimit-Remaining", "0")
	r = ghtest.WithHeader(r, "X-RateLimit-Used", "5000")
	r = ghtest.WithHeader(r, "X-RateLimit-Resource", "core")
	return ghtest.WithHeader(r, "X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
}

func TestPrimaryRateLimitWaitsForReset(t *testing.T) {
	srv := ghtest.NewServer(t)
	issue := ghtest.NewIssue("acme", "serving", 7)
	registerActionsToken(srv)
	srv.Register("GET", issue.CommentsPath(), primaryLimit(http.StatusTooManyRequests, testNow.Add(20*time.Second)))
	srv.Register("GET", issue.CommentsPath(), issue.List())
	srv.Register("POST", issue.CommentsPath(), issue.Create(ghtest.ActionsBot))
	poster, sleeps := newTestPoster(t, srv, 0)

	if _, err := poster.Upsert(context.Background(), testTarget, ModeAlways, fixedBody("x")); err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	if got := sleeps.recorded(); len(got) != 1 || got[0] != 21*time.Second {
		t.Errorf("waits = %v, want 21s (until the reset, plus one second)", got)
	}
}

func TestPrimaryRateLimitOverBudget(t *testing.T) {
	srv := ghtest.NewServer(t)
	issue := ghtest.NewIssue("acme", "serving", 7)
	registerActionsToken(srv)
	srv.Register("GET", issue.CommentsPath(), primaryLimit(http.StatusForbidden, testNow.Add(time.Hour)))
	poster, sleeps := newTestPoster(t, srv, time.Minute)

	_, err := poster.Upsert(context.Background(), testTarget, ModeAlways, fixedBody("x"))
	if !errors.Is(err, ErrRateLimited) {
		t.Fatalf("error = %v, want ErrRateLimited", err)
	}
	if got := sleeps.recorded(); len(got) != 0 {
		t.Errorf("waited %v although the reset is beyond the budget", got)
	}
}

func TestServerErrorRetriesBounded(t *testing.T) {
	srv := ghtest.NewServer(t)
	issue := ghtest.NewIssue("acme", "serving", 7)
	registerActionsToken(srv)
	srv.Register("GET", issue.CommentsPath(), ghtest.JSON(http.StatusServiceUnavailable, ghtest.ErrorBody("Service Unavailable", ""))).Times(5)
	poster, sleeps := newTestPoster(t, srv, 0)

	_, err := poster.Upsert(context.Background(), testTarget, ModeAlways, fixedBody("x"))
	if err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("error = %v, want the final 503", err)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}
	if got := sleeps.recorded(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("waits = %v, want %v", got, want)
	}
}

func TestNewClientRejectsBadAPIURL(t *testing.T) {
	if _, err := NewClient(ClientOptions{APIURL: "ftp://example.com"}); err == nil {
		t.Error("NewClient accepted an ftp API URL")
	}
}
