package sse

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fixtureBody returns the response body of a stream fixture: its "@<ms>"
// payloads, unescaped and joined.
func fixtureBody(name string) ([]byte, error) {
	text, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var body []byte
	for _, line := range strings.Split(string(text), "\n") {
		if !strings.HasPrefix(line, "@") {
			continue
		}
		_, payload, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		for i := 0; i < len(payload); i++ {
			if payload[i] != '\\' || i+1 >= len(payload) {
				body = append(body, payload[i])
				continue
			}
			i++
			switch payload[i] {
			case 'n':
				body = append(body, '\n')
			case 'r':
				body = append(body, '\r')
			case 'x':
				if i+2 < len(payload) {
					v, err := strconv.ParseUint(payload[i+1:i+3], 16, 8)
					if err == nil {
						body = append(body, byte(v))
					}
					i += 2
				}
			default:
				body = append(body, payload[i])
			}
		}
	}
	return body, nil
}

// eventsOf reads input cut into reads at the given positions, and returns the
// events without their times and the error class that ended the stream.
func eventsOf(t *testing.T, input []byte, cuts []int) ([]Event, string) {
	t.Helper()
	var chunks []string
	prev := 0
	for _, c := range cuts {
		if c > prev && c < len(input) {
			chunks = append(chunks, string(input[prev:c]))
			prev = c
		}
	}
	chunks = append(chunks, string(input[prev:]))

	clock := &fakeClock{t: base}
	r := NewReader(&chunkedReader{chunks: chunks, clock: clock}, clock.now)
	var events []Event
	var last Event
	for {
		ev, err := r.Next()
		if err != nil {
			switch {
			case err == io.EOF:
				return events, "eof"
			case errors.Is(err, ErrIncompleteEvent):
				return events, "incomplete"
			default:
				t.Fatalf("unexpected error %v", err)
			}
		}
		if ev.At.Before(last.At) {
			t.Fatalf("event time went back: %v after %v", ev.At, last.At)
		}
		if ev.Type == "" {
			t.Fatalf("event with empty type")
		}
		last = ev
		ev.At = time.Time{}
		events = append(events, ev)
	}
}

// FuzzReader checks that the reader never panics, and that every way of
// cutting the same bytes into reads gives the same events and the same end.
func FuzzReader(f *testing.F) {
	seeds := []string{
		"data: a\n\n",
		"data: a\r\rdata: b\r\n\r\n",
		":\n\nevent: error\nid: 1\ndata: {}\n\n",
		"\xEF\xBB\xBFdata\n\n",
		"data: a\ndata: b",
		"retry: 10\ndata: \xE4\xBD\xA0\r\n\r\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s), uint16(1), uint16(3), uint16(7))
	}
	fixtures, _ := filepath.Glob("../client/testdata/streams/*.sse")
	for _, name := range fixtures {
		if body, err := fixtureBody(name); err == nil {
			f.Add(body, uint16(5), uint16(200), uint16(4000))
		}
	}

	f.Fuzz(func(t *testing.T, input []byte, a, b, c uint16) {
		whole, wholeEnd := eventsOf(t, input, nil)

		cuts := []int{int(a) % (len(input) + 1), int(b) % (len(input) + 1), int(c) % (len(input) + 1)}
		if cuts[1] < cuts[0] {
			cuts[0], cuts[1] = cuts[1], cuts[0]
		}
		if cuts[2] < cuts[1] {
			cuts[1], cuts[2] = cuts[2], cuts[1]
		}
		split, splitEnd := eventsOf(t, input, cuts)
		if !reflect.DeepEqual(whole, split) || wholeEnd != splitEnd {
			t.Fatalf("cuts %v changed the result:\nwhole %q %s\nsplit %q %s", cuts, whole, wholeEnd, split, splitEnd)
		}

		var everyByte []int
		for i := 1; i < len(input) && i < 512; i++ {
			everyByte = append(everyByte, i)
		}
		bytewise, bytewiseEnd := eventsOf(t, input, everyByte)
		if !reflect.DeepEqual(whole, bytewise) || wholeEnd != bytewiseEnd {
			t.Fatalf("byte-wise reads changed the result:\nwhole %q %s\nbytes %q %s", whole, wholeEnd, bytewise, bytewiseEnd)
		}
	})
}
