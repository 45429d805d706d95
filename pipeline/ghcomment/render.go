package ghcomment

import (
	"fmt"
	"strings"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
)

// GitHub's limits on the bodies this package renders.
const (
	// CommentLimit is the maximum length of an issue or pull-request comment
	// body: 65,536 characters. Bodies are measured in bytes here, which is
	// never less than the character count.
	CommentLimit = 65536
	// StepSummaryLimit is the maximum size of one step's job summary: 1 MiB.
	StepSummaryLimit = 1 << 20
)

// Options control one rendering.
type Options struct {
	// Limit is the maximum body length in bytes; 0 means no limit.
	Limit int
	// Marker puts the hidden sticky-comment marker on the first line.
	Marker bool
	// FoldRows folds a workload table with more rows than this into a
	// <details> element; 0 never folds.
	FoldRows int
	// ChartBars is the maximum number of bars in a workload's chart; the
	// cells with the highest throughput are drawn. 0 leaves the charts out.
	ChartBars int
}

// CommentOptions returns the options of the pull-request comment: a marker,
// tables of more than 12 rows folded, 20 bars per chart, and 512 bytes of
// headroom under CommentLimit.
func CommentOptions() Options {
	return Options{Limit: CommentLimit - 512, Marker: true, FoldRows: 12, ChartBars: 20}
}

// StepSummaryOptions returns the options of the step summary: no marker, no
// folded tables, 40 bars per chart and 4 KiB of headroom under
// StepSummaryLimit.
func StepSummaryOptions() Options {
	return Options{Limit: StepSummaryLimit - 4096, ChartBars: 40}
}

// RenderComment renders the pull-request comment of r.
func RenderComment(r Report) string {
	return Render(r, CommentOptions())
}

// RenderStepSummary renders the step summary of r: the same report as the
// comment, unfolded, under the step summary's size limit.
func RenderStepSummary(r Report) string {
	return Render(r, StepSummaryOptions())
}

// detail sets how much of the report one rendering attempt includes.
type detail struct {
	latency     bool // per-cell latency tables
	maxWarnings int  // -1 for all
	rowCap      int  // rows per workload table; -1 for all
}

// Render renders r within o.Limit. When the full report is too long it leaves
// out, in this order, the per-cell latency tables, then all but 20 warnings,
// then table rows from the end of each workload, and notes what was left out.
func Render(r Report, o Options) string {
	v := buildView(r)
	fits := func(body string) bool { return o.Limit <= 0 || len(body) <= o.Limit }

	for _, d := range []detail{
		{latency: true, maxWarnings: -1, rowCap: -1},
		{latency: false, maxWarnings: -1, rowCap: -1},
		{latency: false, maxWarnings: 20, rowCap: -1},
	} {
		if body := renderView(r, v, o, d); fits(body) {
			return body
		}
	}

	maxRows := 0
	for _, w := range v.workloads {
		maxRows = max(maxRows, len(w.rows))
	}
	best := ""
	for lo, hi := 0, maxRows-1; lo <= hi; {
		mid := (lo + hi) / 2
		body := renderView(r, v, o, detail{maxWarnings: 20, rowCap: mid})
		if fits(body) {
			best, lo = body, mid+1
		} else {
			hi = mid - 1
		}
	}
	if best != "" {
		return best
	}
	return renderMinimal(r, o)
}

// renderMinimal is the last resort when not even the table headers fit: the
// header and a pointer to the artifacts, cut to the limit.
func renderMinimal(r Report, o Options) string {
	var b strings.Builder
	writeHeader(&b, r, o)
	b.WriteString("The results are too large for this comment; they are in the report artifact.\n")
	body := b.String()
	if o.Limit > 0 && len(body) > o.Limit {
		body = cutBytes(body, o.Limit)
	}
	return body
}

// cutBytes cuts s to at most n bytes at a rune boundary.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

func renderView(r Report, v view, o Options, d detail) string {
	var b strings.Builder
	writeHeader(&b, r, o)
	writeFailureNotice(&b, r, v)

	for _, w := range v.workloads {
		writeWorkload(&b, r, w, o, d)
	}
	if len(v.workloads) > 0 {
		writeFootnotes(&b)
	}

	if d.latency {
		writeLatencyDetails(&b, v)
	}
	writeWarnings(&b, r, v, d.maxWarnings)
	writeEnvironment(&b, r)
	return b.String()
}

func writeHeader(b *strings.Builder, r Report, o Options) {
	if o.Marker {
		b.WriteString(Marker(r.MatrixID) + "\n")
	}
	title := "## LLM serving benchmark"
	if id := MarkerID(r.MatrixID); id != "default" {
		title += ": matrix `" + id + "`"
	}
	b.WriteString(title + "\n\n")

	env := r.Environment
	var facts []string
	if isHex(env.Commit) {
		facts = append(facts, "commit `"+env.Commit[:min(len(env.Commit), 7)]+"`")
	} else if env.Commit != "" {
		facts = append(facts, "commit "+escapeText(env.Commit, 40))
	}
	if env.Branch != "" {
		facts = append(facts, "branch "+escapeText(env.Branch, maxTextRunes))
	}
	if env.Runner != "" {
		facts = append(facts, "runner "+escapeText(env.Runner, maxTextRunes))
	}
	if env.GPU != "" {
		facts = append(facts, "GPU "+escapeText(env.GPU, maxTextRunes))
	}
	if !env.Date.IsZero() {
		facts = append(facts, env.Date.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if len(facts) > 0 {
		b.WriteString(strings.Join(facts, " · ") + "\n\n")
	}

	var links []string
	for _, l := range []struct{ name, url string }{
		{"Run", r.Links.Run}, {"Artifacts", r.Links.Artifacts}, {"Charts", r.Links.Charts},
		{"Parquet", r.Links.Parquet}, {"Full report", r.Links.Report},
	} {
		if u := safeURL(l.url); u != "" {
			links = append(links, "["+l.name+"]("+u+")")
		}
	}
	if len(links) > 0 {
		b.WriteString(strings.Join(links, " · ") + "\n\n")
	}
}

// writeFailureNotice puts one line above the tables when cells failed, so a
// reader does not mistake a short table for a complete one.
func writeFailureNotice(b *strings.Builder, r Report, v view) {
	failedCells, failedRequests := len(r.Failures), 0
	for _, s := range r.Summaries {
		failedRequests += s.RequestsFailed
	}
	if failedCells == 0 && failedRequests == 0 && len(r.Errors) == 0 {
		return
	}
	var parts []string
	if len(r.Errors) > 0 {
		parts = append(parts, plural(len(r.Errors), "error", "errors"))
	}
	if failedCells > 0 {
		parts = append(parts, plural(failedCells, "stage", "stages")+" failed")
	}
	if failedRequests > 0 {
		parts = append(parts, plural(failedRequests, "request", "requests")+" failed")
	}
	b.WriteString("> [!WARNING]\n> " + strings.Join(parts, " and ") + "; see Warnings below.\n\n")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func writeWorkload(b *strings.Builder, r Report, w workloadView, o Options, d detail) {
	b.WriteString("### Workload: " + escapeText(w.name, maxTextRunes) + "\n\n")

	visible := w.rows
	if d.rowCap >= 0 && d.rowCap < len(visible) {
		visible = visible[:d.rowCap]
	}
	fold := o.FoldRows > 0 && len(w.rows) > o.FoldRows
	if fold {
		fmt.Fprintf(b, "<details><summary>%s: %s × %s</summary>\n\n",
			plural(len(w.rows), "row", "rows"),
			plural(w.models, "model", "models"), plural(w.frameworks, "framework", "frameworks"))
	}
	writeTable(b, visible)
	if cut := len(w.rows) - len(visible); cut > 0 {
		more := plural(cut, "more row", "more rows") + " in the report artifact"
		if u := safeURL(r.Links.Report); u != "" {
			more = plural(cut, "more row", "more rows") + " in the [report artifact](" + u + ")"
		}
		b.WriteString("\n_… " + more + "._\n")
	}
	if fold {
		b.WriteString("\n</details>\n")
	}
	b.WriteString("\n")

	if o.ChartBars > 0 {
		writeChart(b, w, o.ChartBars)
	}
}

var tableHeader = "| Model | Framework | Output tok/s | Req/s | TTFT p50 (ms) | TTFT p99 (ms) | TPOT p50 (ms) | E2E p50 (ms) | E2E p95 (ms) | E2E p99 (ms) | $/1M output tok | OK/total |\n" +
	"|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n"

func writeTable(b *strings.Builder, rows []row) {
	b.WriteString(tableHeader)
	for _, rw := range rows {
		framework := escapeText(rw.framework, maxTextRunes)
		if rw.mark != "" {
			framework += " " + rw.mark
		}
		cells := []string{escapeText(rw.model, maxTextRunes), framework}

		switch s := rw.summary; {
		case s == nil:
			stage := "did not run"
			if rw.failure != nil && rw.failure.Stage != "" {
				stage = "failed at " + escapeText(rw.failure.Stage, 40)
			}
			cells = append(cells, "**"+stage+"**", "—", "—", "—", "—", "—", "—", "—", "—", "—")
		case s.RequestsOK == 0:
			cells = append(cells, fmt.Sprintf("**0/%d succeeded**", s.RequestsTotal),
				"—", "—", "—", "—", "—", "—", "—", "—", formatOKTotal(s))
		default:
			cells = append(cells,
				formatRate(s.OutputTokenThroughput), formatRate(s.RequestThroughput),
				formatMS(s.TTFT.P50), formatMS(s.TTFT.P99), formatMS(s.TPOT.P50),
				formatMS(s.E2E.P50), formatMS(s.E2E.P95), formatMS(s.E2E.P99),
				formatUSD(s.CostPer1MOutputTokensUSD), formatOKTotal(s))
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
}

func writeFootnotes(b *strings.Builder) {
	b.WriteString("★ marks, for each model and workload, the framework with the higher output throughput " +
		"(output tokens per second over the measured window); latency is not part of this mark. " +
		"~ marks frameworks within 5% of the best, too close to call from a single run. " +
		"Latencies are in milliseconds over successful requests only; n/a means no value.\n\n")
}

// writeLatencyDetails folds one latency table per cell with successful
// requests into a <details> element.
func writeLatencyDetails(b *strings.Builder, v view) {
	var cells strings.Builder
	n := 0
	for _, w := range v.workloads {
		for _, rw := range w.rows {
			if !rw.succeeded() {
				continue
			}
			n++
			fmt.Fprintf(&cells, "**%s · %s · %s**\n\n", escapeText(w.name, maxTextRunes),
				escapeText(rw.model, maxTextRunes), escapeText(rw.framework, maxTextRunes))
			writeLatencyTable(&cells, rw.summary)
			cells.WriteString("\n")
		}
	}
	if n == 0 {
		return
	}
	b.WriteString("<details><summary>Latency per cell (ms)</summary>\n\n")
	b.WriteString(cells.String())
	b.WriteString("</details>\n\n")
}

func writeLatencyTable(b *strings.Builder, s *metrics.Summary) {
	b.WriteString("| Metric | mean | p50 | p90 | p95 | p99 | min | max | stdev | n |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, m := range []struct {
		name string
		d    metrics.Distribution
	}{
		{"TTFT", s.TTFT}, {"TPOT", s.TPOT}, {"ITL per chunk", s.ITL}, {"ITL per token", s.ITLToken}, {"E2E", s.E2E},
	} {
		d := m.d
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %d |\n", m.name,
			formatMS(d.Mean), formatMS(d.P50), formatMS(d.P90), formatMS(d.P95), formatMS(d.P99),
			formatMS(d.Min), formatMS(d.Max), formatMS(d.Stdev), d.N)
	}
}

// writeWarnings folds the failed stages and every summary's warnings into a
// <details> element, at most maxWarnings of them (-1 for all).
func writeWarnings(b *strings.Builder, r Report, v view, maxWarnings int) {
	var lines []string
	for _, e := range r.Errors {
		lines = append(lines, "**Error**: "+escapeText(e, maxMessageRunes))
	}
	for _, f := range r.Failures {
		where := escapeText(f.Framework, maxTextRunes) + " · " + escapeText(f.Model, maxTextRunes)
		if f.Workload != "" {
			where += " · " + escapeText(f.Workload, maxTextRunes)
		}
		line := "**" + where + "** failed"
		if f.Stage != "" {
			line += " at stage " + escapeText(f.Stage, 40)
		}
		if f.Message != "" {
			line += ": " + escapeText(f.Message, maxMessageRunes)
		}
		lines = append(lines, line)
	}
	for _, w := range v.workloads {
		for _, rw := range w.rows {
			if rw.summary != nil {
				lines = append(lines, summaryWarnings(w.name, rw)...)
			}
		}
	}
	if len(lines) == 0 {
		return
	}

	fmt.Fprintf(b, "<details><summary>Warnings (%d)</summary>\n\n", len(lines))
	shown := lines
	if maxWarnings >= 0 && maxWarnings < len(lines) {
		shown = lines[:maxWarnings]
	}
	for _, line := range shown {
		b.WriteString("- " + line + "\n")
	}
	if cut := len(lines) - len(shown); cut > 0 {
		fmt.Fprintf(b, "\n_… %s in the report artifact._\n", plural(cut, "more warning", "more warnings"))
	}
	b.WriteString("\n</details>\n\n")
}

func summaryWarnings(workload string, rw row) []string {
	s := rw.summary
	where := "**" + escapeText(workload, maxTextRunes) + " · " + escapeText(rw.model, maxTextRunes) +
		" · " + escapeText(rw.framework, maxTextRunes) + "**: "
	var lines []string
	if s.RequestsOK == 0 && s.RequestsTotal > 0 {
		lines = append(lines, where+fmt.Sprintf("0/%d succeeded", s.RequestsTotal)+kindsSuffix(s))
	} else if s.RequestsFailed > 0 {
		lines = append(lines, where+fmt.Sprintf("%d of %d requests failed", s.RequestsFailed, s.RequestsTotal)+kindsSuffix(s))
	}
	if s.UsageMismatches > 0 {
		lines = append(lines, where+plural(s.UsageMismatches, "request", "requests")+
			" where the server's usage disagreed with the stream")
	}
	if s.ShortOutputs > 0 {
		lines = append(lines, where+plural(s.ShortOutputs, "request", "requests")+
			" returned fewer tokens than max_tokens although ignore_eos was set")
	}
	if s.OutputTokensEstimated > 0 {
		lines = append(lines, where+plural(s.OutputTokensEstimated, "request", "requests")+
			" without usage from the server: output tokens estimated")
	}
	for _, w := range s.Warnings {
		lines = append(lines, where+escapeText(w, maxMessageRunes))
	}
	return lines
}

func kindsSuffix(s *metrics.Summary) string {
	if kinds := formatFailures(s.Failures); kinds != "" {
		return " (" + kinds + ")"
	}
	return ""
}

func writeEnvironment(b *strings.Builder, r Report) {
	env := r.Environment
	var rows [][2]string
	add := func(k, v string) {
		if v != "" {
			rows = append(rows, [2]string{k, v})
		}
	}
	if isHex(env.Commit) {
		add("Commit", "`"+env.Commit+"`")
	} else {
		add("Commit", escapeText(env.Commit, maxTextRunes))
	}
	add("Branch", escapeText(env.Branch, maxTextRunes))
	add("Runner", escapeText(env.Runner, maxTextRunes))
	add("GPU", escapeText(env.GPU, maxTextRunes))
	if !env.Date.IsZero() {
		add("Date", env.Date.UTC().Format(time.RFC3339))
	}
	add("llmbench", escapeText(env.ToolVersion, maxTextRunes))
	add("Instance type", escapeText(env.InstanceType, maxTextRunes))
	if env.PricePerHourUSD > 0 {
		add("Price per hour", fmt.Sprintf("$%.3f", env.PricePerHourUSD))
	}
	var images []string
	for _, img := range env.Images {
		images = append(images, escapeText(img, 200))
	}
	add("Images", strings.Join(images, "<br>"))
	if len(rows) == 0 {
		return
	}

	b.WriteString("<details><summary>Environment</summary>\n\n| | |\n|---|---|\n")
	for _, kv := range rows {
		b.WriteString("| " + kv[0] + " | " + kv[1] + " |\n")
	}
	b.WriteString("\n</details>\n")
}

// CommentRenderer returns a function that renders the comment of r within a
// length limit in bytes, as Poster.Upsert expects.
func CommentRenderer(r Report) func(limit int) string {
	return func(limit int) string {
		o := CommentOptions()
		o.Limit = limit
		return Render(r, o)
	}
}
