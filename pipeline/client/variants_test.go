package client

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/record"
)

// Variants of the fixtures' fault kinds, fed with a fake clock (t in ms).

func write(ms int, payload string) fixtureWrite {
	return fixtureWrite{at: time.Duration(ms) * time.Millisecond, payload: []byte(payload)}
}

// streamOf returns a chat fixture: status 200, an event stream, the writes,
// and a clean close 1 ms after the last write.
func streamOf(writes ...fixtureWrite) *fixture {
	return responseOf(200, "text/event-stream", writes...)
}

func responseOf(status int, contentType string, writes ...fixtureWrite) *fixture {
	f := &fixture{
		name:     "variant",
		endpoint: PathChatCompletions,
		request:  map[string]any{"model": "m", "messages": []any{map[string]any{"role": "user", "content": "Hi"}}, "max_tokens": float64(16)},
		status:   status,
		hasClose: true,
	}
	if contentType != "" {
		f.headers = [][2]string{{"Content-Type", contentType}}
	}
	f.writes = writes
	if len(writes) > 0 {
		f.closeAt = writes[len(writes)-1].at + time.Millisecond
	}
	return f
}

const (
	rolePrelude = `data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}` + "\n\n"
	finishStop  = `data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\n"
	usage2      = `data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}` + "\n\n"
	done        = "data: [DONE]\n\n"
)

func content(text string) string {
	return `data: {"choices":[{"index":0,"delta":{"content":"` + text + `"},"finish_reason":null}]}` + "\n\n"
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func feed(t *testing.T, f *fixture) record.Record {
	t.Helper()
	return feedFixture(t, f, Options{KeepText: true}, 0)
}

func TestLineEndVariants(t *testing.T) {
	base := loadFixture(t, "c01")
	for _, tc := range []struct{ name, lineEnd string }{{"CR", "\r"}, {"CRLF", "\r\n"}} {
		t.Run(tc.name, func(t *testing.T) {
			f := *base
			f.writes = nil
			for _, w := range base.writes {
				f.writes = append(f.writes, fixtureWrite{at: w.at, payload: []byte(strings.ReplaceAll(string(w.payload), "\n", tc.lineEnd))})
			}
			rec := feed(t, &f)
			checkRecord(t, expectations[0], rec, 0, func(n int) (time.Duration, time.Duration) { return ms(n), ms(n) }, 0, t.Errorf)
		})
	}
}

func TestCRLFCutBetweenReads(t *testing.T) {
	rec := feed(t, streamOf(
		write(5, strings.TrimSuffix(rolePrelude, "\n\n")+"\r"),
		write(6, "\n\r\n"),
		write(10, strings.TrimSuffix(content("A"), "\n\n")+"\r\n\r"),
		write(20, "\n"+content("B")+usage2+finishStop+done),
	))
	if !rec.OK || len(rec.TokenTimes) != 2 || rec.TokenTimes[0] != ms(10) || rec.TokenTimes[1] != ms(20) {
		t.Errorf("record = OK %v, TokenTimes %v; want OK with [10ms 20ms] (%s)", rec.OK, rec.TokenTimes, rec.ErrorMessage)
	}
}

func TestRolePreludeVariants(t *testing.T) {
	for name, prelude := range map[string]string{
		"null content":    `data: {"choices":[{"index":0,"delta":{"role":"assistant","content":null}}]}` + "\n\n",
		"missing content": `data: {"choices":[{"index":0,"delta":{"role":"assistant"}}]}` + "\n\n",
		"empty content":   rolePrelude,
	} {
		t.Run(name, func(t *testing.T) {
			rec := feed(t, streamOf(write(5, prelude), write(50, content("Hi")), write(60, content("!")), write(61, finishStop+usage2), write(62, done)))
			if !rec.OK || rec.TTFT != ms(50) || len(rec.TokenTimes) != 2 {
				t.Errorf("TTFT = %v with %d token events (OK %v), want 50ms with 2", rec.TTFT, len(rec.TokenTimes), rec.OK)
			}
		})
	}
}

func TestRoleWithContentIsToken(t *testing.T) {
	rec := feed(t, streamOf(
		write(7, `data: {"choices":[{"delta":{"role":"assistant","content":"Hi"}}]}`+"\n\n"),
		write(9, finishStop+usage2+done)))
	if !rec.OK || rec.TTFT != ms(7) {
		t.Errorf("TTFT = %v (OK %v), want 7ms", rec.TTFT, rec.OK)
	}
}

func TestUsageBesideContentInNonFinalChunk(t *testing.T) {
	rec := feed(t, streamOf(
		write(10, `data: {"choices":[{"delta":{"content":"A"}}],"usage":{"prompt_tokens":4,"completion_tokens":1}}`+"\n\n"),
		write(20, `data: {"choices":[{"delta":{"content":"B"}}],"usage":{"prompt_tokens":4,"completion_tokens":3}}`+"\n\n"),
		write(21, finishStop),
		write(22, done)))
	if !rec.OK || rec.OutputTokens != 3 || rec.InputTokens != 4 {
		t.Errorf("tokens out %d in %d (OK %v), want 3 and 4", rec.OutputTokens, rec.InputTokens, rec.OK)
	}
	if !equalInts(rec.TokensPerEvent, []int{1, 2}) {
		t.Errorf("TokensPerEvent = %v, want [1 2]", rec.TokensPerEvent)
	}
}

func TestInBandErrors(t *testing.T) {
	for name, tc := range map[string]struct{ payload, message string }{
		"error object":  {`data: {"error":{"message":"engine died","type":"InternalError","code":500}}` + "\n\n", "engine died"},
		"error string":  {`data: {"error":"out of memory"}` + "\n\n", "out of memory"},
		"object error":  {`data: {"object":"error","message":"bad \"token\"","code":400}` + "\n\n", `bad "token"`},
		"error event":   {"event: error\ndata: {\"message\":\"overloaded\"}\n\n", "overloaded"},
		"error no text": {`data: {"error":{"code":1}}` + "\n\n", `{"code":1}`},
	} {
		t.Run(name, func(t *testing.T) {
			rec := feed(t, streamOf(write(5, rolePrelude), write(10, content("A")), write(30, tc.payload), write(31, done)))
			if rec.OK || rec.Failure != record.FailureInBand {
				t.Fatalf("Failure = %q (OK %v), want in_band", rec.Failure, rec.OK)
			}
			if rec.ErrorMessage != tc.message {
				t.Errorf("ErrorMessage = %q, want %q", rec.ErrorMessage, tc.message)
			}
			if rec.FailureLatency != ms(30) || rec.OutputText != "A" {
				t.Errorf("FailureLatency = %v, OutputText %q; want 30ms and the partial text", rec.FailureLatency, rec.OutputText)
			}
		})
	}
	t.Run("null error is no error", func(t *testing.T) {
		rec := feed(t, streamOf(write(10, `data: {"error":null,"choices":[{"delta":{"content":"A"}}]}`+"\n\n"), write(11, finishStop+done)))
		if !rec.OK {
			t.Errorf("Failure = %q (%s), want success", rec.Failure, rec.ErrorMessage)
		}
	})
}

func TestHTTPErrorBodies(t *testing.T) {
	for name, tc := range map[string]struct {
		status      int
		contentType string
		body        string
		kind        record.FailureKind
		message     string
	}{
		"html 502":           {502, "text/html", "<html>\n<body>  <h1>502 Bad Gateway</h1></body>\n</html>", record.FailureHTTP5xx, "<html> <body> <h1>502 Bad Gateway</h1></body> </html>"},
		"plain 503":          {503, "text/plain", "upstream connect error\n", record.FailureHTTP5xx, "upstream connect error"},
		"openai error":       {429, "application/json", `{"error":{"message":"rate limited","type":"rate_limit"}}`, record.FailureHTTP4xx, "rate limited"},
		"detail":             {422, "application/json", `{"detail":"max_tokens must be positive"}`, record.FailureHTTP4xx, "max_tokens must be positive"},
		"sse-looking body":   {500, "text/event-stream", "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n", record.FailureHTTP5xx, `data: {"choices":[{"delta":{"content":"x"}}]}`},
		"empty body":         {500, "", "", record.FailureHTTP5xx, "Internal Server Error"},
		"json on 200 stream": {200, "application/json", `{"choices":[{"message":{"content":"hi"}}]}`, record.FailureProtocol, "response Content-Type is application/json, not text/event-stream"},
	} {
		t.Run(name, func(t *testing.T) {
			rec := feed(t, responseOf(tc.status, tc.contentType, write(4, tc.body)))
			if rec.Failure != tc.kind || rec.Status != tc.status || len(rec.TokenTimes) != 0 {
				t.Errorf("Failure %q status %d tokens %d, want %q %d 0", rec.Failure, rec.Status, len(rec.TokenTimes), tc.kind, tc.status)
			}
			if !strings.HasPrefix(rec.ErrorMessage, tc.message) {
				t.Errorf("ErrorMessage = %q, want prefix %q", rec.ErrorMessage, tc.message)
			}
			if rec.FailureLatency != ms(5) {
				t.Errorf("FailureLatency = %v, want 5ms (end of the body)", rec.FailureLatency)
			}
		})
	}
}

func TestLongErrorMessageCut(t *testing.T) {
	message := strings.Repeat("é", 150) // 300 bytes
	rec := feed(t, responseOf(400, "application/json", write(1, `{"message":"`+message+`"}`)))
	if len(rec.ErrorMessage) != record.MaxErrorMessageLen || !strings.HasPrefix(message, rec.ErrorMessage) {
		t.Errorf("ErrorMessage has %d bytes, want the first %d of the message", len(rec.ErrorMessage), record.MaxErrorMessageLen)
	}
}

func TestStreamEnds(t *testing.T) {
	t.Run("finish_reason then EOF is success with warning", func(t *testing.T) {
		rec := feed(t, streamOf(write(10, content("A")), write(20, content("B")), write(21, finishStop+usage2)))
		if !rec.OK || rec.StreamEnd != ms(22) || len(rec.Warnings) != 1 {
			t.Errorf("OK %v StreamEnd %v Warnings %q; want success ending at 22ms with one warning", rec.OK, rec.StreamEnd, rec.Warnings)
		}
	})
	t.Run("EOF in the middle of an event is truncated", func(t *testing.T) {
		rec := feed(t, streamOf(write(10, content("A")), write(20, `data: {"choices":[{"delta":{"content":"B"}}]}`)))
		if rec.Failure != record.FailureTruncated || rec.FailureLatency != ms(21) {
			t.Errorf("Failure %q latency %v, want truncated at 21ms", rec.Failure, rec.FailureLatency)
		}
	})
	t.Run("event split inside data field", func(t *testing.T) {
		rec := feed(t, streamOf(write(10, "da"), write(11, `ta: {"choices":[{"delta":{"con`), write(12, `tent":"A"}}]}`+"\n"), write(13, "\n"+finishStop+usage2+done)))
		if !rec.OK || len(rec.TokenTimes) != 1 || rec.TokenTimes[0] != ms(13) {
			t.Errorf("OK %v TokenTimes %v, want success with one event at 13ms", rec.OK, rec.TokenTimes)
		}
	})
	t.Run("no token", func(t *testing.T) {
		rec := feed(t, streamOf(write(5, rolePrelude), write(6, finishStop), write(7, usage2), write(8, done)))
		if rec.Failure != record.FailureNoToken || rec.FailureLatency != ms(8) {
			t.Errorf("Failure %q latency %v, want no_token at 8ms", rec.Failure, rec.FailureLatency)
		}
	})
	t.Run("data that is not JSON", func(t *testing.T) {
		rec := feed(t, streamOf(write(5, content("A")), write(6, "data: hello\n\n"), write(7, done)))
		if rec.Failure != record.FailureProtocol || rec.FailureLatency != ms(6) {
			t.Errorf("Failure %q latency %v, want bad_response at 6ms", rec.Failure, rec.FailureLatency)
		}
	})
	t.Run("events of other types ignored", func(t *testing.T) {
		rec := feed(t, streamOf(write(5, "event: ping\ndata: alive\n\n"), write(6, content("A")), write(7, finishStop+done)))
		if !rec.OK || rec.TTFT != ms(6) {
			t.Errorf("OK %v TTFT %v (%s), want success with TTFT 6ms", rec.OK, rec.TTFT, rec.ErrorMessage)
		}
	})
}

func TestTokenBearingFields(t *testing.T) {
	for name, tc := range map[string]struct {
		payload string
		text    string
	}{
		"completions text":    {`data: {"choices":[{"index":0,"text":"Hi"}]}` + "\n\n", "Hi"},
		"reasoning_content":   {`data: {"choices":[{"delta":{"reasoning_content":"think","content":null}}]}` + "\n\n", "think"},
		"reasoning":           {`data: {"choices":[{"delta":{"reasoning":"hmm"}}]}` + "\n\n", "hmm"},
		"reasoning and text":  {`data: {"choices":[{"delta":{"content":"B","reasoning_content":"A"}}]}` + "\n\n", "AB"},
		"tool_calls":          {`data: {"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{"}}]}}]}` + "\n\n", ""},
		"escaped text":        {`data: {"choices":[{"delta":{"content":"a\n\u00e9\ud83c\udf0d\""}}]}` + "\n\n", "a\né🌍\""},
		"second choice text":  {`data: {"choices":[{"index":0,"delta":{}},{"index":1,"delta":{"content":"x"}}]}` + "\n\n", "x"},
		"choices after usage": {`data: {"usage":null,"choices":[{"text":"y"}]}` + "\n\n", "y"},
	} {
		t.Run(name, func(t *testing.T) {
			rec := feed(t, streamOf(write(10, tc.payload), write(11, finishStop+done)))
			if !rec.OK || len(rec.TokenTimes) != 1 || rec.OutputText != tc.text {
				t.Errorf("OK %v, token events %d, text %q; want success, 1, %q (%s)", rec.OK, len(rec.TokenTimes), rec.OutputText, tc.text, rec.ErrorMessage)
			}
		})
	}
	for name, payload := range map[string]string{
		"empty text":       `data: {"choices":[{"text":""}]}`,
		"empty tool_calls": `data: {"choices":[{"delta":{"tool_calls":[]}}]}`,
		"null choices":     `data: {"choices":null}`,
	} {
		t.Run("not a token/"+name, func(t *testing.T) {
			rec := feed(t, streamOf(write(10, payload+"\n\n"), write(11, finishStop+done)))
			if rec.Failure != record.FailureNoToken {
				t.Errorf("Failure = %q, want no_token", rec.Failure)
			}
		})
	}
}

func TestUsageMismatch(t *testing.T) {
	t.Run("fewer completion tokens than events", func(t *testing.T) {
		rec := feed(t, streamOf(write(10, content("A")), write(11, content("B")), write(12, content("C")), write(13, finishStop+usage2+done)))
		if !rec.OK || !rec.UsageMismatch || rec.OutputTokens != 2 {
			t.Errorf("OK %v UsageMismatch %v out %d, want success, mismatch, 2", rec.OK, rec.UsageMismatch, rec.OutputTokens)
		}
	})
	t.Run("prompt tokens differ from token ids", func(t *testing.T) {
		f := streamOf(write(10, `data: {"choices":[{"text":"A"}]}`+"\n\n"), write(11, finishStop+usage2+done))
		f.endpoint = PathCompletions
		f.request = map[string]any{"model": "m", "prompt": "x", "max_tokens": float64(4)}
		clock := &fakeClock{t: epoch}
		c, err := New(Options{BaseURL: "http://127.0.0.1:1", Concurrency: 1, Now: clock.now})
		if err != nil {
			t.Fatal(err)
		}
		req := Request{Path: PathCompletions, Model: "m", PromptTokenIDs: []int{1, 2, 3}, MaxTokens: 4}
		m := c.newMeasurement(&req, epoch)
		m.readResponse(context.Background(), &http.Response{StatusCode: 200, Header: http.Header{}, Body: nopCloser{&replayReader{f: f, clock: clock}}})
		rec := m.finish()
		if !rec.OK || rec.InputTokensClient != 3 || rec.InputTokens != 5 || !rec.UsageMismatch {
			t.Errorf("OK %v client %d server %d mismatch %v; want success, 3, 5, mismatch", rec.OK, rec.InputTokensClient, rec.InputTokens, rec.UsageMismatch)
		}
	})
}

type nopCloser struct{ *replayReader }

func (nopCloser) Close() error { return nil }

// Over loopback HTTP.

func TestConnectFailure(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := listener.Addr().String()
	listener.Close()

	c, err := New(Options{BaseURL: "http://" + addr, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	rec := c.Do(context.Background(), Request{Path: PathCompletions, Model: "m", Prompt: "x", MaxTokens: 1}, time.Now())
	if rec.Failure != record.FailureConnect || rec.Status != 0 || rec.ErrorMessage == "" {
		t.Errorf("Failure %q status %d message %q, want connect, 0, a message", rec.Failure, rec.Status, rec.ErrorMessage)
	}
	if err := c.Check(context.Background()); err == nil || !strings.Contains(err.Error(), addr) {
		t.Errorf("Check error = %v, want one naming %s", err, addr)
	}
}

func TestRunCanceled(t *testing.T) {
	f := streamOf(write(10, content("A")))
	f.hang = true
	_, srv := newReplayServer(t, f)
	c, err := New(Options{BaseURL: srv.URL, Concurrency: 1, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	rec := c.Do(ctx, f.clientRequest(t), time.Now())
	if rec.Failure != record.FailureCanceled || len(rec.TokenTimes) != 1 {
		t.Errorf("Failure %q token events %d, want canceled after 1", rec.Failure, len(rec.TokenTimes))
	}
}

func TestInvalidRequestNotSent(t *testing.T) {
	c, err := New(Options{BaseURL: "http://127.0.0.1:1", Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	rec := c.Do(context.Background(), Request{Path: PathChatCompletions, Model: "m", PromptTokenIDs: []int{1}, MaxTokens: 4}, time.Now())
	if rec.OK || !strings.Contains(rec.ErrorMessage, "request not sent") {
		t.Errorf("record OK %v message %q, want a failure saying the request was not sent", rec.OK, rec.ErrorMessage)
	}
}

func TestRequestBody(t *testing.T) {
	req := Request{Path: PathCompletions, Model: "m", PromptTokenIDs: []int{5, 6}, MaxTokens: 8, Temperature: 0.5}
	body, err := encodeBody(&req)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"model":"m","prompt":[5,6],"max_tokens":8,"stream":true,"stream_options":{"include_usage":true},"temperature":0.5}`
	if string(body) != want {
		t.Errorf("body = %s\nwant   %s", body, want)
	}
	req = Request{Path: PathChatCompletions, Model: "m", Prompt: "hi", MaxTokens: 8, IgnoreEOS: true}
	body, _ = encodeBody(&req)
	want = `{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":8,"stream":true,"stream_options":{"include_usage":true},"ignore_eos":true,"temperature":0}`
	if string(body) != want {
		t.Errorf("body = %s\nwant   %s", body, want)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	for name, opts := range map[string]Options{
		"empty URL":         {Concurrency: 1},
		"no scheme":         {BaseURL: "127.0.0.1:8000", Concurrency: 1},
		"zero concurrency":  {BaseURL: "http://127.0.0.1:8000"},
		"negative timeout":  {BaseURL: "http://127.0.0.1:8000", Concurrency: 1, Timeout: -time.Second},
		"unknown tokenizer": {BaseURL: "http://127.0.0.1:8000", Concurrency: 1, Tokenizer: "bert"},
	} {
		if _, err := New(opts); err == nil {
			t.Errorf("%s: New accepted %+v", name, opts)
		}
	}
	c, err := New(Options{BaseURL: "http://127.0.0.1:8000/v1/", Concurrency: 1})
	if err != nil || c.baseURL != "http://127.0.0.1:8000" {
		t.Errorf("base URL with /v1 = %q (%v), want http://127.0.0.1:8000", c.baseURL, err)
	}
}

func TestCheck(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /good/v1/models", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"object":"list","data":[{"id":"m"}]}`))
	})
	mux.HandleFunc("GET /html/v1/models", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`<html>hello</html>`))
	})
	mux.HandleFunc("GET /healthonly/health", func(w http.ResponseWriter, _ *http.Request) {})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	for path, wantErr := range map[string]string{
		"/good":       "",
		"/html":       "not an OpenAI model list",
		"/healthonly": "does not serve the OpenAI API",
		"/nothing":    "returned 404 Not Found",
	} {
		c, err := New(Options{BaseURL: srv.URL + path, Concurrency: 1})
		if err != nil {
			t.Fatal(err)
		}
		err = c.Check(context.Background())
		switch {
		case wantErr == "" && err != nil:
			t.Errorf("Check %s: %v, want nil", path, err)
		case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
			t.Errorf("Check %s: %v, want an error containing %q", path, err, wantErr)
		}
	}

	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hang.Close()
	c, _ := New(Options{BaseURL: hang.URL, Concurrency: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := c.Check(ctx); err == nil || !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Errorf("Check of a silent server = %v, want an error once ctx ends", err)
	}
}
