package sim

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// startSim starts a simulated server from a flavor's arguments and stops it
// when the test ends.
func startSim(t testing.TB, flavor string, args ...string) string {
	t.Helper()
	cfg, err := ParseArgs(flavor, args)
	if err != nil {
		t.Fatalf("ParseArgs(%s, %q): %v", flavor, args, err)
	}
	url, stop, err := StartLocal(context.Background(), cfg)
	if err != nil {
		t.Fatalf("StartLocal: %v", err)
	}
	t.Cleanup(stop)
	return url
}

// post sends a JSON body and returns the response; the test closes it.
func post(t testing.TB, url, body string) *http.Response {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func get(t testing.TB, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading GET %s: %v", url, err)
	}
	return resp.StatusCode, body
}

// sseEvent is one data event of a stream.
type sseEvent struct {
	data string
	at   time.Time
}

// readSSE reads data events until EOF or [DONE] and returns them with the
// error that ended the stream, if any.
func readSSE(r io.Reader) ([]sseEvent, error) {
	var events []sseEvent
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if data, ok := strings.CutPrefix(strings.TrimRight(line, "\n"), "data: "); ok {
			events = append(events, sseEvent{data: data, at: time.Now()})
			if data == "[DONE]" {
				return events, nil
			}
		}
		if err != nil {
			if err == io.EOF {
				return events, nil
			}
			return events, err
		}
	}
}

// decodeObject decodes a JSON object, keeping each field raw so tests can
// check which keys are present.
func decodeObject(t testing.TB, data string) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(data), &m); err != nil {
		t.Fatalf("decoding %s: %v", data, err)
	}
	return m
}

func decodeInto(t testing.TB, raw []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
}

// chunk is the decoded form of a stream chunk in either flavor.
type chunk struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Model   string `json:"model"`
	Choices []struct {
		Index        int             `json:"index"`
		Text         *string         `json:"text"`
		Delta        json.RawMessage `json:"delta"`
		FinishReason *string         `json:"finish_reason"`
		MatchedStop  json.RawMessage `json:"matched_stop"`
	} `json:"choices"`
	Usage *usageInfo `json:"usage"`
	Error *apiError  `json:"error"`
}

func decodeChunks(t testing.TB, events []sseEvent) []chunk {
	t.Helper()
	var chunks []chunk
	for _, e := range events {
		if e.data == "[DONE]" {
			continue
		}
		var c chunk
		decodeInto(t, []byte(e.data), &c)
		chunks = append(chunks, c)
	}
	return chunks
}

// deltaContent returns a chat delta's content and whether it is a non-empty
// string.
func deltaContent(t testing.TB, delta json.RawMessage) (string, bool) {
	t.Helper()
	var d struct {
		Content *string `json:"content"`
	}
	decodeInto(t, delta, &d)
	if d.Content == nil {
		return "", false
	}
	return *d.Content, *d.Content != ""
}

// scrape returns the value of one metric series from /metrics text; the
// series is the metric name with its labels, as printed.
func scrape(t testing.TB, baseURL, series string) (float64, bool) {
	t.Helper()
	status, body := get(t, baseURL+"/metrics")
	if status != http.StatusOK {
		t.Fatalf("GET /metrics: status %d", status)
	}
	for _, line := range bytes.Split(body, []byte("\n")) {
		name, value, ok := strings.Cut(string(line), " ")
		if ok && name == series {
			var f float64
			decodeInto(t, []byte(value), &f)
			return f, true
		}
	}
	return 0, false
}
