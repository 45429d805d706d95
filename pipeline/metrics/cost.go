package metrics

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Instance is a cloud GPU instance with its on-demand list price.
type Instance struct {
	// Name is the provider's instance type, e.g. "g5.xlarge".
	Name string
	// GPU is the accelerator model, e.g. "NVIDIA A10G".
	GPU string
	// GPUs is the number of GPUs in the instance.
	GPUs int
	// PricePerHourUSD is the on-demand Linux list price per hour in US dollars.
	PricePerHourUSD float64
	// Region is the provider region the price is for.
	Region string
	// PriceDate is the month (YYYY-MM) at which the price was the list price.
	PriceDate string
}

// instances are on-demand Linux list prices as published by each provider
// at PriceDate. They are list prices, not what an account pays after
// discounts, spot or committed-use pricing, and providers change them: pass
// the real price with --price-per-hour when it matters.
// NOTE: 8-GPU instances (AWS p4d.24xlarge, p5.48xlarge) are left out because
// AWS cut their on-demand prices in 2025 and the new list prices were not
// checked here.
var instances = []Instance{
	{Name: "g4dn.xlarge", GPU: "NVIDIA T4", GPUs: 1, PricePerHourUSD: 0.526, Region: "aws us-east-1", PriceDate: "2025-01"},
	{Name: "g5.xlarge", GPU: "NVIDIA A10G", GPUs: 1, PricePerHourUSD: 1.006, Region: "aws us-east-1", PriceDate: "2025-01"},
	{Name: "g5.2xlarge", GPU: "NVIDIA A10G", GPUs: 1, PricePerHourUSD: 1.212, Region: "aws us-east-1", PriceDate: "2025-01"},
	{Name: "g6.xlarge", GPU: "NVIDIA L4", GPUs: 1, PricePerHourUSD: 0.8048, Region: "aws us-east-1", PriceDate: "2025-01"},
	{Name: "g2-standard-4", GPU: "NVIDIA L4", GPUs: 1, PricePerHourUSD: 0.70683, Region: "gcp us-central1", PriceDate: "2025-01"},
	{Name: "a2-highgpu-1g", GPU: "NVIDIA A100 40GB", GPUs: 1, PricePerHourUSD: 3.673477, Region: "gcp us-central1", PriceDate: "2025-01"},
	{Name: "Standard_NC24ads_A100_v4", GPU: "NVIDIA A100 80GB", GPUs: 1, PricePerHourUSD: 3.673, Region: "azure eastus", PriceDate: "2025-01"},
}

// Instances returns the built-in instance table, sorted by name.
func Instances() []Instance {
	out := slices.Clone(instances)
	slices.SortFunc(out, func(a, b Instance) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// LookupInstance returns the built-in instance of that name (case
// insensitive).
func LookupInstance(name string) (Instance, error) {
	for _, inst := range instances {
		if strings.EqualFold(inst.Name, name) {
			return inst, nil
		}
	}
	names := make([]string, 0, len(instances))
	for _, inst := range Instances() {
		names = append(names, inst.Name)
	}
	return Instance{}, fmt.Errorf("unknown instance type %q: the built-in price table has %s; set the price with --price-per-hour instead",
		name, strings.Join(names, ", "))
}

// costPer1M returns the cost in USD of 1M tokens at pricePerHour for tokens
// produced in durationS seconds: price × hours ÷ tokens × 10⁶. It is nil
// when the price is unknown (not a finite number > 0) or when there is no
// window or no token.
func costPer1M(pricePerHour, durationS float64, tokens int) *float64 {
	if !(pricePerHour > 0) || math.IsInf(pricePerHour, 0) || !(durationS > 0) || tokens <= 0 {
		return nil
	}
	cost := pricePerHour * (durationS / 3600) / float64(tokens) * 1e6
	if math.IsInf(cost, 0) || math.IsNaN(cost) {
		return nil
	}
	return &cost
}
