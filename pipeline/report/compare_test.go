package report

import (
	"bytes"
	"strings"
	"testing"
)

// cellPair returns copies of the vllm and sglang cells of a model and
// workload of testInput.
func cellPair(t *testing.T, model, workload string) (base, other *Cell) {
	t.Helper()
	in := testInput()
	for i := range in.Cells {
		c := in.Cells[i]
		if c.Info.Model != model || c.Info.Workload != workload {
			continue
		}
		if c.Info.Framework == "vllm" {
			base = &c
		} else {
			other = &c
		}
	}
	if base == nil || other == nil {
		t.Fatalf("testInput has no vllm and sglang cells of %s, %s", model, workload)
	}
	return base, other
}

// betterColumn returns the "better" entry of each metric of a comparison.
func betterColumn(t table) map[string]string {
	better := map[string]string{}
	for _, row := range t.rows {
		better[row[0]] = row[4]
	}
	return better
}

func TestComparisonTinyDifferenceHasNoWinner(t *testing.T) {
	base, other := cellPair(t, "facebook/opt-125m", "medium")
	base.Summary.OutputTokenThroughput, other.Summary.OutputTokenThroughput = ptr(1341.7), ptr(1341.9)
	base.Summary.RequestThroughput, other.Summary.RequestThroughput = ptr(10), ptr(9.6)
	base.Summary.ITL.P50, other.Summary.ITL.P50 = ptr(2.44), ptr(2.44)

	better := betterColumn(compareCells(base, other, DefaultAlpha))
	for metric, want := range map[string]string{"output tok/s": "~", "req/s": "~", "ITL p50 (ms)": "~"} {
		if better[metric] != want {
			t.Errorf("%s: better = %q, want %q", metric, better[metric], want)
		}
	}
}

func TestComparisonLargeDifferenceHasWinner(t *testing.T) {
	base, other := cellPair(t, "facebook/opt-125m", "medium")
	base.Summary.OutputTokenThroughput, other.Summary.OutputTokenThroughput = ptr(1000), ptr(1060)
	base.Summary.RequestThroughput, other.Summary.RequestThroughput = ptr(10), ptr(9)
	base.Summary.ITL.P50, other.Summary.ITL.P50 = ptr(2.44), ptr(2.70)

	better := betterColumn(compareCells(base, other, DefaultAlpha))
	for metric, want := range map[string]string{"output tok/s": "sglang", "req/s": "vllm", "ITL p50 (ms)": "vllm"} {
		if better[metric] != want {
			t.Errorf("%s: better = %q, want %q", metric, better[metric], want)
		}
	}
}

func TestComparisonEqualValuesHaveNoWinner(t *testing.T) {
	base, other := cellPair(t, "facebook/opt-125m", "medium")
	other.Summary.OutputTokenThroughput = base.Summary.OutputTokenThroughput

	better := betterColumn(compareCells(base, other, DefaultAlpha))
	if better["output tok/s"] != "~" {
		t.Errorf("equal output tok/s: better = %q, want ~", better["output tok/s"])
	}
}

func TestComparisonLegendUnderEachTable(t *testing.T) {
	var out bytes.Buffer
	if err := Markdown(&out, testInput()); err != nil {
		t.Fatal(err)
	}
	md := out.String()
	legend := "`~` in better: no difference. For a metric with a test, p >= 0.05; " +
		"for one without (output tok/s, req/s, ITL), the ratio is within 5% of 1."
	tables := strings.Count(md, "### sglang vs vllm:")
	if got := strings.Count(md, legend); got != tables || tables == 0 {
		t.Errorf("legend appears %d times for %d comparison tables", got, tables)
	}

	out.Reset()
	if err := Text(&out, testInput()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "~ in better: no difference.") {
		t.Errorf("text report lacks the legend of ~")
	}
}
