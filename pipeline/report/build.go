package report

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
	"github.com/llmbench/llmbench-action/pipeline/record"
)

// build lays out the report of in.
func build(in Input) document {
	notes := collectNotes(in)
	doc := document{title: "llmbench report"}
	doc.sections = append(doc.sections, environmentSection(in))
	doc.sections = append(doc.sections, resultSections(in, notes)...)
	if s, ok := goodputSection(in); ok {
		doc.sections = append(doc.sections, s)
	}
	if s, ok := comparisonSection(in); ok {
		doc.sections = append(doc.sections, s)
	}
	if s, ok := scalingSection(in); ok {
		doc.sections = append(doc.sections, s)
	}
	if s, ok := costSection(in); ok {
		doc.sections = append(doc.sections, s)
	}
	if s, ok := failureSection(in); ok {
		doc.sections = append(doc.sections, s)
	}
	if s, ok := chartSection(in); ok {
		doc.sections = append(doc.sections, s)
	}
	if s, ok := notes.section(); ok {
		doc.sections = append(doc.sections, s)
	}
	return doc
}

// workloads returns the workload names in order of first appearance.
func workloads(cells []Cell) []string {
	var names []string
	seen := map[string]bool{}
	for _, c := range cells {
		if !seen[c.Info.Workload] {
			seen[c.Info.Workload] = true
			names = append(names, c.Info.Workload)
		}
	}
	return names
}

// cellName returns "framework model" for table rows.
func cellName(c *Cell) string { return c.Info.Framework + " " + c.Info.Model }

func environmentSection(in Input) section {
	run := in.Run
	rows := [][]string{
		{"llmbench", orNA(run.ToolVersion)},
		{"commit", orNA(run.GitCommit)},
		{"GPU", gpu(run.GPUName, run.GPUCount, run.GPUDriver)},
		{"runner", orNA(run.RunnerName)},
	}
	if run.Instance != "" {
		rows = append(rows, []string{"instance", run.Instance})
	}
	rows = append(rows, [][]string{
		{"started", timestamp(run.StartedAt)},
	}...)
	if !in.GeneratedAt.IsZero() {
		rows = append(rows, []string{"generated", timestamp(in.GeneratedAt)})
	}

	// Images and model revisions, once each, in cell order.
	seen := map[string]bool{}
	for _, c := range in.Cells {
		image := c.Info.Image
		if c.Info.ImageDigest != "" {
			image += "@" + c.Info.ImageDigest
		}
		key := "image " + c.Info.Framework + "\x00" + image
		if image != "" && !seen[key] {
			seen[key] = true
			rows = append(rows, []string{"image " + c.Info.Framework, "`" + image + "`"})
		}
		key = "model " + c.Info.Model + "\x00" + c.Info.ModelRevision
		if c.Info.ModelRevision != "" && !seen[key] {
			seen[key] = true
			rows = append(rows, []string{"revision " + c.Info.Model, "`" + c.Info.ModelRevision + "`"})
		}
	}
	names := make([]string, 0, len(run.Env))
	for name := range run.Env {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		rows = append(rows, []string{"env " + name, "`" + run.Env[name] + "`"})
	}

	s := section{title: "Environment", tables: []table{{labels: 2, headers: []string{"item", "value"}, rows: rows}}}
	complete, incomplete := 0, []string{}
	for _, c := range in.Cells {
		if c.Info.Complete {
			complete++
		} else {
			incomplete = append(incomplete, c.Info.Key().String())
		}
	}
	s.paragraphs = append(s.paragraphs, fmt.Sprintf("%d cells: %d complete, %d incomplete, %d missing.",
		len(in.Cells)+len(in.Missing), complete, len(incomplete), len(in.Missing)))
	s.paragraphs = append(s.paragraphs, latencyOrigin)
	for _, key := range incomplete {
		s.bullets = append(s.bullets, "incomplete: `"+key+"` (the workload did not run to its end)")
	}
	for _, key := range in.Missing {
		s.bullets = append(s.bullets, "missing: `"+key.String()+"` (no results)")
	}
	return s
}

// latencyOrigin states where the latencies of the report are measured from.
const latencyOrigin = "TTFT and E2E are measured from each request's scheduled send time, so client-side queueing " +
	"(a wait for a concurrency slot or a late send) is included; `send_delay_ms` in requests.parquet is the part " +
	"spent before the request was written. TPOT and ITL are gaps between token arrivals, which queueing does not change. " +
	"E2E is the arrival of the last token, not the end of the stream."

// chartSection links the chart files of in.Charts.
func chartSection(in Input) (section, bool) {
	if len(in.Charts) == 0 {
		return section{}, false
	}
	s := section{title: "Charts"}
	for _, path := range in.Charts {
		name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		s.images = append(s.images, image{name: name, path: path})
	}
	return s, true
}

func orNA(s string) string {
	if s == "" {
		return notAvailable
	}
	return s
}

func gpu(name string, count int, driver string) string {
	if name == "" {
		return notAvailable
	}
	s := name
	if count > 1 {
		s = fmt.Sprintf("%d x %s", count, name)
	}
	if driver != "" {
		s += ", driver " + driver
	}
	return s
}

func timestamp(t time.Time) string {
	if t.IsZero() {
		return notAvailable
	}
	return t.UTC().Format("2006-01-02 15:04:05 MST")
}

// resultSections returns one section per workload with a throughput and
// cost table and a latency table. When a cell of the workload has a target
// rate (open loop), the throughput table gets a column with the target and
// achieved request rates.
func resultSections(in Input, notes *noteSet) []section {
	var sections []section
	for _, workload := range workloads(in.Cells) {
		throughput := table{
			title:  "Throughput and cost",
			labels: 2,
			headers: []string{"framework", "model", "ok/total", "failed", "output tok/s", "total tok/s", "req/s",
				"$/1M output", "$/1M total"},
		}
		openLoop := false
		for i := range in.Cells {
			if in.Cells[i].Info.Workload == workload && in.Cells[i].Summary.TargetRate != "" {
				openLoop = true
			}
		}
		if openLoop {
			throughput.headers = append(throughput.headers, "rate target/achieved (req/s)")
		}
		latency := table{
			title:   "Latency (ms)",
			labels:  3,
			headers: []string{"framework", "model", "metric", "mean", "p50", "p90", "p95", "p99", "n"},
		}
		for i := range in.Cells {
			c := &in.Cells[i]
			if c.Info.Workload != workload {
				continue
			}
			s := &c.Summary
			row := []string{
				c.Info.Framework + notes.marks(i), c.Info.Model,
				fmt.Sprintf("%d/%d", s.RequestsOK, s.RequestsTotal), fmt.Sprint(s.RequestsFailed),
				fixed(s.OutputTokenThroughput, 1), fixed(s.TotalTokenThroughput, 1), fixed(s.RequestThroughput, 2),
				usd(s.CostPer1MOutputTokensUSD), usd(s.CostPer1MTotalTokensUSD),
			}
			if openLoop {
				row = append(row, rates(s))
			}
			throughput.rows = append(throughput.rows, row)
			for _, m := range []struct {
				name string
				d    *metrics.Distribution
			}{{"TTFT", &s.TTFT}, {"TPOT", &s.TPOT}, {"ITL", &s.ITL}, {"E2E", &s.E2E}} {
				latency.rows = append(latency.rows, []string{
					c.Info.Framework, c.Info.Model, m.name,
					ms(m.d.Mean), ms(m.d.P50), ms(m.d.P90), ms(m.d.P95), ms(m.d.P99), fmt.Sprint(m.d.N),
				})
			}
		}
		sections = append(sections, section{
			title:  "Workload " + workload,
			tables: []table{throughput, latency},
		})
	}
	return sections
}

// rates formats the target and achieved request rates of a cell, "2 /
// 1.87"; "closed loop" for a cell without a target rate. The achieved rate
// is n/a for "inf", whose sends all fall at about the same time.
func rates(s *metrics.Summary) string {
	if s.TargetRate == "" {
		return "closed loop"
	}
	return s.TargetRate + " / " + fixed(s.AchievedRate, 2)
}

// measuredOK returns the measured (non-warm-up) successful records.
func measuredOK(records []record.Record) []*record.Record {
	var out []*record.Record
	for i := range records {
		if !records[i].Warmup && records[i].OK {
			out = append(out, &records[i])
		}
	}
	return out
}

// joinKinds formats failure counts in report order: "http_5xx 2, timeout 1".
func joinKinds(failures map[record.FailureKind]int) string {
	var parts []string
	for _, kind := range failureKinds(failures) {
		parts = append(parts, fmt.Sprintf("%s %d", kind, failures[kind]))
	}
	return strings.Join(parts, ", ")
}

// failureKinds returns the kinds with a count in record.FailureKinds order,
// then the unknown ones by name.
func failureKinds(failures map[record.FailureKind]int) []record.FailureKind {
	var kinds []record.FailureKind
	known := map[record.FailureKind]bool{}
	for _, kind := range record.FailureKinds {
		known[kind] = true
		if failures[kind] > 0 {
			kinds = append(kinds, kind)
		}
	}
	var other []record.FailureKind
	for kind, n := range failures {
		if n > 0 && !known[kind] {
			other = append(other, kind)
		}
	}
	sort.Slice(other, func(i, j int) bool { return other[i] < other[j] })
	return append(kinds, other...)
}
