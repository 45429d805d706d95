package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Fast fixed latencies keep the tests quick; timing itself is measured by
// BenchmarkStreamTiming.
var fast = []string{"--sim-ttft", "2ms", "--sim-itl", "1ms"}

func vllmArgs(extra ...string) []string {
	return append(append([]string{"facebook/opt-125m"}, fast...), extra...)
}

func sglangArgs(extra ...string) []string {
	return append(append([]string{"--model-path", "facebook/opt-125m", "--enable-metrics"}, fast...), extra...)
}

func TestHealthAndModels(t *testing.T) {
	for _, flavor := range []string{FlavorVLLM, FlavorSGLang} {
		t.Run(flavor, func(t *testing.T) {
			args := vllmArgs("--served-model-name", "opt")
			if flavor == FlavorSGLang {
				args = sglangArgs("--served-model-name", "opt")
			}
			url := startSim(t, flavor, args...)

			if status, _ := get(t, url+"/health"); status != http.StatusOK {
				t.Errorf("/health status = %d, want 200", status)
			}
			status, body := get(t, url+"/v1/models")
			if status != http.StatusOK {
				t.Fatalf("/v1/models status = %d, want 200", status)
			}
			var models struct {
				Object string `json:"object"`
				Data   []struct {
					ID          string `json:"id"`
					Object      string `json:"object"`
					OwnedBy     string `json:"owned_by"`
					Root        string `json:"root"`
					MaxModelLen int    `json:"max_model_len"`
				} `json:"data"`
			}
			decodeInto(t, body, &models)
			if models.Object != "list" || len(models.Data) != 1 {
				t.Fatalf("models = %s, want a list of one model", body)
			}
			m := models.Data[0]
			if m.ID != "opt" || m.Object != "model" || m.OwnedBy != flavor || m.Root != "facebook/opt-125m" || m.MaxModelLen != 4096 {
				t.Errorf("model entry = %+v", m)
			}
		})
	}
}

func TestStartupDelayHealth(t *testing.T) {
	url := startSim(t, FlavorVLLM, vllmArgs("--sim-startup-delay", "300ms")...)
	if status, _ := get(t, url+"/health"); status != http.StatusServiceUnavailable {
		t.Errorf("/health during startup = %d, want 503", status)
	}
	resp := post(t, url+"/v1/completions", `{"prompt":"hi","max_tokens":1}`)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/v1/completions during startup = %d, want 503", resp.StatusCode)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		status, _ := get(t, url+"/health")
		if status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/health still %d after the startup delay", status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestVLLMCompletionStreamShape(t *testing.T) {
	url := startSim(t, FlavorVLLM, vllmArgs()...)
	resp := post(t, url+"/v1/completions", `{"model":"facebook/opt-125m","prompt":[1,2,3,4,5],"max_tokens":6,"ignore_eos":true,"stream":true,"stream_options":{"include_usage":true}}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Errorf("content type = %q, want text/event-stream", ct)
	}
	events, err := readSSE(resp.Body)
	if err != nil {
		t.Fatalf("reading stream: %v", err)
	}
	if len(events) != 8 || events[7].data != "[DONE]" {
		t.Fatalf("got %d events, want 6 tokens, a usage chunk and [DONE]: %v", len(events), events)
	}
	chunks := decodeChunks(t, events)
	for i, c := range chunks[:6] {
		if !strings.HasPrefix(c.ID, "cmpl-") || c.Object != "text_completion" || c.Model != "facebook/opt-125m" {
			t.Errorf("chunk %d id, object, model = %q, %q, %q", i, c.ID, c.Object, c.Model)
		}
		if len(c.Choices) != 1 || c.Choices[0].Text == nil || *c.Choices[0].Text == "" {
			t.Fatalf("chunk %d = %s, want one choice with text", i, events[i].data)
		}
		if c.Usage != nil {
			t.Errorf("chunk %d carries usage without continuous_usage_stats", i)
		}
		raw := decodeObject(t, events[i].data)
		var choices []map[string]json.RawMessage
		decodeInto(t, raw["choices"], &choices)
		if _, ok := choices[0]["stop_reason"]; !ok {
			t.Errorf("chunk %d has no stop_reason key: %s", i, events[i].data)
		}
	}
	for i, c := range chunks[:5] {
		if c.Choices[0].FinishReason != nil {
			t.Errorf("chunk %d finish_reason = %q, want null", i, *c.Choices[0].FinishReason)
		}
	}
	if fr := chunks[5].Choices[0].FinishReason; fr == nil || *fr != "length" {
		t.Errorf("last token chunk finish_reason = %v, want length", fr)
	}
	usage := chunks[6]
	if len(usage.Choices) != 0 || usage.Usage == nil {
		t.Fatalf("usage chunk = %s, want choices [] and usage", events[6].data)
	}
	if *usage.Usage != (usageInfo{PromptTokens: 5, CompletionTokens: 6, TotalTokens: 11}) {
		t.Errorf("usage = %+v, want 5 prompt, 6 completion, 11 total", *usage.Usage)
	}
}

func TestVLLMChatStreamShape(t *testing.T) {
	url := startSim(t, FlavorVLLM, vllmArgs()...)
	resp := post(t, url+"/v1/chat/completions", `{"model":"facebook/opt-125m","messages":[{"role":"user","content":"Say hello please"}],"max_tokens":4,"ignore_eos":true,"stream":true,"stream_options":{"include_usage":true}}`)
	events, err := readSSE(resp.Body)
	if err != nil {
		t.Fatalf("reading stream: %v", err)
	}
	// role prelude, 4 tokens, usage, [DONE]
	if len(events) != 7 {
		t.Fatalf("got %d events, want 7: %v", len(events), events)
	}
	chunks := decodeChunks(t, events)
	var role struct {
		Role    string  `json:"role"`
		Content *string `json:"content"`
	}
	decodeInto(t, chunks[0].Choices[0].Delta, &role)
	if role.Role != "assistant" || role.Content == nil || *role.Content != "" {
		t.Errorf("prelude delta = %s, want role assistant and content \"\"", chunks[0].Choices[0].Delta)
	}
	for i, c := range chunks[1:5] {
		if !strings.HasPrefix(c.ID, "chatcmpl-") || c.Object != "chat.completion.chunk" {
			t.Errorf("chunk %d id, object = %q, %q", i+1, c.ID, c.Object)
		}
		if _, ok := deltaContent(t, c.Choices[0].Delta); !ok {
			t.Errorf("chunk %d delta = %s, want content", i+1, c.Choices[0].Delta)
		}
	}
	if fr := chunks[4].Choices[0].FinishReason; fr == nil || *fr != "length" {
		t.Errorf("last token chunk finish_reason = %v, want length", fr)
	}
	if !strings.Contains(events[4].data, `"stop_reason":null`) {
		t.Errorf("last token chunk has no stop_reason: %s", events[4].data)
	}
	if strings.Contains(events[1].data, "stop_reason") {
		t.Errorf("vLLM sets stop_reason on the last chunk only: %s", events[1].data)
	}
	// "Say", "hello" and "please" are 1+2+2 tokens, plus 5 for the message and 3 for the assistant turn.
	if u := chunks[5].Usage; u == nil || len(chunks[5].Choices) != 0 || u.PromptTokens != 13 || u.CompletionTokens != 4 {
		t.Errorf("usage chunk = %s, want choices [] with 13 prompt and 4 completion tokens", events[5].data)
	}
}

func TestSGLangChatStreamShape(t *testing.T) {
	url := startSim(t, FlavorSGLang, sglangArgs()...)
	resp := post(t, url+"/v1/chat/completions", `{"model":"facebook/opt-125m","messages":[{"role":"user","content":"hi"}],"max_tokens":3,"ignore_eos":true,"stream":true,"stream_options":{"include_usage":true}}`)
	events, err := readSSE(resp.Body)
	if err != nil {
		t.Fatalf("reading stream: %v", err)
	}
	// role prelude, 3 tokens, finish chunk, usage, [DONE]
	if len(events) != 7 {
		t.Fatalf("got %d events, want 7: %v", len(events), events)
	}
	chunks := decodeChunks(t, events)
	for i, e := range events[:5] {
		raw := decodeObject(t, e.data)
		if string(raw["usage"]) != "null" {
			t.Errorf("chunk %d usage = %s, want null (SGLang writes every field)", i, raw["usage"])
		}
		var choices []map[string]json.RawMessage
		decodeInto(t, raw["choices"], &choices)
		if _, ok := choices[0]["matched_stop"]; !ok {
			t.Errorf("chunk %d has no matched_stop key: %s", i, e.data)
		}
	}
	for i, c := range chunks[1:4] {
		if _, ok := deltaContent(t, c.Choices[0].Delta); !ok || c.Choices[0].FinishReason != nil {
			t.Errorf("token chunk %d = %s, want content and no finish_reason", i+1, events[i+1].data)
		}
	}
	finish := chunks[4]
	if _, ok := deltaContent(t, finish.Choices[0].Delta); ok {
		t.Errorf("finish chunk carries text: %s", events[4].data)
	}
	if fr := finish.Choices[0].FinishReason; fr == nil || *fr != "length" {
		t.Errorf("finish chunk finish_reason = %v, want length", fr)
	}
	if u := chunks[5].Usage; u == nil || len(chunks[5].Choices) != 0 || u.PromptTokens != 9 || u.CompletionTokens != 3 {
		t.Errorf("usage chunk = %s, want choices [] with 9 prompt and 3 completion tokens", events[5].data)
	}
}

func TestSGLangCompletionStreamShape(t *testing.T) {
	url := startSim(t, FlavorSGLang, sglangArgs()...)
	resp := post(t, url+"/v1/completions", `{"prompt":[5,6],"max_tokens":2,"ignore_eos":true,"stream":true}`)
	events, err := readSSE(resp.Body)
	if err != nil {
		t.Fatalf("reading stream: %v", err)
	}
	if len(events) != 3 || events[2].data != "[DONE]" {
		t.Fatalf("got %v, want 2 token chunks and [DONE] (no usage without include_usage)", events)
	}
	chunks := decodeChunks(t, events)
	if fr := chunks[1].Choices[0].FinishReason; fr == nil || *fr != "length" {
		t.Errorf("last chunk finish_reason = %v, want length on the last text chunk", fr)
	}
	if string(chunks[1].Choices[0].MatchedStop) != "null" {
		t.Errorf("matched_stop = %s, want null for length", chunks[1].Choices[0].MatchedStop)
	}
}

func TestContinuousUsageStats(t *testing.T) {
	url := startSim(t, FlavorVLLM, vllmArgs()...)
	resp := post(t, url+"/v1/chat/completions", `{"messages":[{"role":"user","content":"ABC"}],"max_tokens":3,"ignore_eos":true,"stream":true,"stream_options":{"include_usage":true,"continuous_usage_stats":true}}`)
	events, err := readSSE(resp.Body)
	if err != nil {
		t.Fatalf("reading stream: %v", err)
	}
	chunks := decodeChunks(t, events)
	if len(chunks) != 5 {
		t.Fatalf("got %d chunks, want prelude, 3 tokens and usage", len(chunks))
	}
	for i, c := range chunks {
		want := min(i, 3)
		if c.Usage == nil || c.Usage.CompletionTokens != want || c.Usage.PromptTokens != 9 {
			t.Errorf("chunk %d usage = %+v, want cumulative %d completion tokens", i, c.Usage, want)
		}
	}
}

func TestNonStreamingResponses(t *testing.T) {
	for _, flavor := range []string{FlavorVLLM, FlavorSGLang} {
		t.Run(flavor, func(t *testing.T) {
			args := vllmArgs()
			if flavor == FlavorSGLang {
				args = sglangArgs()
			}
			url := startSim(t, flavor, args...)

			resp := post(t, url+"/v1/chat/completions", `{"messages":[{"role":"system","content":"be brief"},{"role":"user","content":[{"type":"text","text":"hello"}]}],"max_tokens":7,"ignore_eos":true}`)
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("chat status = %d: %s", resp.StatusCode, body)
			}
			var chat struct {
				ID      string `json:"id"`
				Object  string `json:"object"`
				Choices []struct {
					Message struct {
						Role    string `json:"role"`
						Content string `json:"content"`
					} `json:"message"`
					FinishReason string `json:"finish_reason"`
				} `json:"choices"`
				Usage usageInfo `json:"usage"`
			}
			decodeInto(t, body, &chat)
			if chat.Object != "chat.completion" || !strings.HasPrefix(chat.ID, "chatcmpl-") || len(chat.Choices) != 1 {
				t.Fatalf("chat response = %s", body)
			}
			if c := chat.Choices[0]; c.Message.Role != "assistant" || len(strings.Fields(c.Message.Content)) != 7 || c.FinishReason != "length" {
				t.Errorf("choice = %+v, want 7 words and finish_reason length", c)
			}
			// "be brief" 1+2, "hello" 2, two messages 10, assistant 3.
			if chat.Usage != (usageInfo{PromptTokens: 18, CompletionTokens: 7, TotalTokens: 25}) {
				t.Errorf("usage = %+v, want 18 + 7 = 25", chat.Usage)
			}

			resp = post(t, url+"/v1/completions", `{"prompt":"one two three","max_tokens":4,"ignore_eos":true}`)
			body, _ = io.ReadAll(resp.Body)
			var text struct {
				Object  string `json:"object"`
				Choices []struct {
					Text string `json:"text"`
				} `json:"choices"`
				Usage usageInfo `json:"usage"`
			}
			decodeInto(t, body, &text)
			if text.Object != "text_completion" || len(text.Choices) != 1 || len(strings.Fields(text.Choices[0].Text)) != 4 {
				t.Errorf("completion response = %s", body)
			}
			// "one", "two" and "three" are 1+1+2 tokens.
			if text.Usage.PromptTokens != 4 || text.Usage.CompletionTokens != 4 {
				t.Errorf("usage = %+v, want 4 prompt and 4 completion tokens", text.Usage)
			}
		})
	}
}

func TestIgnoreEOSExactLengths(t *testing.T) {
	url := startSim(t, FlavorVLLM, vllmArgs("--sim-itl", "10us")...)
	for _, maxTokens := range []int{1, 2, 17, 64, 128} {
		body := `{"prompt":[1,2,3],"stream":true,"ignore_eos":true,"stream_options":{"include_usage":true},"max_tokens":` + strconv.Itoa(maxTokens) + `}`
		events, err := readSSE(post(t, url+"/v1/completions", body).Body)
		if err != nil {
			t.Fatalf("max_tokens %d: %v", maxTokens, err)
		}
		chunks := decodeChunks(t, events)
		tokens := 0
		for _, c := range chunks {
			if len(c.Choices) == 1 && c.Choices[0].Text != nil && *c.Choices[0].Text != "" {
				tokens++
			}
		}
		last := chunks[len(chunks)-1]
		if tokens != maxTokens || last.Usage == nil || last.Usage.CompletionTokens != maxTokens {
			t.Errorf("max_tokens %d: %d token chunks, usage %+v", maxTokens, tokens, last.Usage)
		}
	}
}

func TestOutputLengthWithoutIgnoreEOS(t *testing.T) {
	url := startSim(t, FlavorVLLM, vllmArgs("--sim-itl", "10us")...)
	seen := map[string]int{}
	for i := range 40 {
		body := `{"prompt":[` + strconv.Itoa(i) + `],"max_tokens":8}`
		resp := post(t, url+"/v1/completions", body)
		var out struct {
			Choices []struct {
				FinishReason string `json:"finish_reason"`
			} `json:"choices"`
			Usage usageInfo `json:"usage"`
		}
		raw, _ := io.ReadAll(resp.Body)
		decodeInto(t, raw, &out)
		reason := out.Choices[0].FinishReason
		seen[reason]++
		n := out.Usage.CompletionTokens
		switch {
		case n < 1 || n > 8:
			t.Errorf("prompt %d: %d completion tokens, want 1 to 8", i, n)
		case reason == "length" && n != 8:
			t.Errorf("prompt %d: finish_reason length with %d tokens, want 8", i, n)
		case reason == "stop" && n == 8:
			t.Errorf("prompt %d: finish_reason stop at max_tokens", i)
		}

		again, _ := io.ReadAll(post(t, url+"/v1/completions", body).Body)
		if !bytes.Equal(stripVolatile(raw), stripVolatile(again)) {
			t.Errorf("prompt %d: two identical requests got different outputs:\n%s\n%s", i, raw, again)
		}
	}
	if seen["stop"] == 0 || seen["length"] == 0 {
		t.Errorf("finish reasons over 40 prompts = %v, want both stop and length", seen)
	}
}

// stripVolatile removes the id and created fields of a response.
func stripVolatile(body []byte) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	delete(m, "id")
	delete(m, "created")
	out, _ := json.Marshal(m)
	return out
}

func TestRequestErrors(t *testing.T) {
	url := startSim(t, FlavorVLLM, vllmArgs("--max-model-len", "100", "--sim-vocab-size", "1000")...)
	tests := []struct {
		name, path, body string
		status           int
		errType, message string
	}{
		{"context length", "/v1/completions", `{"prompt":[1,2,3],"max_tokens":98}`, 400, "BadRequestError", "maximum context length is 100 tokens"},
		{"prompt too long", "/v1/chat/completions", `{"messages":[{"role":"user","content":"` + strings.Repeat("word ", 100) + `"}]}`, 400, "BadRequestError", "maximum context length is 100 tokens"},
		{"unknown model", "/v1/completions", `{"model":"gpt-4","prompt":"hi"}`, 404, "NotFoundError", `"gpt-4" does not exist`},
		{"invalid json", "/v1/completions", `{"prompt":`, 400, "BadRequestError", "invalid JSON"},
		{"wrong type", "/v1/completions", `{"prompt":"hi","max_tokens":"ten"}`, 400, "BadRequestError", "invalid JSON"},
		{"zero max tokens", "/v1/completions", `{"prompt":"hi","max_tokens":0}`, 400, "BadRequestError", "max_tokens must be at least 1"},
		{"missing prompt", "/v1/completions", `{"max_tokens":3}`, 400, "BadRequestError", "missing prompt"},
		{"missing messages", "/v1/chat/completions", `{"max_tokens":3}`, 400, "BadRequestError", "missing messages"},
		{"empty token ids", "/v1/completions", `{"prompt":[]}`, 400, "BadRequestError", "empty"},
		{"token out of vocabulary", "/v1/completions", `{"prompt":[1,5000]}`, 400, "BadRequestError", "token id 5000 is out of vocabulary"},
		{"stream options without stream", "/v1/completions", `{"prompt":"hi","stream_options":{"include_usage":true}}`, 400, "BadRequestError", "stream_options"},
		{"n above one", "/v1/completions", `{"prompt":"hi","n":2}`, 400, "BadRequestError", "n=2"},
		{"batch prompt", "/v1/completions", `{"prompt":["a","b"]}`, 400, "BadRequestError", "batch of 2 prompts"},
		{"min above max", "/v1/completions", `{"prompt":"hi","max_tokens":2,"min_tokens":3}`, 400, "BadRequestError", "min_tokens"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := post(t, url+tt.path, tt.body)
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("content type = %q, want application/json", ct)
			}
			var e apiError
			decodeInto(t, body, &e)
			if e.Object != "error" || e.Type != tt.errType || e.Code != tt.status || !strings.Contains(e.Message, tt.message) {
				t.Errorf("error = %+v, want type %s, code %d and a message containing %q", e, tt.errType, tt.status, tt.message)
			}
		})
	}
}

func TestAPIKey(t *testing.T) {
	url := startSim(t, FlavorVLLM, vllmArgs("--api-key", "secret")...)
	if status, _ := get(t, url+"/v1/models"); status != http.StatusUnauthorized {
		t.Errorf("/v1/models without key = %d, want 401", status)
	}
	req, _ := http.NewRequest(http.MethodGet, url+"/v1/models", nil)
	req.Header.Set("Authorization", "Bearer secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/v1/models with key = %d, want 200", resp.StatusCode)
	}
	if status, _ := get(t, url+"/health"); status != http.StatusOK {
		t.Errorf("/health needs no key, got %d", status)
	}
}

func TestArgvMainServesAndStops(t *testing.T) {
	handled, err := ArgvMain(context.Background(), []string{"llmbench", "run"}, io.Discard, io.Discard)
	if handled || err != nil {
		t.Errorf("ArgvMain(llmbench run) = %v, %v, want not handled", handled, err)
	}

	handled, err = ArgvMain(context.Background(), []string{"vllm", "serve", "m", "--bogus"}, io.Discard, io.Discard)
	if !handled || err == nil || !strings.Contains(err.Error(), "--bogus") {
		t.Errorf("ArgvMain with an unknown flag = %v, %v, want handled with an error naming --bogus", handled, err)
	}

	var help bytes.Buffer
	handled, err = ArgvMain(context.Background(), []string{"python3", "-m", "sglang.launch_server", "--help"}, &help, io.Discard)
	if !handled || err != nil || !strings.Contains(help.String(), "--model-path") {
		t.Errorf("ArgvMain --help = %v, %v, output %q", handled, err, help.String())
	}

	ctx, cancel := context.WithCancel(context.Background())
	var logs bytes.Buffer
	done := make(chan error, 1)
	go func() {
		_, err := ArgvMain(ctx, []string{"/usr/local/bin/vllm", "serve", "m", "--host", "127.0.0.1", "--port", "0"}, io.Discard, &logs)
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ArgvMain after cancel = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ArgvMain did not return after its context ended")
	}
}

func TestExitAfter(t *testing.T) {
	cfg, err := ParseArgs(FlavorVLLM, []string{"m", "--host", "127.0.0.1", "--port", "0", "--sim-exit-after", "50ms"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- New(cfg, nil).ListenAndServe(context.Background()) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "--sim-exit-after") {
			t.Errorf("ListenAndServe = %v, want ErrSimulatedExit", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("server did not exit after --sim-exit-after")
	}
}
