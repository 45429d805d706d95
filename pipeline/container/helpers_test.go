package container_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llmbench/llmbench-action/internal/simimage"
	"github.com/llmbench/llmbench-action/pipeline/container"
)

func TestMain(m *testing.M) {
	container.DisableReaper()
	os.Exit(m.Run())
}

// simImage returns the simulator image, built once per test binary.
func simImage(t *testing.T) string {
	t.Helper()
	return simimage.Image(t)
}

// logLines collects a server's log lines for the test log and for checks.
type logLines struct {
	t     *testing.T
	mu    sync.Mutex
	lines []string
}

func (l *logLines) add(line string) {
	l.mu.Lock()
	l.lines = append(l.lines, line)
	l.mu.Unlock()
}

func (l *logLines) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// runID returns a run id unique to the test, so leftover checks see only the
// test's own containers.
func runID(t *testing.T) string {
	return fmt.Sprintf("test-%d", time.Now().UnixNano())
}

// requireNoContainers fails t when containers of runID still exist.
func requireNoContainers(t *testing.T, runID string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	left, err := container.List(ctx, runID)
	if err != nil {
		t.Fatalf("List(%q): %v", runID, err)
	}
	if len(left) != 0 {
		t.Errorf("containers of run %s left behind: %+v", runID, left)
		if _, err := container.Cleanup(ctx, runID); err != nil {
			t.Errorf("Cleanup(%q): %v", runID, err)
		}
	}
}

// streamResult is what one streaming completion returned.
type streamResult struct {
	// Chunks counts the events that carried text.
	Chunks int
	// CompletionTokens is usage.completion_tokens of the last usage object.
	CompletionTokens int
	// Done reports that the stream ended with "data: [DONE]".
	Done bool
}

// streamCompletion sends one streaming /v1/completions request and reads the
// server-sent events. onChunk, when set, is called after each text event.
func streamCompletion(ctx context.Context, baseURL, model string, maxTokens int, onChunk func(n int)) (streamResult, error) {
	var result streamResult
	body, err := json.Marshal(map[string]any{
		"model":          model,
		"prompt":         "The quick brown fox",
		"max_tokens":     maxTokens,
		"temperature":    0,
		"ignore_eos":     true,
		"stream":         true,
		"stream_options": map[string]any{"include_usage": true},
	})
	if err != nil {
		return result, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/v1/completions", bytes.NewReader(body))
	if err != nil {
		return result, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return result, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return result, fmt.Errorf("POST /v1/completions: status %d", resp.StatusCode)
	}

	scanner := bufio.NewScanner(resp.Body)
	scanner.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for scanner.Scan() {
		data, ok := strings.CutPrefix(scanner.Text(), "data:")
		if !ok {
			continue
		}
		data = strings.TrimSpace(data)
		if data == "[DONE]" {
			result.Done = true
			continue
		}
		var event struct {
			Choices []struct {
				Text string `json:"text"`
			} `json:"choices"`
			Usage *struct {
				CompletionTokens int `json:"completion_tokens"`
			} `json:"usage"`
		}
		if err := json.Unmarshal([]byte(data), &event); err != nil {
			return result, fmt.Errorf("decoding event %q: %w", data, err)
		}
		if len(event.Choices) > 0 && event.Choices[0].Text != "" {
			result.Chunks++
			if onChunk != nil {
				onChunk(result.Chunks)
			}
		}
		if event.Usage != nil {
			result.CompletionTokens = event.Usage.CompletionTokens
		}
	}
	return result, scanner.Err()
}
