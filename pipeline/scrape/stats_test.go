package scrape

import (
	"maps"
	"testing"
	"time"
)

func TestPeaks(t *testing.T) {
	samples := []Sample{
		{At: 0, Values: map[string]float64{RunningRequests: 1, KVCacheUsage: 0.1, GenerationTokensTotal: 10}},
		{At: time.Second, Values: map[string]float64{RunningRequests: 8, KVCacheUsage: 0.6, GenerationTokensTotal: 90}},
		{At: 2 * time.Second, Values: map[string]float64{RunningRequests: 3, WaitingRequests: 2, GenerationTokensTotal: 150}},
	}

	got := Peaks(samples)

	want := map[string]float64{RunningRequests: 8, KVCacheUsage: 0.6, WaitingRequests: 2, GenerationTokensTotal: 150}
	if !maps.Equal(got, want) {
		t.Errorf("Peaks = %v, want %v", got, want)
	}
}

func TestPeaksEmpty(t *testing.T) {
	if got := Peaks(nil); len(got) != 0 {
		t.Errorf("Peaks(nil) = %v, want empty", got)
	}
}

func TestPeaksNegativeGauge(t *testing.T) {
	samples := []Sample{{Values: map[string]float64{WaitingRequests: -2}}, {Values: map[string]float64{WaitingRequests: -5}}}
	if got := Peaks(samples)[WaitingRequests]; got != -2 {
		t.Errorf("peak of negative values = %v, want -2", got)
	}
}

func TestIncrease(t *testing.T) {
	samples := []Sample{
		{Values: map[string]float64{PromptTokensTotal: 1000, GenerationTokensTotal: 50}},
		{Values: map[string]float64{PromptTokensTotal: 1400}},
		{Values: map[string]float64{PromptTokensTotal: 1900, GenerationTokensTotal: 80}},
	}

	got := Increase(samples)

	want := map[string]float64{PromptTokensTotal: 900, GenerationTokensTotal: 30}
	if !maps.Equal(got, want) {
		t.Errorf("Increase = %v, want %v", got, want)
	}
}

func TestIncreaseAcrossReset(t *testing.T) {
	samples := []Sample{
		{Values: map[string]float64{GenerationTokensTotal: 500}},
		{Values: map[string]float64{GenerationTokensTotal: 700}},
		{Values: map[string]float64{GenerationTokensTotal: 40}}, // restarted
		{Values: map[string]float64{GenerationTokensTotal: 100}},
	}

	got := Increase(samples)[GenerationTokensTotal]

	if want := 200.0 + 40 + 60; got != want {
		t.Errorf("Increase across reset = %v, want %v", got, want)
	}
}

func TestIncreaseNeedsTwoSamples(t *testing.T) {
	samples := []Sample{{Values: map[string]float64{PromptTokensTotal: 10, RunningRequests: 3}}}
	if got := Increase(samples); len(got) != 0 {
		t.Errorf("Increase of one sample = %v, want empty", got)
	}
}
