package sse

import (
	"bytes"
	"io"
	"testing"
)

const benchEvent = `data: {"id":"chatcmpl-0123456789abcdef","object":"chat.completion.chunk","created":1700000000,"model":"facebook/opt-125m","choices":[{"index":0,"delta":{"content":" token"},"logprobs":null,"finish_reason":null}]}` + "\n\n"

const benchEvents = 1000

// eventReads returns the benchmark event once per Read call, like a stream
// that delivers one token per network read.
type eventReads struct {
	event []byte
	left  int
}

func (e *eventReads) Read(p []byte) (int, error) {
	if e.left == 0 {
		return 0, io.EOF
	}
	e.left--
	return copy(p, e.event), nil
}

// BenchmarkReader measures NextRaw, one event per read, with time.Now
// stamps.
func BenchmarkReader(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(&eventReads{event: []byte(benchEvent), left: benchEvents}, nil)
		n := 0
		for {
			if _, err := r.NextRaw(); err != nil {
				break
			}
			n++
		}
		if n != benchEvents {
			b.Fatalf("%d events, want %d", n, benchEvents)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchEvents), "ns/event")
}

// BenchmarkRawLineSplit is the baseline of BenchmarkReader: the same reads
// into a buffer of the same size, only split into lines.
func BenchmarkRawLineSplit(b *testing.B) {
	buf := make([]byte, readBufferSize)
	b.ReportAllocs()
	for b.Loop() {
		src := &eventReads{event: []byte(benchEvent), left: benchEvents}
		lines := 0
		for {
			n, err := src.Read(buf)
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
