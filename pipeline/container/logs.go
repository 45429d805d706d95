package container

import (
	"bytes"
	"strings"
	"sync"
)

// tailLines is the number of container log lines kept for errors and
// LastLogs.
const tailLines = 50

// maxLineBytes bounds one log line; longer lines are cut.
const maxLineBytes = 4096

const redacted = "[REDACTED]"

// redactor replaces secret values in text.
type redactor struct {
	secrets []string
}

func (r redactor) redact(s string) string {
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, redacted)
	}
	return s
}

func (r redactor) redactAll(lines []string) []string {
	out := make([]string, len(lines))
	for i, line := range lines {
		out[i] = r.redact(line)
	}
	return out
}

// redactedError hides secrets in an error's message but keeps the chain for
// errors.Is and errors.As.
type redactedError struct {
	err error
	r   redactor
}

func (e *redactedError) Error() string { return e.r.redact(e.err.Error()) }
func (e *redactedError) Unwrap() error { return e.err }

// logTail keeps the last lines of a container's output.
type logTail struct {
	mu    sync.Mutex
	lines []string
	next  int
	full  bool
}

func newLogTail(n int) *logTail {
	return &logTail{lines: make([]string, n)}
}

func (t *logTail) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines[t.next] = line
	t.next = (t.next + 1) % len(t.lines)
	if t.next == 0 {
		t.full = true
	}
}

// last returns up to n of the most recent lines, oldest first.
func (t *logTail) last(n int) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	size := t.next
	if t.full {
		size = len(t.lines)
	}
	n = min(max(n, 0), size)
	out := make([]string, 0, n)
	for i := n; i > 0; i-- {
		idx := (t.next - i + len(t.lines)) % len(t.lines)
		out = append(out, t.lines[idx])
	}
	return out
}

// lineWriter is an io.Writer that cuts its input into lines at \n or \r
// (progress bars redraw with \r) and passes each non-empty line to emit.
// It is not safe for concurrent use.
type lineWriter struct {
	buf  []byte
	emit func(line string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexAny(p, "\r\n")
		if i < 0 {
			w.buf = append(w.buf, p...)
			if len(w.buf) > maxLineBytes {
				w.flush()
			}
			break
		}
		w.buf = append(w.buf, p[:i]...)
		w.flush()
		p = p[i+1:]
	}
	return n, nil
}

// flush emits the buffered partial line, if any.
func (w *lineWriter) flush() {
	if len(w.buf) > maxLineBytes {
		w.buf = append(w.buf[:maxLineBytes], "..."...)
	}
	line := strings.TrimRight(string(w.buf), " \t")
	w.buf = w.buf[:0]
	if line != "" {
		w.emit(line)
	}
}

// formatLastLines renders lines for an error message, one indented line each.
func formatLastLines(lines []string) string {
	if len(lines) == 0 {
		return "\n  (the container wrote no output)"
	}
	var b strings.Builder
	b.WriteString("\n  last log lines:")
	for _, line := range lines {
		b.WriteString("\n    ")
		b.WriteString(line)
	}
	return b.String()
}

// logsError is an error followed by the container's last log lines.
type logsError struct {
	err   error
	lines []string
}

func withLastLogs(err error, lines []string) error {
	return &logsError{err: err, lines: lines}
}

func (e *logsError) Error() string { return e.err.Error() + formatLastLines(e.lines) }
func (e *logsError) Unwrap() error { return e.err }
