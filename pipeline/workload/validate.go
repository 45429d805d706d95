package workload

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Limits that keep a mistyped workload from allocating or waiting without
// bound.
const (
	// MaxNumRequests is the largest accepted num_requests.
	MaxNumRequests = 1_000_000
	// MaxInputLen is the largest accepted input_len, in tokens.
	MaxInputLen = 1_000_000
	// MaxScheduleSeconds is the longest accepted open-loop schedule, in
	// seconds: (num_requests-1) / request_rate must not exceed it (24 h).
	MaxScheduleSeconds = 24 * 60 * 60
)

// FieldError is an invalid value of one workload field.
type FieldError struct {
	// Field is the JSON name of the field, e.g. "request_rate".
	Field string
	// Problem describes what is wrong and what to write instead.
	Problem string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("field %q: %s", e.Field, e.Problem)
}

// Validate checks every field and returns all problems found, each naming
// its field, or nil.
func (w Workload) Validate() error {
	problems := w.problems()
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("invalid workload %q: %w", w.Name, joinProblems(problems))
}

// joinProblems joins field errors into one error that errors.As can unwrap.
func joinProblems(problems []*FieldError) error {
	errs := make([]error, len(problems))
	for i, p := range problems {
		errs[i] = p
	}
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

// problems lists the invalid fields of w in field order.
func (w Workload) problems() []*FieldError {
	var out []*FieldError
	add := func(field, format string, args ...any) {
		out = append(out, &FieldError{Field: field, Problem: fmt.Sprintf(format, args...)})
	}

	if w.Name == "" {
		add("name", "must not be empty")
	}
	if w.NumRequests <= 0 || w.NumRequests > MaxNumRequests {
		add("num_requests", "must be between 1 and %d, got %d", MaxNumRequests, w.NumRequests)
	}
	switch {
	case w.MaxTokens < 0:
		add("max_tokens", "must be > 0, got %d", w.MaxTokens)
	case w.MaxTokens == 0 && !w.IsShareGPT():
		add("max_tokens", "must be > 0 (only a ShareGPT dataset may leave it out, to take each reply's length), got 0")
	}
	if w.Concurrency < 0 {
		add("concurrency", "must be >= 0 (0 means 1 user for closed loop, no cap for a request rate), got %d", w.Concurrency)
	}
	if math.IsNaN(w.RequestRate) || w.RequestRate < 0 {
		add("request_rate", `must be > 0 or "inf", got %v`, w.RequestRate)
	}
	if problem := w.scheduleProblem(); problem != "" {
		add("request_rate", "%s", problem)
	}

	if w.OpenLoop() && !w.Infinite() {
		switch w.Arrival {
		case ArrivalPoisson, ArrivalConstant:
		case ArrivalGamma:
			if !(w.Burstiness > 0) || math.IsInf(w.Burstiness, 0) {
				add("burstiness", "must be a finite number > 0 for gamma arrivals (1 is Poisson, lower is burstier), got %v", w.Burstiness)
			}
		default:
			add("arrival", "must be %q, %q or %q, got %q", ArrivalPoisson, ArrivalGamma, ArrivalConstant, w.Arrival)
		}
	}

	switch w.Dataset {
	case "":
		add("dataset", "must be %q, %q or the path of a ShareGPT JSON file", DatasetRandom, DatasetBuiltin)
	case DatasetRandom:
		if w.InputLen <= 0 || w.InputLen > MaxInputLen {
			add("input_len", "must be between 1 and %d tokens for random prompts, got %d", MaxInputLen, w.InputLen)
		}
		if w.Endpoint == EndpointChat {
			add("dataset", "random token-id prompts need the completions endpoint; set endpoint to %q or dataset to %q", EndpointCompletions, DatasetBuiltin)
		}
	}
	if w.Endpoint != EndpointCompletions && w.Endpoint != EndpointChat {
		add("endpoint", "must be %q or %q, got %q", EndpointCompletions, EndpointChat, w.Endpoint)
	}

	if math.IsNaN(w.Temperature) || math.IsInf(w.Temperature, 0) || w.Temperature < 0 {
		add("temperature", "must be a finite number >= 0, got %v", w.Temperature)
	}
	if w.WarmupRequests < 0 || w.WarmupRequests > MaxNumRequests {
		add("warmup_requests", "must be between 0 and %d, got %d", MaxNumRequests, w.WarmupRequests)
	}
	if w.Timeout <= 0 {
		add("timeout", `must be a positive duration such as "30s" or "2m", got %q`, w.Timeout.String())
	}
	return out
}

// IsShareGPT reports whether Dataset names a ShareGPT-format file.
func (w *Workload) IsShareGPT() bool {
	return w.Dataset != "" && w.Dataset != DatasetRandom && w.Dataset != DatasetBuiltin
}

// scheduleProblem returns why an open-loop schedule is too long, or "" when
// its span (num_requests-1) / request_rate is at most MaxScheduleSeconds.
func (w Workload) scheduleProblem() string {
	if !w.OpenLoop() || w.Infinite() || w.NumRequests <= 1 || w.NumRequests > MaxNumRequests {
		return ""
	}
	gaps := float64(w.NumRequests - 1)
	span := gaps / w.RequestRate
	if span <= MaxScheduleSeconds {
		return ""
	}
	return fmt.Sprintf("%s requests per second spreads %d requests over %s s, more than the limit of %d s (24 h); "+
		"set request_rate to at least %s, or \"inf\" to send all at once",
		FormatRate(w.RequestRate), w.NumRequests, strconv.FormatFloat(span, 'g', 3, 64),
		MaxScheduleSeconds, FormatRate(roundUp3(gaps/MaxScheduleSeconds)))
}

// roundUp3 rounds x > 0 up to 3 significant digits, so that the rate an
// error suggests is never below the minimum it stands for.
func roundUp3(x float64) float64 {
	unit := math.Pow(10, math.Floor(math.Log10(x))-2)
	rounded, _ := strconv.ParseFloat(strconv.FormatFloat(math.Ceil(x/unit)*unit, 'g', 3, 64), 64)
	if rounded < x {
		rounded += unit
	}
	return rounded
}
