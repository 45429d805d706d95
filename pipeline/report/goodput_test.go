package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
)

func TestGoodputSection(t *testing.T) {
	in := testInput()
	var cell *Cell
	for i := range in.Cells {
		c := &in.Cells[i]
		if c.Info.Framework == "vllm" && c.Info.Model == "facebook/opt-125m" && c.Info.Workload == "medium" {
			cell = c
		}
	}
	if cell == nil || cell.Summary.Goodput == nil || cell.Summary.RequestsOK == 0 {
		t.Fatal("testInput has no vllm/facebook/opt-125m/medium cell with goodput")
	}
	share := metShare(cell.Summary.GoodRequests, cell.Summary.RequestsOK)
	if cell.Summary.GoodRequests == 0 || cell.Summary.GoodRequests == cell.Summary.RequestsOK {
		t.Fatalf("share %s: want some requests that met the SLO and some that did not", share)
	}

	var out bytes.Buffer
	if err := Markdown(&out, in); err != nil {
		t.Fatal(err)
	}
	md := out.String()
	for _, want := range []string{
		"## Goodput",
		"| vllm | facebook/opt-125m | ttft ≤ 14 ms, tpot ≤ 10.5 ms | " + fixed(cell.Summary.Goodput, 2) + " | " + share + " |",
		"| sglang | microsoft/phi-2 | none | n/a | n/a |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	goodput := md[strings.Index(md, "## Goodput"):]
	if strings.Contains(goodput[:strings.Index(goodput, "\n## ")], "### small") {
		t.Errorf("goodput section lists workload small, whose cells have no SLO")
	}

	out.Reset()
	if err := Text(&out, in); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Goodput\n-------") || !strings.Contains(out.String(), "ttft ≤ 14 ms, tpot ≤ 10.5 ms") {
		t.Errorf("text report lacks the goodput section and its SLO:\n%s", out.String())
	}
}

func TestGoodputSectionWithoutSLO(t *testing.T) {
	in := testInput()
	for i := range in.Cells {
		c := &in.Cells[i]
		c.Info.Options.SLO = metrics.SLO{}
		c.Summary = metrics.Summarize(c.Info.Framework, c.Info.Model, c.Info.Workload, c.Records, c.Info.Options)
	}
	var out bytes.Buffer
	if err := Markdown(&out, in); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "Goodput") {
		t.Errorf("report.md has a goodput section although no cell has an SLO")
	}
}

func TestSLOText(t *testing.T) {
	tests := []struct {
		slo  metrics.SLO
		want string
	}{
		{metrics.SLO{TTFT: 200 * time.Millisecond}, "ttft ≤ 200 ms"},
		{metrics.SLO{TPOT: 1500 * time.Microsecond, E2E: 2 * time.Second}, "tpot ≤ 1.5 ms, e2e ≤ 2000 ms"},
		{metrics.SLO{TTFT: time.Millisecond, TPOT: time.Millisecond, E2E: time.Millisecond}, "ttft ≤ 1 ms, tpot ≤ 1 ms, e2e ≤ 1 ms"},
		{metrics.SLO{}, ""},
	}
	for _, tt := range tests {
		if got := sloText(tt.slo); got != tt.want {
			t.Errorf("sloText(%+v) = %q, want %q", tt.slo, got, tt.want)
		}
	}
}

func TestMetShare(t *testing.T) {
	if got, want := metShare(24, 45), "24/45 (53.3%)"; got != want {
		t.Errorf("metShare(24, 45) = %q, want %q", got, want)
	}
	if got := metShare(0, 0); got != notAvailable {
		t.Errorf("metShare(0, 0) = %q, want n/a", got)
	}
}

func TestRateColumn(t *testing.T) {
	in := testInput()
	var out bytes.Buffer
	if err := Markdown(&out, in); err != nil {
		t.Fatal(err)
	}
	md := out.String()
	if !strings.Contains(md, "| rate target/achieved (req/s) |") {
		t.Errorf("report.md of open-loop cells lacks the rate column")
	}
	c := &in.Cells[0]
	if c.Summary.AchievedRate == nil {
		t.Fatal("the first cell has no achieved rate")
	}
	want := "| " + c.Summary.TargetRate + " / " + fixed(c.Summary.AchievedRate, 2) + " |"
	if !strings.Contains(md, want) {
		t.Errorf("report.md lacks %q", want)
	}

	closed := Input{Cells: []Cell{overrideCell("vllm", 1, 10, 64)}}
	out.Reset()
	if err := Markdown(&out, closed); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "rate target/achieved") {
		t.Errorf("report.md of a closed-loop run has a rate column")
	}
}

func TestRatesText(t *testing.T) {
	tests := []struct {
		summary metrics.Summary
		want    string
	}{
		{metrics.Summary{TargetRate: "2", AchievedRate: ptr(1.874)}, "2 / 1.87"},
		{metrics.Summary{TargetRate: "inf"}, "inf / n/a"},
		{metrics.Summary{}, "closed loop"},
	}
	for _, tt := range tests {
		if got := rates(&tt.summary); got != tt.want {
			t.Errorf("rates(%q, %v) = %q, want %q", tt.summary.TargetRate, tt.summary.AchievedRate, got, tt.want)
		}
	}
}
