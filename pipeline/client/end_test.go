package client

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/record"
)

func TestTruncatedStreamMessages(t *testing.T) {
	t.Run("clean end of body", func(t *testing.T) {
		rec := feed(t, streamOf(write(10, content("A")), write(20, content("B"))))
		want := "stream ended without [DONE] or a finish_reason"
		if rec.Failure != record.FailureTruncated || rec.ErrorMessage != want {
			t.Errorf("Failure %q message %q, want truncated, %q", rec.Failure, rec.ErrorMessage, want)
		}
	})
	t.Run("end in the middle of an event", func(t *testing.T) {
		rec := feed(t, streamOf(write(10, content("A")), write(20, `data: {"choices":[{"delta":{"content":"B"}}]}`)))
		want := "stream ended without [DONE] or a finish_reason (in the middle of an event)"
		if rec.Failure != record.FailureTruncated || rec.ErrorMessage != want {
			t.Errorf("Failure %q message %q, want truncated, %q", rec.Failure, rec.ErrorMessage, want)
		}
	})
	t.Run("finish_reason without [DONE]", func(t *testing.T) {
		rec := feed(t, streamOf(write(10, content("A")), write(20, finishStop)))
		want := `finish_reason "stop" without [DONE]`
		if !rec.OK || len(rec.Warnings) != 1 || rec.Warnings[0] != want {
			t.Errorf("OK %v Warnings %q, want success with warning %q", rec.OK, rec.Warnings, want)
		}
	})
}

// TestUnexpectedEOFMessage: over loopback, a server announces a longer body
// than it sends and closes the connection, so reading the body fails with
// io.ErrUnexpectedEOF.
func TestUnexpectedEOFMessage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		defer conn.Close()
		writeCut(buf, content("A")+content("B"))
	}))
	defer srv.Close()

	c, err := New(Options{BaseURL: srv.URL, Concurrency: 1, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	rec := c.Do(context.Background(), Request{Path: PathChatCompletions, Model: "m", Prompt: "hi", MaxTokens: 4}, time.Now())
	want := "stream ended without [DONE] or a finish_reason (unexpected EOF)"
	if rec.Failure != record.FailureTruncated || rec.ErrorMessage != want || len(rec.TokenTimes) != 2 {
		t.Errorf("Failure %q message %q token events %d, want truncated, %q, 2", rec.Failure, rec.ErrorMessage, len(rec.TokenTimes), want)
	}
}

// writeCut writes a 200 event-stream response whose Content-Length is
// 1000 bytes more than body.
func writeCut(buf *bufio.ReadWriter, body string) {
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n")
	_, _ = buf.WriteString("Content-Length: " + strconv.Itoa(len(body)+1000) + "\r\n\r\n" + body)
	_ = buf.Flush()
}
