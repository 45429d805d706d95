package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
)

// tokenSourceInput returns testInput with the first cell's successful
// measured requests changed: the first 3 without the server's
// prompt_tokens, the next 2 without any output token count.
func tokenSourceInput(t *testing.T) Input {
	t.Helper()
	in := testInput()
	c := &in.Cells[0]
	clientCounts, unknown := 0, 0
	for i := range c.Records {
		r := &c.Records[i]
		if r.Warmup || !r.OK {
			continue
		}
		switch {
		case clientCounts < 3:
			r.InputTokensKnown, r.InputTokens = false, 0
			clientCounts++
		case unknown < 2:
			r.OutputTokensKnown, r.OutputTokens = false, 0
			unknown++
		}
	}
	c.Summary = metrics.Summarize(c.Info.Framework, c.Info.Model, c.Info.Workload, c.Records, c.Info.Options)
	if c.Summary.InputTokensFromClient != 3 || c.Summary.OutputTokensUnknown != 2 {
		t.Fatalf("summary counts %d client input counts and %d unknown outputs, want 3 and 2",
			c.Summary.InputTokensFromClient, c.Summary.OutputTokensUnknown)
	}
	return in
}

func TestTokenSourceFootnotes(t *testing.T) {
	var out bytes.Buffer
	if err := Markdown(&out, tokenSourceInput(t)); err != nil {
		t.Fatal(err)
	}
	md := out.String()
	for _, want := range []string{
		"| vllm [1][2] | facebook/opt-125m | 10/10 | 0 | n/a | n/a |",
		"- [1] `vllm/facebook/opt-125m/small`: input tokens of 3 requests are the client's count " +
			"(the server sent no prompt_tokens); total tok/s and cost per 1M total tokens would use it, " +
			"but both are n/a because the output tokens of 2 requests are unknown.",
		"- [2] `vllm/facebook/opt-125m/small`: output tokens of 2 requests are unknown " +
			"(no usage from the server and no tokenizer); token throughput and cost are n/a.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
}

func TestTokenSourceWarningsNotRepeated(t *testing.T) {
	in := tokenSourceInput(t)
	if len(in.Cells[0].Summary.Warnings) == 0 {
		t.Fatal("the summary has no warnings, so the test checks nothing")
	}
	var out bytes.Buffer
	if err := Markdown(&out, in); err != nil {
		t.Fatal(err)
	}
	cell := "`vllm/facebook/opt-125m/small`: "
	var lines []string
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.Contains(line, cell) {
			lines = append(lines, line)
		}
	}
	if len(lines) != 2 {
		t.Errorf("the cell has %d footnotes, want 2 (one per token source):\n%s", len(lines), strings.Join(lines, "\n"))
	}
}

func TestEstimatedOutputFootnote(t *testing.T) {
	var out bytes.Buffer
	if err := Markdown(&out, testInput()); err != nil {
		t.Fatal(err)
	}
	want := "`vllm/Qwen/Qwen2-1.5B/medium`: 6 of 45 successful requests have estimated output token counts " +
		"(estimated (whitespace)), not the server's usage."
	if !strings.Contains(out.String(), want) {
		t.Errorf("report.md lacks %q", want)
	}
}

func TestClientInputFootnoteNamesUsedFigures(t *testing.T) {
	in := testInput()
	var want []string
	for i := range in.Cells {
		c := &in.Cells[i]
		if c.Summary.InputTokensFromClient == 0 {
			continue
		}
		if c.Summary.OutputTokensUnknown != 0 || c.Summary.CostPer1MTotalTokensUSD == nil {
			t.Fatalf("%s: want known output tokens and a cost per 1M total tokens", c.Info.Key())
		}
		want = append(want, "`"+c.Info.Key().String()+"`: input tokens of ")
	}
	if len(want) == 0 {
		t.Fatal("testInput has no cell with client input counts, so the test checks nothing")
	}

	var out bytes.Buffer
	if err := Markdown(&out, in); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(out.String(), "\n") {
		for _, prefix := range want {
			if strings.Contains(line, prefix) && !strings.HasSuffix(line, "total tok/s and cost per 1M total tokens use it.") {
				t.Errorf("footnote of a cell with known output tokens and a price: %q", line)
			}
		}
	}

	// Without a price, only total tok/s uses the client's count.
	c := &in.Cells[0]
	for i := range c.Records {
		c.Records[i].InputTokensKnown = false
	}
	c.Info.Options.PricePerHourUSD = 0
	c.Summary = metrics.Summarize(c.Info.Framework, c.Info.Model, c.Info.Workload, c.Records, c.Info.Options)
	out.Reset()
	if err := Markdown(&out, in); err != nil {
		t.Fatal(err)
	}
	wantLine := "total tok/s uses it; cost per 1M total tokens is n/a without a price per hour."
	if !strings.Contains(out.String(), wantLine) {
		t.Errorf("report.md lacks %q", wantLine)
	}
}
