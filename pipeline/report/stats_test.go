package report

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestMannWhitneyExact(t *testing.T) {
	tests := []struct {
		name  string
		x, y  []float64
		wantU float64
		wantP float64
	}{
		// Complete separation of 5 and 5: P(U=0) = 1/C(10,5) = 1/252.
		{"separated", []float64{1, 2, 3, 4, 5}, []float64{6, 7, 8, 9, 10}, 0, 2.0 / 252},
		{"separated reversed", []float64{6, 7, 8, 9, 10}, []float64{1, 2, 3, 4, 5}, 25, 2.0 / 252},
		// One sample of each: U is 0 or 1 with probability 1/2 each.
		{"one each", []float64{1}, []float64{2}, 0, 1},
		// 3 and 4 interleaved: U=6 is the centre, p = 1.
		{"interleaved", []float64{1, 4, 7}, []float64{2, 3, 5, 6}, 6, 1},
	}
	for _, tt := range tests {
		got, ok := mannWhitneyU(tt.x, tt.y)
		if !ok {
			t.Fatalf("%s: no result", tt.name)
		}
		if !got.Exact {
			t.Errorf("%s: Exact = false, want the exact distribution", tt.name)
		}
		if got.U != tt.wantU {
			t.Errorf("%s: U = %v, want %v", tt.name, got.U, tt.wantU)
		}
		if math.Abs(got.P-tt.wantP) > 1e-12 {
			t.Errorf("%s: p = %v, want %v", tt.name, got.P, tt.wantP)
		}
	}
}

func TestMannWhitneyExactMatchesNormalForLargeSamples(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 60)
	y := make([]float64, 60)
	for i := range x {
		x[i] = rng.NormFloat64()
		y[i] = rng.NormFloat64() + 0.4
	}
	exact, _ := mannWhitneyU(x, y)
	if !exact.Exact {
		t.Fatal("want the exact distribution for 60+60 samples without ties")
	}
	// The same samples with one tie use the normal approximation.
	y[0] = x[0]
	approx, _ := mannWhitneyU(x, y)
	if approx.Exact {
		t.Fatal("want the normal approximation with ties")
	}
	if math.Abs(exact.P-approx.P) > 0.01 {
		t.Errorf("exact p = %v and approximate p = %v differ by more than 0.01", exact.P, approx.P)
	}
}

func TestMannWhitneyEdgeCases(t *testing.T) {
	if _, ok := mannWhitneyU(nil, []float64{1}); ok {
		t.Error("an empty sample gave a result")
	}
	same, ok := mannWhitneyU([]float64{3, 3, 3}, []float64{3, 3})
	if !ok || same.P != 1 {
		t.Errorf("identical values: p = %v (ok %v), want 1", same.P, ok)
	}
}
