package loadgen

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"gonum.org/v1/gonum/stat"

	"github.com/llmbench/llmbench-action/pipeline/workload"
)

func openWorkload(rate float64, arrival string) workload.Workload {
	w, _ := workload.Builtin("small")
	w.RequestRate = rate
	w.Arrival = arrival
	w.Concurrency = 0
	return w
}

func TestScheduleTable(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name string
		w    workload.Workload
		n    int
		want []time.Duration
	}{
		{"inf sends all at zero", openWorkload(math.Inf(1), workload.ArrivalPoisson), 5, []time.Duration{0, 0, 0, 0, 0}},
		{"rate 10 constant", openWorkload(10, workload.ArrivalConstant), 5, []time.Duration{0, 100 * ms, 200 * ms, 300 * ms, 400 * ms}},
		{"rate 3 constant", openWorkload(3, workload.ArrivalConstant), 4, []time.Duration{0, 333333333, 666666666, time.Second}},
		{"rate 1000 constant", openWorkload(1000, workload.ArrivalConstant), 3, []time.Duration{0, ms, 2 * ms}},
		{"closed loop", openWorkload(0, workload.ArrivalConstant), 5, nil},
		{"no requests", openWorkload(10, workload.ArrivalConstant), 0, nil},
		{"tiny rate clamps", openWorkload(1e-300, workload.ArrivalConstant), 3,
			[]time.Duration{0, time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Schedule(tt.w, tt.n, rand.New(rand.NewPCG(1, 2)))
			if !slices.Equal(got, tt.want) {
				t.Errorf("Schedule = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestScheduleConstantNoDrift(t *testing.T) {
	w := openWorkload(7, workload.ArrivalConstant)
	offsets := Schedule(w, 70001, nil)
	if got, want := offsets[70000], 10000*time.Second; got != want {
		t.Errorf("offset of request 70000 at rate 7 = %v, want %v", got, want)
	}
}

// gaps returns the gaps between consecutive offsets in seconds.
func gaps(offsets []time.Duration) []float64 {
	out := make([]float64, 0, len(offsets)-1)
	for i := 1; i < len(offsets); i++ {
		out = append(out, (offsets[i] - offsets[i-1]).Seconds())
	}
	return out
}

func TestSchedulePoissonMeanAndSpread(t *testing.T) {
	w := openWorkload(50, workload.ArrivalPoisson)
	offsets := Schedule(w, 20001, rand.New(rand.NewPCG(7, 7)))
	if offsets[0] != 0 {
		t.Errorf("first offset = %v, want 0", offsets[0])
	}
	if !slices.IsSorted(offsets) {
		t.Fatal("offsets are not increasing")
	}

	mean, std := stat.MeanStdDev(gaps(offsets), nil)
	// Exponential gaps: mean 1/rate = 20 ms and coefficient of variation 1.
	// With 20,000 gaps the sample mean is within 3% at over 4 sigma.
	if math.Abs(mean-0.02)/0.02 > 0.03 {
		t.Errorf("mean gap = %v s, want 0.02 s within 3%%", mean)
	}
	if cv := std / mean; math.Abs(cv-1) > 0.05 {
		t.Errorf("coefficient of variation = %v, want 1 within 0.05", cv)
	}
}

func TestScheduleGammaBurstiness(t *testing.T) {
	for _, shape := range []float64{0.25, 4} {
		w := openWorkload(50, workload.ArrivalGamma)
		w.Burstiness = shape
		offsets := Schedule(w, 20001, rand.New(rand.NewPCG(9, 9)))

		mean, std := stat.MeanStdDev(gaps(offsets), nil)
		if math.Abs(mean-0.02)/0.02 > 0.05 {
			t.Errorf("shape %v: mean gap = %v s, want 0.02 s within 5%%", shape, mean)
		}
		// A gamma distribution with shape k has coefficient of variation 1/sqrt(k).
		wantCV := 1 / math.Sqrt(shape)
		if cv := std / mean; math.Abs(cv-wantCV)/wantCV > 0.08 {
			t.Errorf("shape %v: coefficient of variation = %v, want %v within 8%%", shape, cv, wantCV)
		}
	}
}

func TestScheduleSeedRepeats(t *testing.T) {
	w := openWorkload(5, workload.ArrivalPoisson)
	first := Schedule(w, 100, nil)
	second := Schedule(w, 100, nil)
	if !slices.Equal(first, second) {
		t.Error("the same seed gave different schedules")
	}
	w.Seed++
	if slices.Equal(first, Schedule(w, 100, nil)) {
		t.Error("another seed gave the same schedule")
	}
}
