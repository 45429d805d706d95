package metrics

import (
	"strings"
	"testing"
)

func TestLookupInstance(t *testing.T) {
	inst, err := LookupInstance("g5.xlarge")
	if err != nil {
		t.Fatal(err)
	}
	if inst.PricePerHourUSD != 1.006 || inst.GPU != "NVIDIA A10G" || inst.GPUs != 1 || inst.PriceDate == "" {
		t.Errorf("g5.xlarge = %+v", inst)
	}
	if _, err := LookupInstance("G5.XLARGE"); err != nil {
		t.Errorf("lookup is case sensitive: %v", err)
	}
}

func TestLookupInstanceUnknown(t *testing.T) {
	_, err := LookupInstance("p9.huge")
	if err == nil {
		t.Fatal("LookupInstance(p9.huge) succeeded")
	}
	for _, want := range []string{`"p9.huge"`, "g5.xlarge", "g2-standard-4", "--price-per-hour"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %s", err, want)
		}
	}
}

func TestInstancesValid(t *testing.T) {
	seen := map[string]bool{}
	for _, inst := range Instances() {
		if seen[inst.Name] {
			t.Errorf("instance %s listed twice", inst.Name)
		}
		seen[inst.Name] = true
		if inst.PricePerHourUSD <= 0 || inst.GPUs <= 0 || inst.GPU == "" || inst.Region == "" || len(inst.PriceDate) != 7 {
			t.Errorf("instance %+v has a missing field", inst)
		}
	}
}

func TestCostPer1MNilCases(t *testing.T) {
	tests := []struct {
		name            string
		price, duration float64
		tokens          int
	}{
		{"no price", 0, 10, 100},
		{"no window", 3.6, 0, 100},
		{"no tokens", 3.6, 10, 0},
		{"negative price", -1, 10, 100},
	}
	for _, tt := range tests {
		if got := costPer1M(tt.price, tt.duration, tt.tokens); got != nil {
			t.Errorf("%s: cost = %v, want nil", tt.name, *got)
		}
	}
}
