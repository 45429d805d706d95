package sim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

var fuzzSeeds = []string{
	``,
	`null`,
	`[]`,
	`"text"`,
	`{}`,
	`{"prompt":"hello world","max_tokens":3}`,
	`{"prompt":[1,2,3],"max_tokens":2,"stream":true,"stream_options":{"include_usage":true,"continuous_usage_stats":true}}`,
	`{"prompt":[[1,2]],"max_tokens":1}`,
	`{"prompt":[-1],"max_tokens":1}`,
	`{"prompt":[1e99],"max_tokens":1}`,
	`{"prompt":{"a":1}}`,
	`{"prompt":"x","max_tokens":-5}`,
	`{"prompt":"x","max_tokens":9223372036854775807}`,
	`{"prompt":"x","min_tokens":-1}`,
	`{"prompt":"x","n":0}`,
	`{"messages":[{"role":"user","content":"hi"}],"stream":true}`,
	`{"messages":[{"role":"user","content":[{"type":"image_url"}]}]}`,
	`{"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}],"max_completion_tokens":2}`,
	`{"messages":[{"content":"no role"}]}`,
	`{"messages":[{"role":"user","content":7}]}`,
	`{"messages":"hi"}`,
	`{"model":"","prompt":"x","seed":-9,"ignore_eos":true,"max_tokens":4}`,
	`{"prompt":"x"} trailing`,
	"{\"prompt\":\"\xff\xfe\"}",
}

// FuzzGenerate checks that no request body makes the server panic or send
// a malformed response.
func FuzzGenerate(f *testing.F) {
	for _, seed := range fuzzSeeds {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	var servers []*Server
	for _, flavor := range []string{FlavorVLLM, FlavorSGLang} {
		args := []string{"--model-path", "m", "--context-length", "64"}
		if flavor == FlavorVLLM {
			args = []string{"m", "--max-model-len", "64"}
		}
		cfg, err := ParseArgs(flavor, append(args, "--sim-ttft", "1us", "--sim-itl", "1us", "--sim-vocab-size", "100"))
		if err != nil {
			f.Fatal(err)
		}
		servers = append(servers, New(cfg, nil))
	}

	f.Fuzz(func(t *testing.T, body []byte, chat bool) {
		path := "/v1/completions"
		if chat {
			path = "/v1/chat/completions"
		}
		for _, s := range servers {
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body)))
			checkResponse(t, s.cfg.Flavor, rec, body)
		}
	})
}

func checkResponse(t *testing.T, flavor string, rec *httptest.ResponseRecorder, body []byte) {
	t.Helper()
	switch rec.Code {
	case http.StatusOK:
	case http.StatusBadRequest, http.StatusNotFound:
		var e apiError
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Object != "error" || e.Message == "" {
			t.Fatalf("%s: body %q: error response %q is not an error object", flavor, body, rec.Body.String())
		}
		return
	default:
		t.Fatalf("%s: body %q: status %d, want 200, 400 or 404", flavor, body, rec.Code)
	}

	if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/event-stream") {
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s: body %q: response is not JSON: %q", flavor, body, rec.Body.String())
		}
		return
	}
	events := strings.Split(strings.TrimSuffix(rec.Body.String(), "\n\n"), "\n\n")
	if events[len(events)-1] != "data: [DONE]" {
		t.Fatalf("%s: body %q: stream does not end with [DONE]: %q", flavor, body, rec.Body.String())
	}
	for _, e := range events[:len(events)-1] {
		data, ok := strings.CutPrefix(e, "data: ")
		if !ok || !json.Valid([]byte(data)) {
			t.Fatalf("%s: body %q: malformed event %q", flavor, body, e)
		}
	}
}
