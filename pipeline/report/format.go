package report

import (
	"fmt"
	"math"
	"strconv"
)

// notAvailable is shown for a null value.
const notAvailable = "n/a"

// fixed formats *v with the given number of decimals, or "n/a" when nil or
// not finite.
func fixed(v *float64, decimals int) string {
	if v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) {
		return notAvailable
	}
	return strconv.FormatFloat(*v, 'f', decimals, 64)
}

// ms formats milliseconds with two decimals.
func ms(v *float64) string { return fixed(v, 2) }

// usd formats a price in US dollars with four decimals.
func usd(v *float64) string {
	if s := fixed(v, 4); s != notAvailable {
		return "$" + s
	}
	return notAvailable
}

// params formats a parameter count as 125M or 1.5B; "n/a" when unknown.
func params(n float64, known bool) string {
	switch {
	case !known || n <= 0:
		return notAvailable
	case n >= 1e9:
		return strconv.FormatFloat(n/1e9, 'f', -1, 64) + "B"
	case n >= 1e6:
		return strconv.FormatFloat(n/1e6, 'f', -1, 64) + "M"
	}
	return strconv.FormatFloat(n, 'f', -1, 64)
}

// ratio formats b/a as "1.23x", or "n/a" when either is unknown or a is 0.
func ratio(a, b *float64) (string, float64, bool) {
	if a == nil || b == nil || *a == 0 || math.IsNaN(*a) || math.IsNaN(*b) {
		return notAvailable, 0, false
	}
	r := *b / *a
	return fmt.Sprintf("%.2fx", r), r, true
}

// pValue formats a p-value with three decimals, or "<0.001".
func pValue(p float64) string {
	if p < 0.001 {
		return "p<0.001"
	}
	return fmt.Sprintf("p=%.3f", p)
}

func ptr(v float64) *float64 { return &v }
