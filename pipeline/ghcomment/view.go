package ghcomment

import (
	"sort"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
)

// closeCallMargin is the relative throughput difference under which two
// frameworks are called too close to separate from a single run.
const closeCallMargin = 0.05

// Marks set on a table row's framework.
const (
	markBetter = "★"
	markClose  = "~"
)

// view is a Report arranged for rendering: one table per workload.
type view struct {
	workloads []workloadView
}

// workloadView is the table of one workload: models × frameworks.
type workloadView struct {
	name       string
	rows       []row
	models     int
	frameworks int
}

// row is one (model, framework) of a workload. Summary is nil when the cell
// produced no summary, and Failure then holds the reason (when known).
type row struct {
	model     string
	framework string
	summary   *metrics.Summary
	failure   *CellFailure
	mark      string
}

// succeeded reports whether the row has at least one successful request.
func (r row) succeeded() bool {
	return r.summary != nil && r.summary.RequestsOK > 0
}

// throughput returns the row's output tokens per second, or nil.
func (r row) throughput() *float64 {
	if !r.succeeded() || !finite(r.summary.OutputTokenThroughput) {
		return nil
	}
	return r.summary.OutputTokenThroughput
}

// orderedSet keeps strings in the order they were first added.
type orderedSet struct {
	seen  map[string]bool
	items []string
}

func (s *orderedSet) add(v string) {
	if s.seen == nil {
		s.seen = make(map[string]bool)
	}
	if !s.seen[v] {
		s.seen[v] = true
		s.items = append(s.items, v)
	}
}

type cellKey struct{ framework, model, workload string }

// buildView arranges the report's summaries and failures into per-workload
// tables in first-appearance order and marks the better framework per model.
func buildView(r Report) view {
	var workloads, models, frameworks orderedSet
	summaries := make(map[cellKey]*metrics.Summary)
	for i := range r.Summaries {
		s := &r.Summaries[i]
		workloads.add(s.Workload)
		models.add(s.Model)
		frameworks.add(s.Framework)
		key := cellKey{s.Framework, s.Model, s.Workload}
		if _, dup := summaries[key]; !dup {
			summaries[key] = s
		}
	}

	failures := make(map[cellKey]*CellFailure)
	for i := range r.Failures {
		f := &r.Failures[i]
		if f.Framework == "" && f.Model == "" {
			continue
		}
		if f.Workload != "" {
			workloads.add(f.Workload)
		}
		models.add(f.Model)
		frameworks.add(f.Framework)
		key := cellKey{f.Framework, f.Model, f.Workload}
		if _, dup := failures[key]; !dup {
			failures[key] = f
		}
	}

	var v view
	for _, w := range workloads.items {
		wv := workloadView{name: w}
		usedModels, usedFrameworks := map[string]bool{}, map[string]bool{}
		for _, m := range models.items {
			start := len(wv.rows)
			for _, f := range frameworks.items {
				rw := row{model: m, framework: f, summary: summaries[cellKey{f, m, w}]}
				if rw.summary == nil {
					rw.failure = failures[cellKey{f, m, w}]
					if rw.failure == nil {
						rw.failure = failures[cellKey{f, m, ""}]
					}
					if rw.failure == nil {
						continue
					}
				}
				usedModels[m], usedFrameworks[f] = true, true
				wv.rows = append(wv.rows, rw)
			}
			markBetterFramework(wv.rows[start:])
		}
		wv.models, wv.frameworks = len(usedModels), len(usedFrameworks)
		v.workloads = append(v.workloads, wv)
	}
	return v
}

// markBetterFramework marks, among the rows of one model, the framework with
// the highest output throughput: markBetter when it leads the runner-up by at
// least closeCallMargin, else markClose on every row within that margin. A
// model measured on fewer than two frameworks gets no mark.
func markBetterFramework(rows []row) {
	var ranked []int
	for i := range rows {
		if rows[i].throughput() != nil {
			ranked = append(ranked, i)
		}
	}
	if len(ranked) < 2 {
		return
	}
	sort.SliceStable(ranked, func(a, b int) bool {
		return *rows[ranked[a]].throughput() > *rows[ranked[b]].throughput()
	})

	best := *rows[ranked[0]].throughput()
	second := *rows[ranked[1]].throughput()
	if best > 0 && (best-second)/best >= closeCallMargin {
		rows[ranked[0]].mark = markBetter
		return
	}
	for _, i := range ranked {
		if best <= 0 || (best-*rows[i].throughput())/best < closeCallMargin {
			rows[i].mark = markClose
		}
	}
}
