package sim

import (
	"log/slog"
	"sync"
	"time"
)

// faultLogInterval is the minimum time between two log lines for the same
// fault kind. Faults injected in between are counted, and the next line and
// the totals at shutdown report them, so a long run at a high rate logs at
// most one line per second per kind.
const faultLogInterval = time.Second

// faultLog logs injected faults at INFO, one line per fault kind per
// faultLogInterval, and counts every fault.
type faultLog struct {
	logger *slog.Logger
	// now returns the current time; tests replace it.
	now func() time.Time

	mu    sync.Mutex
	kinds [faultDisconnect + 1]faultCount
}

// faultCount is the log state of one fault kind.
type faultCount struct {
	total    int64
	unlogged int64 // injected since the last line and not logged
	lastLine time.Time
}

func newFaultLog(logger *slog.Logger) *faultLog {
	return &faultLog{logger: logger, now: time.Now}
}

// injected records a fault injected into the request with id requestID.
// atToken is the index of the token the fault replaced; it is ignored for
// HTTP errors, which happen before the first token.
func (l *faultLog) injected(kind fault, requestID, path string, atToken int) {
	if kind <= faultNone || int(kind) >= len(l.kinds) {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()

	c := &l.kinds[kind]
	c.total++
	now := l.now()
	if !c.lastLine.IsZero() && now.Sub(c.lastLine) < faultLogInterval {
		c.unlogged++
		return
	}
	attrs := []any{"fault", kind.String(), "request_id", requestID, "path", path}
	if kind != faultHTTPError {
		attrs = append(attrs, "at_token", atToken)
	}
	attrs = append(attrs, "total", c.total)
	if c.unlogged > 0 {
		attrs = append(attrs, "not_logged_since_last_line", c.unlogged)
	}
	l.logger.Info("injected fault", attrs...)
	c.lastLine = now
	c.unlogged = 0
}

// logTotals logs the number of faults of each kind injected so far, or
// nothing when there were none.
func (l *faultLog) logTotals() {
	l.mu.Lock()
	defer l.mu.Unlock()

	var attrs []any
	for kind := faultHTTPError; kind <= faultDisconnect; kind++ {
		if n := l.kinds[kind].total; n > 0 {
			attrs = append(attrs, kind.String(), n)
		}
	}
	if len(attrs) > 0 {
		l.logger.Info("injected faults in total", attrs...)
	}
}

// logFaultRates logs the configured fault rates when any is set, so that the
// log of a run shows why requests failed.
func logFaultRates(logger *slog.Logger, s SimConfig) {
	if s.ErrorRate == 0 && s.InBandErrorRate == 0 && s.StallRate == 0 && s.DisconnectRate == 0 {
		return
	}
	logger.Info("injecting faults",
		"error_rate", s.ErrorRate,
		"inband_error_rate", s.InBandErrorRate,
		"stall_rate", s.StallRate,
		"disconnect_rate", s.DisconnectRate,
		"seed", s.Seed)
}
