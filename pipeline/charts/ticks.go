package charts

import (
	"math"

	"gonum.org/v1/plot"
)

// niceTicks places about five major ticks at multiples of 1, 2 or 5 times a
// power of ten, labelled with formatValue.
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil
	}
	step := niceStep((hi - lo) / 5)
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9; v += step {
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: formatValue(v)})
	}
	return ticks
}

// niceStep returns the smallest of 1, 2 or 5 times a power of ten that is
// at least raw.
func niceStep(raw float64) float64 {
	if !(raw > 0) {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			return m * mag
		}
	}
	return 10 * mag
}

// paramTicks labels decades of a log parameter axis (100M, 1B, 10B) with
// unlabelled minor ticks between them. A range that holds fewer than two
// decades also labels the 2 and 5 multiples.
type paramTicks struct{}

func (paramTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi > lo) || math.IsInf(hi, 0) {
		return nil
	}
	var ticks []plot.Tick
	labelled := 0
	for d := math.Pow(10, math.Floor(math.Log10(lo))); d <= hi; d *= 10 {
		for m := 1.0; m < 10; m++ {
			if v := d * m; v >= lo && v <= hi {
				ticks = append(ticks, plot.Tick{Value: v})
				if m == 1 {
					labelled++
				}
			}
		}
	}
	for i := range ticks {
		m := ticks[i].Value / math.Pow(10, math.Floor(math.Log10(ticks[i].Value)+1e-9))
		m = math.Round(m)
		if m == 1 || labelled < 2 && (m == 2 || m == 5) {
			ticks[i].Label = formatParams(ticks[i].Value)
		}
	}
	return ticks
}
