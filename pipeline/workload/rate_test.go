package workload

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

// TestLoadRejectsScheduleLongerThanADay: a rate so low that the schedule
// would wait for ever is rejected with the field, the value and the fix.
func TestLoadRejectsScheduleLongerThanADay(t *testing.T) {
	path := writeFile(t, "w.json", `{"num_requests": 10, "max_tokens": 16, "request_rate": 1e-300}`)
	_, err := Load(path)
	want := `field "request_rate": 1e-300 requests per second spreads 10 requests over 9e+300 s, more than the limit of 86400 s (24 h); set request_rate to at least 0.000105, or "inf" to send all at once`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Load = %v,\nwant an error containing %s", err, want)
	}
	var fieldErr *FieldError
	if !errors.As(err, &fieldErr) || fieldErr.Field != "request_rate" {
		t.Errorf("error %v does not unwrap to a request_rate FieldError", err)
	}
}

func TestValidateScheduleSpan(t *testing.T) {
	base, err := Builtin("small") // 10 requests
	if err != nil {
		t.Fatal(err)
	}
	limit := 9.0 / MaxScheduleSeconds
	for _, tc := range []struct {
		name   string
		n      int
		rate   float64
		accept bool
	}{
		{"exactly 24 h", 10, limit, true},
		{"just over 24 h", 10, limit * (1 - 1e-9), false},
		{"suggested minimum", 10, 0.000105, true},
		{"one request at any rate", 1, 1e-300, true},
		{"smallest float", 2, math.SmallestNonzeroFloat64, false},
		{"inf", 10, math.Inf(1), true},
		{"closed loop", 10, 0, true},
		{"a day and a bit at 1/s", 86402, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := base
			w.NumRequests, w.RequestRate = tc.n, tc.rate
			err := w.Validate()
			if tc.accept && err != nil {
				t.Errorf("Validate = %v, want nil", err)
			}
			if !tc.accept && (err == nil || !strings.Contains(err.Error(), `field "request_rate"`) || !strings.Contains(err.Error(), "set request_rate to at least")) {
				t.Errorf("Validate = %v, want a request_rate error with the fix", err)
			}
		})
	}
}

func TestRoundUp3NeverBelow(t *testing.T) {
	for _, x := range []float64{9.0 / 86400, 1.0 / 86400, 999_999.0 / 86400, 1e-300, 0.1, 0.12345, 99.95, 1} {
		got := roundUp3(x)
		if got < x || got > x*1.011 {
			t.Errorf("roundUp3(%v) = %v, want the smallest 3-digit number >= it", x, got)
		}
		if s := FormatRate(got); len(s) > 12 {
			t.Errorf("FormatRate(roundUp3(%v)) = %q, want at most 3 significant digits", x, s)
		}
	}
}

// TestRatesWrittenShort: very small and very large rates are written with
// an exponent, never as hundreds of digits, and read back exactly.
func TestRatesWrittenShort(t *testing.T) {
	for rate, want := range map[float64]string{
		1e-300: "1e-300", 0.00001: "1e-05", 0.0001: "0.0001", 2.5: "2.5", 1e6: "1e+06", 1e300: "1e+300",
	} {
		got := FormatRate(rate)
		if got != want {
			t.Errorf("FormatRate(%v) = %q, want %q", rate, got, want)
		}
		if back, err := ParseRate(got); err != nil || back != rate {
			t.Errorf("ParseRate(%q) = %v, %v, want %v", got, back, err, rate)
		}

		w := Workload{Name: "w", NumRequests: 1, MaxTokens: 1, RequestRate: rate, Dataset: DatasetBuiltin, Endpoint: EndpointChat, Timeout: 1}
		data, err := json.Marshal(w)
		if err != nil {
			t.Fatalf("Marshal rate %v: %v", rate, err)
		}
		if !strings.Contains(string(data), `"request_rate":`+want+`,`) {
			t.Errorf("Marshal = %s, want request_rate %s", data, want)
		}
	}
}
