package matrix

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// paramSuffixes are the multipliers of parameter-count suffixes, matched
// without regard to case.
var paramSuffixes = map[string]float64{"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}

// ParseParams reads a parameter count: a plain number ("125000000",
// "1.5e9") or a number with a suffix K, M, B or T in either case ("125M",
// "1.5B", "7b").
func ParseParams(s string) (float64, error) {
	text := strings.TrimSpace(s)
	multiplier := 1.0
	if len(text) > 0 {
		if m, ok := paramSuffixes[strings.ToUpper(text[len(text)-1:])]; ok {
			multiplier = m
			text = text[:len(text)-1]
		}
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) || n <= 0 {
		return 0, fmt.Errorf("invalid parameter count %q: use a number > 0, or one with a suffix K, M, B or T such as 125M or 1.5B", s)
	}
	return n * multiplier, nil
}

// FormatParams writes a parameter count the way model cards do: 125M, 1.5B,
// 2.7B. It returns "" for 0 (unknown).
func FormatParams(params float64) string {
	if params <= 0 {
		return ""
	}
	for _, unit := range []struct {
		suffix string
		value  float64
	}{{"T", 1e12}, {"B", 1e9}, {"M", 1e6}, {"K", 1e3}} {
		if params >= unit.value {
			return strconv.FormatFloat(roundTo(params/unit.value, 3), 'f', -1, 64) + unit.suffix
		}
	}
	return strconv.FormatFloat(params, 'f', -1, 64)
}

// roundTo rounds x to the given number of significant digits.
func roundTo(x float64, digits int) float64 {
	if x == 0 {
		return 0
	}
	scale := math.Pow(10, float64(digits)-math.Ceil(math.Log10(math.Abs(x))))
	return math.Round(x*scale) / scale
}
