package scrape

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkExtractVLLM parses a vLLM-sized /metrics body: the five wanted
// families plus 40 histograms of 30 buckets each, about 1,300 lines.
func BenchmarkExtractVLLM(b *testing.B) {
	var body strings.Builder
	body.WriteString(vllmMetrics(5))
	for h := range 40 {
		fmt.Fprintf(&body, "# HELP vllm:histogram_%d A histogram.\n# TYPE vllm:histogram_%d histogram\n", h, h)
		for le := range 30 {
			fmt.Fprintf(&body, "vllm:histogram_%d_bucket{engine=\"0\",le=\"%d\",model_name=\"facebook/opt-125m\"} %d.0\n", h, le, le*3)
		}
	}
	text := body.String()
	sources := sourcesFor(FlavorVLLM)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()

	for b.Loop() {
		if _, err := extract(strings.NewReader(text), sources); err != nil {
			b.Fatal(err)
		}
	}
}
