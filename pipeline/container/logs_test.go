package container

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestLineWriter(t *testing.T) {
	var lines []string
	w := &lineWriter{emit: func(line string) { lines = append(lines, line) }}

	writes := []string{"INFO loading", " weights\nINFO ", "ready\n\n", "progress 10%\rprogress 20%\r\n", "no newline"}
	for _, s := range writes {
		if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	w.flush()

	want := []string{"INFO loading weights", "INFO ready", "progress 10%", "progress 20%", "no newline"}
	if !slices.Equal(lines, want) {
		t.Errorf("lines = %q, want %q", lines, want)
	}
}

func TestLineWriterLongLine(t *testing.T) {
	var lines []string
	w := &lineWriter{emit: func(line string) { lines = append(lines, line) }}
	w.Write([]byte(strings.Repeat("x", 3*maxLineBytes)))
	w.flush()
	for _, line := range lines {
		if len(line) > maxLineBytes+3 {
			t.Errorf("line of %d bytes, want at most %d", len(line), maxLineBytes+3)
		}
	}
}

func TestLogTail(t *testing.T) {
	tail := newLogTail(3)
	if got := tail.last(5); len(got) != 0 {
		t.Errorf("empty tail: last(5) = %q", got)
	}
	tail.add("a")
	tail.add("b")
	if got, want := tail.last(5), []string{"a", "b"}; !slices.Equal(got, want) {
		t.Errorf("last(5) = %q, want %q", got, want)
	}
	for i := range 5 {
		tail.add(fmt.Sprint(i))
	}
	if got, want := tail.last(5), []string{"2", "3", "4"}; !slices.Equal(got, want) {
		t.Errorf("after wrap-around: last(5) = %q, want %q", got, want)
	}
	if got, want := tail.last(1), []string{"4"}; !slices.Equal(got, want) {
		t.Errorf("last(1) = %q, want %q", got, want)
	}
}

func TestRedactedError(t *testing.T) {
	inner := errors.New("inner")
	err := &redactedError{err: fmt.Errorf("env HF_TOKEN=hf_secret: %w", inner), r: redactor{secrets: []string{"hf_secret"}}}
	if strings.Contains(err.Error(), "hf_secret") {
		t.Errorf("Error() = %q contains the secret", err.Error())
	}
	if !strings.Contains(err.Error(), "HF_TOKEN="+redacted) {
		t.Errorf("Error() = %q, want the secret replaced by %s", err.Error(), redacted)
	}
	if !errors.Is(err, inner) {
		t.Error("errors.Is lost the wrapped error")
	}
}
