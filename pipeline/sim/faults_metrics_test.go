package sim

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

const streamBody = `{"prompt":[1,2,3,4],"max_tokens":8,"ignore_eos":true,"stream":true}`

func TestFaultHTTPError(t *testing.T) {
	url := startSim(t, FlavorVLLM, vllmArgs("--sim-error-rate", "1")...)
	resp := post(t, url+"/v1/completions", streamBody)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status = %d, want 500", resp.StatusCode)
	}
	var e apiError
	decodeInto(t, body, &e)
	if e.Object != "error" || e.Code != 500 || e.Type != "InternalServerError" {
		t.Errorf("error body = %s", body)
	}
}

func TestFaultInBandError(t *testing.T) {
	url := startSim(t, FlavorSGLang, sglangArgs("--sim-inband-error-rate", "1")...)
	resp := post(t, url+"/v1/completions", streamBody)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200 before the in-band error", resp.StatusCode)
	}
	events, err := readSSE(resp.Body)
	if err != nil {
		t.Fatalf("reading stream: %v", err)
	}
	chunks := decodeChunks(t, events)
	if len(chunks) < 2 {
		t.Fatalf("got %d chunks, want at least one token and the error", len(chunks))
	}
	for i, c := range chunks[:len(chunks)-1] {
		if c.Error != nil || len(c.Choices) != 1 || c.Choices[0].Text == nil || *c.Choices[0].Text == "" {
			t.Errorf("chunk %d = %+v, want a token before the error", i, c)
		}
	}
	last := chunks[len(chunks)-1]
	if last.Error == nil || last.Error.Code != 500 || last.Error.Message == "" {
		t.Errorf("last chunk = %+v, want an error object", last)
	}
	if events[len(events)-1].data != "[DONE]" {
		t.Errorf("stream ends with %q, want [DONE] after the error", events[len(events)-1].data)
	}
}

func TestFaultStall(t *testing.T) {
	url := startSim(t, FlavorVLLM, vllmArgs("--sim-stall-rate", "1")...)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/v1/completions", strings.NewReader(streamBody))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()

	events, err := readSSE(resp.Body)
	if err == nil {
		t.Fatalf("stream ended without error after %d events, want it to hang until the client gives up", len(events))
	}
	if ctx.Err() == nil {
		t.Errorf("stream failed with %v before the client timeout", err)
	}
	if len(events) < 1 || len(events) >= 8 {
		t.Errorf("got %d events before the stall, want 1 to 7 tokens", len(events))
	}
	for _, e := range events {
		if e.data == "[DONE]" {
			t.Error("a stalled stream sent [DONE]")
		}
	}
}

func TestFaultDisconnect(t *testing.T) {
	url := startSim(t, FlavorVLLM, vllmArgs("--sim-disconnect-rate", "1")...)
	resp := post(t, url+"/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}],"max_tokens":8,"ignore_eos":true,"stream":true}`)
	events, err := readSSE(resp.Body)
	if err == nil {
		t.Errorf("stream ended cleanly, want a broken connection")
	}
	tokens := 0
	for _, c := range decodeChunks(t, events) {
		if len(c.Choices) == 1 {
			if _, ok := deltaContent(t, c.Choices[0].Delta); ok {
				tokens++
			}
		}
	}
	if tokens < 1 || tokens >= 8 {
		t.Errorf("got %d tokens before the disconnect, want 1 to 7", tokens)
	}
	for _, e := range events {
		if e.data == "[DONE]" {
			t.Error("a disconnected stream sent [DONE]")
		}
	}
}

func TestFaultRateSeeded(t *testing.T) {
	statuses := func() string {
		url := startSim(t, FlavorVLLM, vllmArgs("--sim-error-rate", "0.5", "--sim-seed", "11")...)
		var b strings.Builder
		for range 30 {
			resp := post(t, url+"/v1/completions", `{"prompt":"hi","max_tokens":1}`)
			io.Copy(io.Discard, resp.Body)
			if resp.StatusCode == http.StatusOK {
				b.WriteByte('.')
			} else {
				b.WriteByte('E')
			}
		}
		return b.String()
	}
	first, second := statuses(), statuses()
	if first != second {
		t.Errorf("same seed gave different fault sequences:\n%s\n%s", first, second)
	}
	if !strings.Contains(first, "E") || !strings.Contains(first, ".") {
		t.Errorf("error rate 0.5 over 30 requests gave %s, want both errors and successes", first)
	}
}

func TestMetricsVLLM(t *testing.T) {
	url := startSim(t, FlavorVLLM, "facebook/opt-125m", "--sim-ttft", "2ms", "--sim-itl", "20ms")
	const label = `{model_name="facebook/opt-125m"}`

	status, body := get(t, url+"/metrics")
	if status != http.StatusOK {
		t.Fatalf("/metrics status = %d", status)
	}
	for _, name := range []string{"vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:gpu_cache_usage_perc",
		"vllm:kv_cache_usage_perc", "vllm:prompt_tokens_total", "vllm:generation_tokens_total",
		"vllm:time_to_first_token_seconds", "vllm:e2e_request_latency_seconds", "vllm:inter_token_latency_seconds",
		"vllm:time_per_output_token_seconds", "vllm:request_queue_time_seconds"} {
		if !strings.Contains(string(body), "# TYPE "+name+" ") {
			t.Errorf("/metrics has no %s", name)
		}
	}

	var bodies []io.ReadCloser
	for range 3 {
		resp := post(t, url+"/v1/completions", `{"prompt":[1,2,3,4,5],"max_tokens":10,"ignore_eos":true,"stream":true}`)
		readFirstEvent(t, resp.Body)
		bodies = append(bodies, resp.Body)
	}
	if running, _ := scrape(t, url, "vllm:num_requests_running"+label); running != 3 {
		t.Errorf("running during 3 streams = %g, want 3", running)
	}
	if usage, _ := scrape(t, url, "vllm:kv_cache_usage_perc"+label); usage <= 0 {
		t.Errorf("KV cache usage during streams = %g, want > 0", usage)
	}
	for _, b := range bodies {
		if _, err := readSSE(b); err != nil {
			t.Fatalf("reading stream: %v", err)
		}
	}

	waitForMetric(t, url, "vllm:num_requests_running"+label, 0)
	checks := map[string]float64{
		"vllm:prompt_tokens_total" + label:                                                    15,
		"vllm:generation_tokens_total" + label:                                                30,
		`vllm:request_success_total{finished_reason="length",model_name="facebook/opt-125m"}`: 3,
		"vllm:time_to_first_token_seconds_count" + label:                                      3,
		"vllm:inter_token_latency_seconds_count" + label:                                      27,
		"vllm:kv_cache_usage_perc" + label:                                                    0,
	}
	for series, want := range checks {
		if got, ok := scrape(t, url, series); !ok || got != want {
			t.Errorf("%s = %g (present %v), want %g", series, got, ok, want)
		}
	}
}

func TestMetricsSGLangQueue(t *testing.T) {
	url := startSim(t, FlavorSGLang, "--model-path", "m", "--enable-metrics", "--max-running-requests", "1", "--sim-ttft", "2ms", "--sim-itl", "20ms")
	const label = `{model_name="m"}`

	first := post(t, url+"/v1/completions", `{"prompt":"a b","max_tokens":10,"ignore_eos":true,"stream":true}`)
	readFirstEvent(t, first.Body)

	secondDone := make(chan error, 1)
	go func() {
		resp, err := http.Post(url+"/v1/completions", "application/json", strings.NewReader(`{"prompt":"c","max_tokens":2,"ignore_eos":true,"stream":true}`))
		if err == nil {
			_, err = readSSE(resp.Body)
			resp.Body.Close()
		}
		secondDone <- err
	}()

	waitForMetric(t, url, "sglang:num_queue_reqs"+label, 1)
	if running, _ := scrape(t, url, "sglang:num_running_reqs"+label); running != 1 {
		t.Errorf("running with max 1 = %g, want 1", running)
	}
	if _, err := readSSE(first.Body); err != nil {
		t.Fatalf("reading first stream: %v", err)
	}
	if err := <-secondDone; err != nil {
		t.Fatalf("second stream: %v", err)
	}
	waitForMetric(t, url, "sglang:num_queue_reqs"+label, 0)
	for series, want := range map[string]float64{
		"sglang:prompt_tokens_total" + label:     3,
		"sglang:generation_tokens_total" + label: 12,
		"sglang:token_usage" + label:             0,
	} {
		if got, ok := scrape(t, url, series); !ok || got != want {
			t.Errorf("%s = %g (present %v), want %g", series, got, ok, want)
		}
	}
}

func TestSGLangMetricsNeedEnableMetrics(t *testing.T) {
	url := startSim(t, FlavorSGLang, "--model-path", "m")
	if status, _ := get(t, url+"/metrics"); status != http.StatusNotFound {
		t.Errorf("/metrics without --enable-metrics = %d, want 404 as in SGLang", status)
	}
}

// readFirstEvent reads a stream up to its first data event.
func readFirstEvent(t *testing.T, body io.Reader) {
	t.Helper()
	buf := make([]byte, 1)
	var line strings.Builder
	for {
		if _, err := body.Read(buf); err != nil {
			t.Fatalf("reading the first event: %v", err)
		}
		line.WriteByte(buf[0])
		if strings.HasSuffix(line.String(), "\n\n") {
			return
		}
	}
}

// waitForMetric polls /metrics until series has the value want.
func waitForMetric(t *testing.T, url, series string, want float64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, _ := scrape(t, url, series)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %g after 5s, want %g", series, got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
