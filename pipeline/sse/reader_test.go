package sse

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

// chunkedReader returns one chunk per Read call and advances a fake clock by
// one second before each read returns, so an event's At identifies the read
// that completed it: read k (from 1) returns at base + k seconds.
type chunkedReader struct {
	chunks []string
	clock  *fakeClock
}

func (c *chunkedReader) Read(p []byte) (int, error) {
	if len(c.chunks) == 0 {
		c.clock.advance()
		return 0, io.EOF
	}
	n := copy(p, c.chunks[0])
	c.chunks[0] = c.chunks[0][n:]
	if c.chunks[0] == "" {
		c.chunks = c.chunks[1:]
	}
	c.clock.advance()
	return n, nil
}

type fakeClock struct{ t time.Time }

var base = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func (f *fakeClock) advance()       { f.t = f.t.Add(time.Second) }
func (f *fakeClock) now() time.Time { return f.t }

// readAll returns every event of chunks and the error that ended the stream.
func readAll(t *testing.T, chunks ...string) ([]Event, error) {
	t.Helper()
	clock := &fakeClock{t: base}
	r := NewReader(&chunkedReader{chunks: append([]string(nil), chunks...), clock: clock}, clock.now)
	var events []Event
	for {
		ev, err := r.Next()
		if err != nil {
			return events, err
		}
		events = append(events, ev)
	}
}

func at(read int) time.Time { return base.Add(time.Duration(read) * time.Second) }

func TestReaderCases(t *testing.T) {
	tests := []struct {
		name    string
		chunks  []string
		want    []Event
		wantErr error
	}{
		{
			name:   "LF line ends",
			chunks: []string{"data: a\n\ndata: b\n\n"},
			want: []Event{
				{Type: "message", Data: "a", At: at(1)},
				{Type: "message", Data: "b", At: at(1)},
			},
			wantErr: io.EOF,
		},
		{
			name:    "CR line ends",
			chunks:  []string{"data: a\r\rdata: b\r\r"},
			want:    []Event{{Type: "message", Data: "a", At: at(1)}, {Type: "message", Data: "b", At: at(1)}},
			wantErr: io.EOF,
		},
		{
			name:    "CRLF line ends",
			chunks:  []string{"data: a\r\n\r\n", "data: b\r\n\r\n"},
			want:    []Event{{Type: "message", Data: "a", At: at(1)}, {Type: "message", Data: "b", At: at(2)}},
			wantErr: io.EOF,
		},
		{
			name:    "CRLF cut between reads is one line end",
			chunks:  []string{"data: a\r", "\ndata: b\r", "\n\r", "\n"},
			want:    []Event{{Type: "message", Data: "a\nb", At: at(3)}},
			wantErr: io.EOF,
		},
		{
			name:    "event cut inside data field",
			chunks:  []string{"da", "ta: hel", "lo\n", "\n"},
			want:    []Event{{Type: "message", Data: "hello", At: at(4)}},
			wantErr: io.EOF,
		},
		{
			name:    "comments ignored",
			chunks:  []string{":\n\n", ": ping - 2024\n\n", "data: x\n: between\n\n"},
			want:    []Event{{Type: "message", Data: "x", At: at(3)}},
			wantErr: io.EOF,
		},
		{
			name:    "multi-line data joined with LF",
			chunks:  []string{"data: a\ndata:b\ndata:  c\n\n"},
			want:    []Event{{Type: "message", Data: "a\nb\n c", At: at(1)}},
			wantErr: io.EOF,
		},
		{
			name:    "event and id fields",
			chunks:  []string{"event: error\nid: 7\ndata: {}\n\ndata: next\n\n"},
			want:    []Event{{Type: "error", Data: "{}", ID: "7", At: at(1)}, {Type: "message", Data: "next", ID: "7", At: at(1)}},
			wantErr: io.EOF,
		},
		{
			name:    "id with NUL ignored",
			chunks:  []string{"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n"},
			want:    []Event{{Type: "message", Data: "a", ID: "1", At: at(1)}, {Type: "message", Data: "b", ID: "1", At: at(1)}},
			wantErr: io.EOF,
		},
		{
			name:    "blank line without data dispatches nothing",
			chunks:  []string{"event: ping\n\n\n\ndata: x\n\n"},
			want:    []Event{{Type: "message", Data: "x", At: at(1)}},
			wantErr: io.EOF,
		},
		{
			name:    "field without colon",
			chunks:  []string{"data\ndata\n\n"},
			want:    []Event{{Type: "message", Data: "\n", At: at(1)}},
			wantErr: io.EOF,
		},
		{
			name:    "empty data field dispatches empty event",
			chunks:  []string{"data:\n\n"},
			want:    []Event{{Type: "message", Data: "", At: at(1)}},
			wantErr: io.EOF,
		},
		{
			name:    "leading BOM stripped",
			chunks:  []string{"\xEF\xBB", "\xBFdata: a\n\n"},
			want:    []Event{{Type: "message", Data: "a", At: at(2)}},
			wantErr: io.EOF,
		},
		{
			name:    "second BOM kept",
			chunks:  []string{"\xEF\xBB\xBFdata: a\n\n\xEF\xBB\xBFdata: b\n\ndata: c\n\n"},
			want:    []Event{{Type: "message", Data: "a", At: at(1)}, {Type: "message", Data: "c", At: at(1)}},
			wantErr: io.EOF,
		},
		{
			name:    "UTF-8 cut across reads",
			chunks:  []string{"data: \xE4\xBD\xA0\xE5", "\xA5\xBD\n\n"},
			want:    []Event{{Type: "message", Data: "你好", At: at(2)}},
			wantErr: io.EOF,
		},
		{
			name:    "stream ends after data line",
			chunks:  []string{"data: a\n\ndata: b\n"},
			want:    []Event{{Type: "message", Data: "a", At: at(1)}},
			wantErr: ErrIncompleteEvent,
		},
		{
			name:    "stream ends in partial line",
			chunks:  []string{"data: a\n\ndata: b"},
			want:    []Event{{Type: "message", Data: "a", At: at(1)}},
			wantErr: ErrIncompleteEvent,
		},
		{
			name:    "unknown field ignored",
			chunks:  []string{"foo: bar\ndata: a\n\n"},
			want:    []Event{{Type: "message", Data: "a", At: at(1)}},
			wantErr: io.EOF,
		},
		{
			// A 32 KiB read buffer takes 4 reads per 100000-byte chunk: 10 reads in all.
			name:    "long line across many reads",
			chunks:  []string{"data: ", strings.Repeat("x", 100000), strings.Repeat("y", 100000), "\n\n"},
			want:    []Event{{Type: "message", Data: strings.Repeat("x", 100000) + strings.Repeat("y", 100000), At: at(10)}},
			wantErr: io.EOF,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAll(t, tt.chunks...)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == io.EOF && err != io.EOF) {
				t.Errorf("end error = %v, want %v", err, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("events:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestReaderLongLineTimestamp(t *testing.T) {
	// 100000-byte chunks take several reads each with a 32 KiB buffer, so
	// the event arrives with the read that carries its blank line, the last.
	clock := &fakeClock{t: base}
	chunks := []string{"data: " + strings.Repeat("x", 100000), "\n\n"}
	r := NewReader(&chunkedReader{chunks: chunks, clock: clock}, clock.now)
	ev, err := r.Next()
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	if ev.At != clock.t {
		t.Errorf("At = %v, want the last read's time %v", ev.At, clock.t)
	}
}

func TestReaderRetryField(t *testing.T) {
	clock := &fakeClock{t: base}
	r := NewReader(&chunkedReader{chunks: []string{"retry: 1500\nretry: 1x\ndata: a\n\n"}, clock: clock}, clock.now)
	if _, err := r.Next(); err != nil {
		t.Fatalf("Next: %v", err)
	}
	retry, ok := r.Retry()
	if !ok || retry != 1500*time.Millisecond {
		t.Errorf("Retry() = %v, %v; want 1.5s, true", retry, ok)
	}
}

func TestReaderLastReadAtAfterEOF(t *testing.T) {
	clock := &fakeClock{t: base}
	r := NewReader(&chunkedReader{chunks: []string{"data: a\n\n"}, clock: clock}, clock.now)
	if _, err := r.Next(); err != nil {
		t.Fatalf("Next: %v", err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("second Next error = %v, want io.EOF", err)
	}
	if got := r.LastReadAt(); got != at(2) {
		t.Errorf("LastReadAt() = %v, want the EOF read's time %v", got, at(2))
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestReaderPassesReadError(t *testing.T) {
	boom := errors.New("connection reset")
	_, err := NewReader(errReader{err: boom}, nil).Next()
	if !errors.Is(err, boom) {
		t.Errorf("error = %v, want %v", err, boom)
	}
}

type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

func TestReaderNoProgress(t *testing.T) {
	_, err := NewReader(zeroReader{}, nil).Next()
	if !errors.Is(err, io.ErrNoProgress) {
		t.Errorf("error = %v, want io.ErrNoProgress", err)
	}
}
