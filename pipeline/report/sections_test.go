package report

import (
	"bytes"
	"strings"
	"testing"
)

func TestLatencyOriginStated(t *testing.T) {
	in := testInput()
	for _, format := range []Format{FormatMarkdown, FormatText} {
		var out bytes.Buffer
		if err := Write(&out, format, in); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			"TTFT and E2E are measured from each request's scheduled send time, so client-side queueing",
			"send_delay_ms in requests.parquet is the part spent before the request was written",
			"E2E is the arrival of the last token, not the end of the stream.",
		} {
			if !strings.Contains(stripMarkdown(out.String()), want) {
				t.Errorf("%s report lacks %q", format, want)
			}
		}
	}
}

func TestChartsSection(t *testing.T) {
	in := testInput()
	in.Charts = []string{"charts/ttft.png", "charts/e2e (p99).svg", "charts/data.csv"}
	var out bytes.Buffer
	if err := Markdown(&out, in); err != nil {
		t.Fatal(err)
	}
	md := out.String()
	for _, want := range []string{
		"## Charts\n\n![ttft](charts/ttft.png)\n",
		"![e2e (p99)](charts/e2e%20%28p99%29.svg)",
		"\n[data](charts/data.csv)\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}

	out.Reset()
	if err := Text(&out, in); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "  e2e (p99): charts/e2e (p99).svg\n") {
		t.Errorf("text report does not list the chart path:\n%s", out.String())
	}
}

func TestChartsSectionLeftOutWithoutCharts(t *testing.T) {
	in := testInput()
	in.Charts = nil
	var out bytes.Buffer
	if err := Markdown(&out, in); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "## Charts") {
		t.Errorf("report.md has a Charts section without charts")
	}
}

func TestChartPathErrors(t *testing.T) {
	tests := []struct {
		path string
		want string
	}{
		{"/tmp/out/charts/ttft.png", "report input: chart path /tmp/out/charts/ttft.png is absolute; give it relative to the results directory, e.g. charts/ttft.png"},
		{" ", "report input: empty chart path; list chart files relative to the results directory, e.g. charts/ttft.png"},
	}
	for _, tt := range tests {
		in := testInput()
		in.Charts = []string{tt.path}
		for _, format := range []Format{FormatMarkdown, FormatText} {
			err := Write(&bytes.Buffer{}, format, in)
			if err == nil || err.Error() != tt.want {
				t.Errorf("%s with chart %q: error %v, want %s", format, tt.path, err, tt.want)
			}
		}
	}
}
