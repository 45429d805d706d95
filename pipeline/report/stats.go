package report

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// maxExactSamples is the largest combined sample size for which the exact
// distribution of U is computed. Larger samples use the normal
// approximation, which is accurate at that size.
const maxExactSamples = 200

// mannWhitney is the outcome of a two-sided Mann-Whitney U test.
type mannWhitney struct {
	U      float64 // U statistic of the first sample
	P      float64 // two-sided p-value
	N1, N2 int
	// Exact is true when P comes from the exact distribution of U (no ties
	// and at most maxExactSamples samples), false for the normal
	// approximation with tie and continuity corrections.
	Exact bool
}

// mannWhitneyU tests whether x and y come from the same distribution. It
// returns false when either sample is empty.
func mannWhitneyU(x, y []float64) (mannWhitney, bool) {
	n1, n2 := len(x), len(y)
	if n1 == 0 || n2 == 0 {
		return mannWhitney{}, false
	}

	type sample struct {
		value float64
		first bool
	}
	all := make([]sample, 0, n1+n2)
	for _, v := range x {
		all = append(all, sample{v, true})
	}
	for _, v := range y {
		all = append(all, sample{v, false})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].value < all[j].value })

	// Rank with ties sharing their average rank; tieTerm sums t^3 - t over
	// groups of t equal values.
	var rankSum1, tieTerm float64
	ties := false
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].value == all[i].value {
			j++
		}
		rank := float64(i+j+1) / 2
		for k := i; k < j; k++ {
			if all[k].first {
				rankSum1 += rank
			}
		}
		if t := float64(j - i); t > 1 {
			ties = true
			tieTerm += t*t*t - t
		}
		i = j
	}
	u := rankSum1 - float64(n1*(n1+1))/2
	result := mannWhitney{U: u, N1: n1, N2: n2}

	if !ties && n1+n2 <= maxExactSamples {
		result.P = exactUPValue(n1, n2, u)
		result.Exact = true
		return result, true
	}

	n := float64(n1 + n2)
	mean := float64(n1*n2) / 2
	variance := float64(n1*n2) / 12 * ((n + 1) - tieTerm/(n*(n-1)))
	if variance <= 0 {
		result.P = 1
		return result, true
	}
	z := (math.Abs(u-mean) - 0.5) / math.Sqrt(variance)
	if z < 0 {
		z = 0
	}
	result.P = math.Min(1, 2*(1-distuv.UnitNormal.CDF(z)))
	return result, true
}

// exactUPValue returns the two-sided p-value of U = u for samples of n1 and
// n2 values without ties. The counts of U come from the generating function
// prod_{i=1..n1} (1 - q^(n2+i)) / (1 - q^i).
func exactUPValue(n1, n2 int, u float64) float64 {
	size := n1*n2 + 1
	counts := make([]float64, size)
	counts[0] = 1
	for i := 1; i <= n1; i++ {
		// Multiply by (1 - q^(n2+i)), then divide by (1 - q^i).
		for k := size - 1; k >= n2+i; k-- {
			counts[k] -= counts[k-n2-i]
		}
		for k := i; k < size; k++ {
			counts[k] += counts[k-i]
		}
	}
	var total, below, above float64
	for k, c := range counts {
		total += c
		if float64(k) <= u {
			below += c
		}
		if float64(k) >= u {
			above += c
		}
	}
	return math.Min(1, 2*math.Min(below, above)/total)
}
