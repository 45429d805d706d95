// Package sse reads Server-Sent Events streams following the WHATWG HTML
// "event stream interpretation" rules, and stamps every event with the time
// at which the network read that completed it returned.
//
// The reader owns its buffer and works on bytes, so lines of any length are
// accepted, multi-byte UTF-8 characters cut across reads stay intact, and
// the hot path (NextRaw) allocates nothing once its buffers have grown.
package sse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"
)

// ErrIncompleteEvent is returned by Next and NextRaw when the stream ended in
// the middle of an event: after a partial line, or after field lines that no
// blank line dispatched. The WHATWG rules discard such an event. It wraps
// io.ErrUnexpectedEOF.
var ErrIncompleteEvent = fmt.Errorf("sse: stream ended in the middle of an event: %w", io.ErrUnexpectedEOF)

// DefaultEventType is the type of an event that carried no "event" field.
const DefaultEventType = "message"

// readBufferSize is the size of the reader's own read buffer in bytes.
const readBufferSize = 32 << 10

// maxEmptyReads bounds the Read calls in a row that return no bytes and no
// error before the reader gives up with io.ErrNoProgress.
const maxEmptyReads = 100

// Event is one dispatched event.
type Event struct {
	// Type is the "event" field, or DefaultEventType when there was none.
	Type string
	// Data is the "data" lines joined with "\n".
	Data string
	// ID is the last event ID at dispatch: the last "id" field seen so far in
	// the stream, also in earlier events.
	ID string
	// At is the time at which the Read call that delivered the event's
	// terminating blank line returned.
	At time.Time
}

// RawEvent is one dispatched event whose byte slices point into the
// reader's buffers: they are valid only until the next call to NextRaw or
// Next.
type RawEvent struct {
	Type []byte // nil when the event had no "event" field
	Data []byte
	ID   []byte
	At   time.Time
}

// Reader reads events from an io.Reader. It is not safe for concurrent use.
type Reader struct {
	src io.Reader
	now func() time.Time

	buf        []byte // read buffer, filled by src.Read
	start, end int    // unprocessed bytes are buf[start:end]
	readAt     time.Time
	readErr    error // error returned with the last read, handled once buf is drained

	line      []byte // a line cut by the end of buf, copied here until its terminator arrives
	skipLF    bool   // the last line ended with CR, so a following LF belongs to it
	firstLine bool   // no line completed yet, so a leading BOM is still to strip

	data      []byte // data buffer: every data line followed by LF
	eventType []byte
	typeSet   bool
	lastID    []byte
	fieldSeen bool // a field line arrived since the last blank line

	retry    time.Duration
	retrySet bool
}

// NewReader returns a Reader of r that stamps events with now, or with
// time.Now (which carries the monotonic clock) when now is nil.
func NewReader(r io.Reader, now func() time.Time) *Reader {
	if now == nil {
		now = time.Now
	}
	return &Reader{
		src:       r,
		now:       now,
		buf:       make([]byte, readBufferSize),
		firstLine: true,
	}
}

// Next returns the next event with its fields copied into strings. At the
// end of the stream it returns io.EOF, or ErrIncompleteEvent when the stream
// stopped in the middle of an event. Other errors come from the underlying
// reader.
func (r *Reader) Next() (Event, error) {
	raw, err := r.NextRaw()
	if err != nil {
		return Event{}, err
	}
	ev := Event{Type: DefaultEventType, Data: string(raw.Data), At: raw.At}
	if raw.Type != nil {
		ev.Type = string(raw.Type)
	}
	if len(raw.ID) > 0 {
		ev.ID = string(raw.ID)
	}
	return ev, nil
}

// NextRaw is Next without copies: the returned slices are valid until the
// next call. It returns the same errors as Next.
func (r *Reader) NextRaw() (RawEvent, error) {
	emptyReads := 0
	for {
		if ev, ok := r.scanBuffered(); ok {
			return ev, nil
		}
		if r.readErr != nil {
			return RawEvent{}, r.endError()
		}

		n, err := r.src.Read(r.buf)
		r.readAt = r.now()
		if n < 0 || n > len(r.buf) {
			n, err = 0, fmt.Errorf("sse: reader returned an invalid count %d for a %d-byte buffer", n, len(r.buf))
		}
		r.start, r.end = 0, n
		r.readErr = err
		if n == 0 && err == nil {
			emptyReads++
			if emptyReads >= maxEmptyReads {
				r.readErr = io.ErrNoProgress
			}
		} else {
			emptyReads = 0
		}
	}
}

// LastReadAt returns the time at which the last Read call returned, also
// when it returned an error or the end of the stream.
func (r *Reader) LastReadAt() time.Time {
	return r.readAt
}

// Retry returns the last valid "retry" field, the reconnection time the
// server asked for, and whether there was one.
func (r *Reader) Retry() (time.Duration, bool) {
	return r.retry, r.retrySet
}

// endError returns the error that ends the stream once every buffered byte
// was processed.
func (r *Reader) endError() error {
	if !errors.Is(r.readErr, io.EOF) {
		return r.readErr
	}
	if len(r.line) > 0 || r.fieldSeen {
		return ErrIncompleteEvent
	}
	return io.EOF
}

// scanBuffered processes the buffered lines until one dispatches an event.
func (r *Reader) scanBuffered() (RawEvent, bool) {
	for r.start < r.end {
		if r.skipLF {
			r.skipLF = false
			if r.buf[r.start] == '\n' {
				r.start++
				continue
			}
		}

		rest := r.buf[r.start:r.end]
		cut := bytes.IndexByte(rest, '\n')
		searchCR := rest
		if cut >= 0 {
			searchCR = rest[:cut]
		}
		if cr := bytes.IndexByte(searchCR, '\r'); cr >= 0 {
			cut = cr
			r.skipLF = true
		}
		if cut < 0 {
			r.line = append(r.line, rest...)
			r.start = r.end
			return RawEvent{}, false
		}

		line := rest[:cut]
		r.start += cut + 1
		if len(r.line) > 0 {
			r.line = append(r.line, line...)
			line = r.line
		}
		dispatched := r.processLine(line)
		r.line = r.line[:0]
		if dispatched {
			return r.dispatch()
		}
	}
	return RawEvent{}, false
}

// processLine applies one complete line and reports whether it is a blank
// line that dispatches an event.
func (r *Reader) processLine(line []byte) bool {
	if r.firstLine {
		r.firstLine = false
		line = bytes.TrimPrefix(line, bom)
	}
	if len(line) == 0 {
		r.fieldSeen = false
		if len(r.data) == 0 {
			r.eventType = r.eventType[:0]
			r.typeSet = false
			return false
		}
		return true
	}
	if line[0] == ':' {
		return false
	}

	r.fieldSeen = true
	name, value := line, []byte(nil)
	if colon := bytes.IndexByte(line, ':'); colon >= 0 {
		name, value = line[:colon], line[colon+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}

	switch string(name) {
	case "data":
		r.data = append(r.data, value...)
		r.data = append(r.data, '\n')
	case "event":
		r.eventType = append(r.eventType[:0], value...)
		r.typeSet = len(value) > 0
	case "id":
		if bytes.IndexByte(value, 0) < 0 {
			r.lastID = append(r.lastID[:0], value...)
		}
	case "retry":
		r.setRetry(value)
	}
	return false
}

var bom = []byte{0xEF, 0xBB, 0xBF}

// setRetry applies a "retry" field: ASCII digits only, in milliseconds.
func (r *Reader) setRetry(value []byte) {
	if len(value) == 0 {
		return
	}
	var ms int64
	for _, c := range value {
		if c < '0' || c > '9' {
			return
		}
		if ms > (1<<62)/10/int64(time.Millisecond) {
			return
		}
		ms = ms*10 + int64(c-'0')
	}
	r.retry = time.Duration(ms) * time.Millisecond
	r.retrySet = true
}

// dispatch returns the pending event and resets the event buffers.
func (r *Reader) dispatch() (RawEvent, bool) {
	ev := RawEvent{
		Data: r.data[:len(r.data)-1],
		ID:   r.lastID,
		At:   r.readAt,
	}
	if r.typeSet {
		ev.Type = r.eventType
	}
	r.data = r.data[:0]
	r.eventType = r.eventType[:0]
	r.typeSet = false
	return ev, true
}
