package client

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestCheckHTMLNotFoundBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("<!DOCTYPE html>\n<html>\n<head><title>Error</title></head>\n<body><h1>Not Found</h1>\n<p>Error code: 404</p>\n</body>\n</html>\n"))
	}))
	defer srv.Close()
	c, err := New(Options{BaseURL: srv.URL, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Check(context.Background())
	if err == nil {
		t.Fatal("Check of a server that answers 404 = nil, want an error")
	}
	want := fmt.Sprintf(`checking server %s/v1/models: returned 404 Not Found (body: "Error Not Found Error code: 404"); point the base URL at`, srv.URL)
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Check error =\n%s\nwant prefix\n%s", err, want)
	}
	if strings.ContainsAny(err.Error(), "<>\n") {
		t.Errorf("Check error %q keeps markup or line breaks of the body", err)
	}
}

func TestBodyExcerpt(t *testing.T) {
	long := strings.Repeat("x", 300)
	for body, want := range map[string]string{
		"":                                   "empty body",
		"  \n ":                              "empty body",
		`{"detail":"Not Found"}`:             `body: "Not Found"`,
		"<p>a <b>b</b></p>\n<p>c":            `body: "a b c"`,
		"unclosed <tag":                      `body: "unclosed <tag"`,
		long:                                 `body: "` + long[:200] + `..."`,
		`{"error":{"message":"no\nsuch"}}`:   `body: "no such"`,
		"<html><body>\r\n\t</body></html>\n": "empty body",
	} {
		if got := bodyExcerpt([]byte(body)); got != want {
			t.Errorf("bodyExcerpt(%q) = %s, want %s", body, got, want)
		}
	}
}

func TestCheckModel(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /two/v1/models", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"object":"list","data":[{"id":"facebook/opt-125m","object":"model"},{"id":"other","object":"model"}]}`))
	})
	mux.HandleFunc("GET /empty/v1/models", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"object":"list","data":[]}`))
	})
	mux.HandleFunc("GET /many/v1/models", func(w http.ResponseWriter, _ *http.Request) {
		var ids []string
		for i := range 12 {
			ids = append(ids, fmt.Sprintf(`{"id":"m%d"}`, i))
		}
		_, _ = w.Write([]byte(`{"data":[` + strings.Join(ids, ",") + `]}`))
	})
	mux.HandleFunc("GET /html/v1/models", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`<html>hello</html>`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	for _, tc := range []struct {
		path, model string
		want        []string // substrings of the error; none means success
	}{
		{"/two", "facebook/opt-125m", nil},
		{"/two", "other", nil},
		{"/two", "facebook/opt-350m", []string{`model "facebook/opt-350m" is not served`, `serves "facebook/opt-125m", "other"`, "--model", "/two/v1/models"}},
		{"/empty", "m", []string{`model "m" is not served`, "model list is empty", "--model"}},
		{"/many", "x", []string{`"m0", "m1"`, `"m9" and 2 more`}},
		{"/html", "m", []string{"not an OpenAI model list"}},
		{"/nothing", "m", []string{"returned 404 Not Found"}},
		{"/two", "", []string{"model name is empty", "--model"}},
	} {
		c, err := New(Options{BaseURL: srv.URL + tc.path, Concurrency: 1})
		if err != nil {
			t.Fatal(err)
		}
		err = c.CheckModel(context.Background(), tc.model)
		if len(tc.want) == 0 {
			if err != nil {
				t.Errorf("CheckModel %s %q: %v, want nil", tc.path, tc.model, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("CheckModel %s %q = nil, want an error", tc.path, tc.model)
			continue
		}
		for _, want := range tc.want {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("CheckModel %s %q: %v, want an error containing %q", tc.path, tc.model, err, want)
			}
		}
	}
}

// TestBaseURLPasswordNotShown: a base URL with a password must not show it
// in any error or record message of the client.
func TestBaseURLPasswordNotShown(t *testing.T) {
	const password = "s3cr3t-pw"
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	withPassword := strings.Replace(srv.URL, "http://", "http://user:"+password+"@", 1)

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := listener.Addr().String()
	listener.Close()

	// Each message is kept with a label that does not contain the URL.
	type message struct{ what, text string }
	var messages []message
	noteErr := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: no error, want one", what)
			return
		}
		messages = append(messages, message{what, err.Error()})
	}

	for i, base := range []string{withPassword, "http://user:" + password + "@" + closedAddr} {
		c, err := New(Options{BaseURL: base, Concurrency: 1, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatalf("New base URL %d: %v", i, err)
		}
		checkErr := c.Check(context.Background())
		noteErr(fmt.Sprintf("Check base URL %d", i), checkErr)
		if checkErr != nil && !strings.Contains(checkErr.Error(), "user:xxxxx@") {
			t.Errorf("Check error %q does not show the redacted URL (user:xxxxx@)", checkErr)
		}
		noteErr(fmt.Sprintf("CheckModel base URL %d", i), c.CheckModel(context.Background(), "m"))
		rec := c.Do(context.Background(), Request{Path: PathCompletions, Model: "m", Prompt: "x", MaxTokens: 1}, time.Now())
		if rec.OK {
			t.Errorf("Do base URL %d succeeded, want a failure", i)
		}
		messages = append(messages, message{fmt.Sprintf("Do base URL %d", i), rec.ErrorMessage})
	}

	for i, bad := range []string{
		"http://user:" + password + "@127.0.0.1:bad",
		"ftp://user:" + password + "@127.0.0.1:1",
		"http://user:" + password + "@127.0.0.1:1/?q=1",
		"http://user:" + password + "@/path",
		"user:" + password + "@127.0.0.1:1",
		"http://user:" + password + "@127.0.0.1:1\n",
	} {
		_, err := New(Options{BaseURL: bad, Concurrency: 1})
		noteErr(fmt.Sprintf("New bad URL %d", i), err)
		if err != nil && !strings.Contains(err.Error(), "user:xxxxx@") {
			t.Errorf("New bad URL %d: error %q does not show the redacted URL (user:xxxxx@)", i, err)
		}
	}

	for _, m := range messages {
		if strings.Contains(m.text, password) {
			t.Errorf("%s: message shows the password: %q", m.what, m.text)
		}
	}
}

func TestRedactURLTable(t *testing.T) {
	for raw, want := range map[string]string{
		"http://u:p@h:1/x":       "http://u:xxxxx@h:1/x",
		"http://u@h:1":           "http://u@h:1",
		"http://h:1/a@b:c":       "http://h:1/a@b:c",
		"u:p@h":                  "u:xxxxx@h",
		"http://u:p:q@r@h:bad?x": "http://u:xxxxx@h:bad?xxxxx",
		"http://127.0.0.1:8000":  "http://127.0.0.1:8000",
		"":                       "",
	} {
		if got := RedactURL(raw); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestRedactURLHidesKeys(t *testing.T) {
	const secret = "hf_FAKEsecretTOKEN1234567890"
	for _, raw := range []string{
		"http://user:" + secret + "@127.0.0.1:8000",
		"http://127.0.0.1:8000/?api_key=" + secret,
		"http://127.0.0.1:8000/#" + secret,
		"http://user:" + secret + "@[::1",
		"127.0.0.1:8000/?key=" + secret,
	} {
		if got := RedactURL(raw); strings.Contains(got, secret) {
			t.Errorf("RedactURL(%q) = %q, still contains the secret", raw, got)
		}
	}
	if got := RedactURL("http://127.0.0.1:8000/v1"); got != "http://127.0.0.1:8000/v1" {
		t.Errorf("RedactURL changed a URL without secrets: %q", got)
	}
	if got := RedactURL("http://user:pw@host:1/p"); got != "http://user:xxxxx@host:1/p" {
		t.Errorf("RedactURL(user:pw) = %q, want http://user:xxxxx@host:1/p", got)
	}
}
