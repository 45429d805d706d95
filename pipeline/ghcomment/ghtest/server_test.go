package ghtest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// recordingTB captures Errorf and runs cleanups on demand, so the server's own
// failures can be checked.
type recordingTB struct {
	testing.TB
	errors   []string
	cleanups []func()
}

func (r *recordingTB) Helper()          {}
func (r *recordingTB) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recordingTB) finish() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

func TestServerFailsOnUnmatchedRequest(t *testing.T) {
	tb := &recordingTB{TB: t}
	srv := NewServer(tb)
	resp, err := http.Get(srv.APIURL() + "/repos/a/b/issues/1/comments")
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	resp.Body.Close()
	tb.finish()

	if resp.StatusCode != http.StatusNotImplemented {
		t.Errorf("status = %d, want 501", resp.StatusCode)
	}
	if len(tb.errors) != 1 || !strings.Contains(tb.errors[0], "unexpected request GET") {
		t.Errorf("errors = %q, want one unexpected-request error", tb.errors)
	}
}

func TestServerFailsOnUnusedStub(t *testing.T) {
	tb := &recordingTB{TB: t}
	srv := NewServer(tb)
	srv.Register("GET", "/user", JSON(http.StatusOK, map[string]any{"login": "octocat"}))
	srv.Register("POST", "/repos/a/b/issues/1/comments", JSON(http.StatusCreated, map[string]any{})).Times(2)
	resp, err := http.Post(srv.APIURL()+"/repos/a/b/issues/1/comments", "application/json", strings.NewReader(`{"body":"x"}`))
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	resp.Body.Close()
	tb.finish()

	want := []string{"ghtest: stub GET /user used 0 times, want 1", "ghtest: stub POST /repos/a/b/issues/1/comments used 1 times, want 2"}
	if fmt.Sprint(tb.errors) != fmt.Sprint(want) {
		t.Errorf("errors = %q, want %q", tb.errors, want)
	}
}

func TestIssueListLinkHeader(t *testing.T) {
	srv := NewServer(t)
	issue := NewIssue("a", "b", 1)
	for i := range 5 {
		issue.Add(Octocat, fmt.Sprint(i))
	}
	srv.Register("GET", issue.CommentsPath(), issue.List()).WithQuery("page", "2")
	resp, err := http.Get(srv.APIURL() + issue.CommentsPath() + "?per_page=2&page=2")
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	resp.Body.Close()
	link := resp.Header.Get("Link")
	for _, want := range []string{`page=3>; rel="next"`, `page=3>; rel="last"`, `page=1>; rel="first"`, `page=1>; rel="prev"`} {
		if !strings.Contains(link, want) {
			t.Errorf("Link %q lacks %q", link, want)
		}
	}
}
