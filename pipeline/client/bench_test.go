package client

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// benchEvents is the number of events of one benchmark stream.
const benchEvents = 1000

// benchEvent is a vLLM-shaped chat chunk of one token.
const benchEvent = `data: {"id":"chatcmpl-0123456789abcdef","object":"chat.completion.chunk","created":1700000000,"model":"facebook/opt-125m","choices":[{"index":0,"delta":{"content":" token"},"logprobs":null,"finish_reason":null}]}` + "\n\n"

// newBenchServer streams benchEvents events per request, one write and
// flush each, then usage and [DONE].
func newBenchServer(b *testing.B) *httptest.Server {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		flusher := w.(http.Flusher)
		event := []byte(benchEvent)
		for range benchEvents {
			_, _ = w.Write(event)
			flusher.Flush()
		}
		_, _ = w.Write([]byte(`data: {"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":` + strconv.Itoa(benchEvents) + "}}\n\ndata: [DONE]\n\n"))
	}))
	b.Cleanup(srv.Close)
	return srv
}

// reportPerEvent reports wall and process CPU time (client and server
// together, from getrusage) per streamed event.
func reportPerEvent(b *testing.B, run func()) {
	var before, after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	start := time.Now()
	b.ResetTimer()
	for b.Loop() {
		run()
	}
	wall := time.Since(start)
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(syscall.TimevalToNsec(after.Utime) + syscall.TimevalToNsec(after.Stime) -
		syscall.TimevalToNsec(before.Utime) - syscall.TimevalToNsec(before.Stime))
	events := float64(b.N * benchEvents)
	b.ReportMetric(float64(wall.Nanoseconds())/events, "ns/event")
	b.ReportMetric(float64(cpu.Nanoseconds())/events, "cpu-ns/event")
}

// BenchmarkClientStream measures the full client on a loopback stream.
func BenchmarkClientStream(b *testing.B) {
	srv := newBenchServer(b)
	c, err := New(Options{BaseURL: srv.URL, Concurrency: 1, KeepText: true})
	if err != nil {
		b.Fatal(err)
	}
	req := Request{Path: PathChatCompletions, Model: "m", Prompt: "hi", MaxTokens: benchEvents}
	reportPerEvent(b, func() {
		rec := c.Do(context.Background(), req, time.Now())
		if !rec.OK || len(rec.TokenTimes) != benchEvents {
			b.Fatalf("record OK %v with %d events: %s", rec.OK, len(rec.TokenTimes), rec.ErrorMessage)
		}
	})
}

// BenchmarkRawLineReader is the baseline of BenchmarkClientStream: the same
// request and stream, read by a loop that only splits lines.
func BenchmarkRawLineReader(b *testing.B) {
	srv := newBenchServer(b)
	client := &http.Client{Transport: newTransport(1)}
	body := []byte(`{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true}`)
	buf := make([]byte, 32<<10)
	reportPerEvent(b, func() {
		resp, err := client.Post(srv.URL+PathChatCompletions, "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		lines := 0
		for {
			n, err := resp.Body.Read(buf)
			lines += bytes.Count(buf[:n], []byte{'\n'})
			if err != nil {
				break
			}
		}
		resp.Body.Close()
		if lines < 2*benchEvents {
			b.Fatalf("read %d lines, want at least %d", lines, 2*benchEvents)
		}
	})
}

// memoryStream is the benchmark stream as separate reads, one per event.
type memoryStream struct {
	event []byte
	left  int
}

func (m *memoryStream) Read(p []byte) (int, error) {
	if m.left == 0 {
		return 0, io.EOF
	}
	m.left--
	return copy(p, m.event), nil
}

// BenchmarkEventPipelineInMemory measures the client's per-event work
// without the network: SSE reading, chunk decoding and recording.
func BenchmarkEventPipelineInMemory(b *testing.B) {
	c, err := New(Options{BaseURL: "http://127.0.0.1:1", Concurrency: 1, KeepText: true})
	if err != nil {
		b.Fatal(err)
	}
	req := Request{Path: PathChatCompletions, Model: "m", Prompt: "hi", MaxTokens: benchEvents}
	b.ReportAllocs()
	for b.Loop() {
		m := c.newMeasurement(&req, time.Now())
		m.readStream(context.Background(), &memoryStream{event: []byte(benchEvent), left: benchEvents})
		if len(m.rec.TokenTimes) != benchEvents {
			b.Fatalf("%d events, want %d", len(m.rec.TokenTimes), benchEvents)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchEvents), "ns/event")
}

// BenchmarkRawLinesInMemory is the baseline of BenchmarkEventPipelineInMemory:
// the same reads, only split into lines.
func BenchmarkRawLinesInMemory(b *testing.B) {
	buf := make([]byte, 32<<10)
	b.ReportAllocs()
	for b.Loop() {
		stream := &memoryStream{event: []byte(benchEvent), left: benchEvents}
		lines := 0
		for {
			n, err := stream.Read(buf)
			for rest := buf[:n]; ; {
				i := bytes.IndexByte(rest, '\n')
				if i < 0 {
					break
				}
				lines++
				rest = rest[i+1:]
			}
			if err != nil {
				break
			}
		}
		if lines != 2*benchEvents {
			b.Fatalf("%d lines", lines)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchEvents), "ns/event")
}

// BenchmarkDecodeChunk compares the chunk decoder with encoding/json
// decoding the same chunk into minimal structs.
func BenchmarkDecodeChunk(b *testing.B) {
	data := bytes.TrimSuffix(bytes.TrimPrefix([]byte(benchEvent), []byte("data: ")), []byte("\n\n"))
	b.Run("scanner", func(b *testing.B) {
		d := chunkDecoder{keepText: true}
		var ch chunk
		b.ReportAllocs()
		for b.Loop() {
			d.text = d.text[:0]
			if err := d.decode(data, &ch); err != nil || !ch.tokenBearing {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		type minimal struct {
			Choices []struct {
				Text  *string `json:"text"`
				Delta *struct {
					Content *string `json:"content"`
				} `json:"delta"`
				FinishReason *string `json:"finish_reason"`
			} `json:"choices"`
			Usage *struct {
				CompletionTokens int `json:"completion_tokens"`
			} `json:"usage"`
			Error json.RawMessage `json:"error"`
		}
		b.ReportAllocs()
		for b.Loop() {
			var v minimal
			if err := json.Unmarshal(data, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
