// Package ghtest is a stand-in for the GitHub REST API in tests. Its
// httptest server serves only the requests a test registers, in GitHub's
// response shapes. It fails the test on any request it did not expect and
// on any registered stub that was never used.
package ghtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// apiPrefix is the REST API root of GitHub Enterprise Server; the server
// serves under it so that clients exercise the GITHUB_API_URL handling.
const apiPrefix = "/api/v3"

// Request is a request the server received, with its body read.
type Request struct {
	Method string
	// Path is the request path without the /api/v3 prefix.
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
	// BaseURL is the server's API root as the client addressed it, for
	// building Link headers and URLs in responses.
	BaseURL string
}

// Response is the response of a stub.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// Responder builds the response to a matched request.
type Responder func(Request) Response

// Stub is one expected request. By default it matches once.
type Stub struct {
	method  string
	path    string
	query   url.Values
	respond Responder
	times   int // matches allowed; -1 for any number (at least one)
	matched int
}

// WithQuery restricts the stub to requests whose query has key=value.
func (st *Stub) WithQuery(key, value string) *Stub {
	if st.query == nil {
		st.query = url.Values{}
	}
	st.query.Set(key, value)
	return st
}

// Times lets the stub match exactly n requests.
func (st *Stub) Times(n int) *Stub {
	st.times = n
	return st
}

func (st *Stub) String() string {
	s := st.method + " " + st.path
	if len(st.query) > 0 {
		s += "?" + st.query.Encode()
	}
	return s
}

func (st *Stub) matches(r Request) bool {
	if st.method != r.Method || st.path != r.Path {
		return false
	}
	if st.times >= 0 && st.matched >= st.times {
		return false
	}
	for k := range st.query {
		if r.Query.Get(k) != st.query.Get(k) {
			return false
		}
	}
	return true
}

// Server is the fake GitHub API.
type Server struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	stubs    []*Stub
	requests []Request
}

// NewServer starts a server closed at the end of the test, which then fails
// the test for every stub that matched fewer times than registered.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		s.srv.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, st := range s.stubs {
			switch {
			case st.times < 0 && st.matched == 0:
				t.Errorf("ghtest: stub %s was never used", st)
			case st.times >= 0 && st.matched != st.times:
				t.Errorf("ghtest: stub %s used %d times, want %d", st, st.matched, st.times)
			}
		}
	})
	return s
}

// APIURL returns the API root to use as GITHUB_API_URL.
func (s *Server) APIURL() string {
	return s.srv.URL + apiPrefix
}

// Register adds a stub for method and path (without the /api/v3 prefix).
// Stubs are tried in registration order, so registering the same route twice
// serves the first request with the first stub and the second with the
// second.
func (s *Server) Register(method, path string, respond Responder) *Stub {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &Stub{method: method, path: path, respond: respond, times: 1}
	s.stubs = append(s.stubs, st)
	return st
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.t.Errorf("ghtest: reading the body of %s %s: %v", r.Method, r.URL.Path, err)
	}
	req := Request{
		Method:  r.Method,
		Path:    strings.TrimPrefix(r.URL.Path, apiPrefix),
		Query:   r.URL.Query(),
		Header:  r.Header.Clone(),
		Body:    body,
		BaseURL: "http://" + r.Host + apiPrefix,
	}

	s.mu.Lock()
	s.requests = append(s.requests, req)
	var stub *Stub
	if strings.HasPrefix(r.URL.Path, apiPrefix+"/") {
		for _, st := range s.stubs {
			if st.matches(req) {
				st.matched++
				stub = st
				break
			}
		}
	}
	s.mu.Unlock()

	if stub == nil {
		s.t.Errorf("ghtest: unexpected request %s %s", r.Method, r.URL.RequestURI())
		writeResponse(w, Response{Status: http.StatusNotImplemented, Body: mustJSON(ErrorBody("no stub for this request", ""))})
		return
	}
	writeResponse(w, stub.respond(req))
}

func writeResponse(w http.ResponseWriter, resp Response) {
	for k, vs := range resp.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, resp.Body)
}

// JSON responds with status and v encoded as JSON.
func JSON(status int, v any) Responder {
	return func(Request) Response {
		return Response{Status: status, Body: mustJSON(v)}
	}
}

// WithHeader responds like r and adds the header key: value.
func WithHeader(r Responder, key, value string) Responder {
	return func(req Request) Response {
		resp := r(req)
		if resp.Header == nil {
			resp.Header = http.Header{}
		}
		resp.Header.Add(key, value)
		return resp
	}
}

// ErrorBody is GitHub's error document.
func ErrorBody(message, documentationURL string) map[string]any {
	doc := map[string]any{"message": message}
	if documentationURL != "" {
		doc["documentation_url"] = documentationURL
	}
	return doc
}

func mustJSON(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("ghtest: encoding a response: %v", err))
	}
	return string(data)
}
