package charts

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
	"github.com/llmbench/llmbench-action/pipeline/record"
)

// cellKey identifies one (framework, model, workload).
type cellKey struct {
	framework, model, workload string
}

func (k cellKey) String() string {
	return k.framework + "/" + k.model + "/" + k.workload
}

// runData is the validated input, indexed for drawing.
type runData struct {
	info       RunInfo
	frameworks []string
	models     []string // by parameter count, then first appearance
	workloads  []string
	params     map[string]float64 // known parameter counts by model
	colors     map[string]int     // palette index by framework

	summaries map[cellKey]*metrics.Summary
	records   map[cellKey][]record.Record // measured records only, no warm-up
}

func newRunData(in Input) (*runData, error) {
	if len(in.Summaries) == 0 {
		return nil, errNoSummaries
	}
	if err := validateRunInfo(in.Run); err != nil {
		return nil, err
	}

	run := &runData{
		info:      in.Run,
		params:    map[string]float64{},
		summaries: map[cellKey]*metrics.Summary{},
		records:   map[cellKey][]record.Record{},
	}

	var frameworks, models, workloads []string
	for i := range in.Summaries {
		s := &in.Summaries[i]
		if err := validateSummary(s); err != nil {
			return nil, fmt.Errorf("summary %d: %w", i, err)
		}
		key := cellKey{s.Framework, s.Model, s.Workload}
		if _, dup := run.summaries[key]; dup {
			return nil, fmt.Errorf("summary %d: cell %s appears twice; pass one summary per cell", i, key)
		}
		run.summaries[key] = s
		frameworks = appendNew(frameworks, s.Framework)
		models = appendNew(models, s.Model)
		workloads = appendNew(workloads, s.Workload)
	}

	for i := range in.Records {
		r := &in.Records[i]
		if r.Warmup {
			continue
		}
		key := cellKey{r.Framework, r.Model, r.Workload}
		if _, ok := run.summaries[key]; !ok {
			return nil, fmt.Errorf("record %d: cell %s has no summary; pass the summaries of every cell the records belong to", i, key)
		}
		if err := validateRecord(r); err != nil {
			return nil, fmt.Errorf("record %d of cell %s: %w", i, key, err)
		}
		run.records[key] = append(run.records[key], *r)
	}

	run.frameworks = orderBy(in.Run.Frameworks, frameworks)
	run.workloads = orderBy(in.Run.Workloads, workloads)
	for _, m := range models {
		if p, ok := modelParams(in.Run.ModelParams, m); ok {
			run.params[m] = p
		}
	}
	run.models = orderModels(models, run.params)
	run.colors = assignColors(run.frameworks)
	return run, nil
}

func validateRunInfo(info RunInfo) error {
	if !finiteNonNegative(info.PricePerHourUSD) {
		return fmt.Errorf("price per hour: must be a finite number >= 0, got %v", info.PricePerHourUSD)
	}
	for _, m := range slices.Sorted(maps.Keys(info.ModelParams)) {
		if p := info.ModelParams[m]; !(p > 0) || math.IsInf(p, 0) {
			return fmt.Errorf("parameter count of model %q: must be a finite number > 0, got %v", m, p)
		}
	}
	return nil
}

func validateSummary(s *metrics.Summary) error {
	if s.Framework == "" || s.Model == "" || s.Workload == "" {
		return fmt.Errorf("framework %q, model %q and workload %q must all be set", s.Framework, s.Model, s.Workload)
	}
	key := cellKey{s.Framework, s.Model, s.Workload}
	if s.RequestsTotal < 0 || s.RequestsOK < 0 || s.RequestsFailed < 0 {
		return fmt.Errorf("cell %s: request counts must be >= 0, got total %d, ok %d, failed %d",
			key, s.RequestsTotal, s.RequestsOK, s.RequestsFailed)
	}
	checks := []struct {
		name string
		v    *float64
	}{
		{"request_throughput", s.RequestThroughput},
		{"output_token_throughput", s.OutputTokenThroughput},
		{"total_token_throughput", s.TotalTokenThroughput},
		{"cost_per_1m_output_tokens_usd", s.CostPer1MOutputTokensUSD},
		{"ttft_ms.p50", s.TTFT.P50},
		{"e2e_ms.p50", s.E2E.P50},
		{"achieved_rate", s.AchievedRate},
	}
	for _, c := range checks {
		if c.v != nil && !finiteNonNegative(*c.v) {
			return fmt.Errorf("cell %s: %s must be a finite number >= 0 or null, got %v", key, c.name, *c.v)
		}
	}
	if s.TargetRate != "" && s.TargetRate != "inf" {
		if r, err := strconv.ParseFloat(s.TargetRate, 64); err != nil || !(r > 0) || math.IsInf(r, 0) {
			return fmt.Errorf("cell %s: target_rate must be \"\", \"inf\" or a number > 0, got %q", key, s.TargetRate)
		}
	}
	return nil
}

func validateRecord(r *record.Record) error {
	durations := []struct {
		name string
		d    time.Duration
	}{
		{"scheduled offset", r.ScheduledOffset},
		{"send delay", r.SendDelay},
		{"TTFT", r.TTFT},
		{"E2E", r.E2E},
		{"stream end", r.StreamEnd},
	}
	for _, d := range durations {
		if d.d < 0 {
			return fmt.Errorf("%s must be >= 0, got %v", d.name, d.d)
		}
	}
	for i, t := range r.TokenTimes {
		if t < 0 {
			return fmt.Errorf("token time %d must be >= 0, got %v", i, t)
		}
	}
	if r.OutputTokens < 0 {
		return fmt.Errorf("output tokens must be >= 0, got %d", r.OutputTokens)
	}
	return nil
}

func finiteNonNegative(v float64) bool {
	return v >= 0 && !math.IsInf(v, 0)
}

// appendNew appends s unless list already contains it.
func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// orderBy returns present ordered by preferred first, then the rest in their
// order. Names in preferred that are not present are dropped.
func orderBy(preferred, present []string) []string {
	var out []string
	for _, p := range preferred {
		if slices.Contains(present, p) {
			out = appendNew(out, p)
		}
	}
	for _, p := range present {
		out = appendNew(out, p)
	}
	return out
}

// orderModels sorts models with known parameter counts by count, then the
// others in order of first appearance.
func orderModels(models []string, params map[string]float64) []string {
	out := slices.Clone(models)
	slices.SortStableFunc(out, func(a, b string) int {
		pa, okA := params[a]
		pb, okB := params[b]
		switch {
		case okA && okB:
			return cmp.Compare(pa, pb)
		case okA:
			return -1
		case okB:
			return 1
		}
		return 0
	})
	return out
}

// paramPattern finds a parameter count in a model id: a number followed by
// m, b or t (million, billion, trillion), delimited by non-alphanumerics.
var paramPattern = regexp.MustCompile(`(?i)(?:^|[^a-z0-9.])(\d+(?:\.\d+)?)([mbt])(?:$|[^a-z0-9])`)

// modelParams returns the parameter count of model from explicit, else
// parsed from the model id.
func modelParams(explicit map[string]float64, model string) (float64, bool) {
	if p, ok := explicit[model]; ok {
		return p, true
	}
	base := model[strings.LastIndex(model, "/")+1:]
	m := paramPattern.FindStringSubmatch(base)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseFloat(m[1], 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	scale := map[string]float64{"m": 1e6, "b": 1e9, "t": 1e12}[strings.ToLower(m[2])]
	return n * scale, true
}

// summary returns the summary of a cell, or nil when the cell did not run.
func (run *runData) summary(framework, model, workload string) *metrics.Summary {
	return run.summaries[cellKey{framework, model, workload}]
}

// frameworksIn returns the frameworks that have a summary for workload, in
// run order.
func (run *runData) frameworksIn(workload string) []string {
	var out []string
	for _, f := range run.frameworks {
		for _, m := range run.models {
			if run.summary(f, m, workload) != nil {
				out = appendNew(out, f)
			}
		}
	}
	return out
}

// modelsIn returns the models that have a summary for workload, in run order.
func (run *runData) modelsIn(workload string) []string {
	var out []string
	for _, m := range run.models {
		for _, f := range run.frameworks {
			if run.summary(f, m, workload) != nil {
				out = appendNew(out, m)
			}
		}
	}
	return out
}

// failureLabel returns the label drawn in place of a cell's data when it
// has none, e.g. "all 50 failed"; "" when the cell has data.
func failureLabel(s *metrics.Summary) string {
	switch {
	case s == nil:
		return "not run"
	case s.RequestsTotal == 0:
		return "no requests"
	case s.RequestsOK == 0:
		return fmt.Sprintf("all %d failed", s.RequestsTotal)
	}
	return ""
}

// mode returns the most frequent value, the smallest on a tie; 0 when empty.
func mode(values []int) int {
	counts := map[int]int{}
	for _, v := range values {
		counts[v]++
	}
	best, bestN := 0, 0
	for _, v := range slices.Sorted(maps.Keys(counts)) {
		if counts[v] > bestN {
			best, bestN = v, counts[v]
		}
	}
	return best
}

// workloadDescription returns a one-line description of a workload from its
// summaries and records, e.g. "50 requests, max_tokens 128, concurrency 8".
// When matrix overrides gave its cells different output lengths or loads,
// the description states that instead of describing one cell's settings as
// the workload's.
// The request count is the largest cell's, since a cell cut short by an
// interrupt has fewer.
func (run *runData) workloadDescription(workload string) string {
	total := 0
	var settings []string
	for _, f := range run.frameworks {
		for _, m := range run.models {
			cell := run.summary(f, m, workload)
			if cell == nil {
				continue
			}
			total = max(total, cell.RequestsTotal)
			d := cellSettings(cell, run.records[cellKey{f, m, workload}])
			if !slices.Contains(settings, d) {
				settings = append(settings, d)
			}
		}
	}
	if len(settings) > 1 {
		return fmt.Sprintf("%d requests; output length or load differ between cells (see report.md)", total)
	}
	parts := []string{fmt.Sprintf("%d requests", total)}
	if len(settings) == 1 && settings[0] != "" {
		parts = append(parts, settings[0])
	}
	return strings.Join(parts, ", ")
}

// cellSettings describes one cell's output length and load, e.g.
// "max_tokens 128, concurrency 8".
func cellSettings(s *metrics.Summary, records []record.Record) string {
	var maxTokens []int
	for _, r := range records {
		maxTokens = append(maxTokens, r.MaxTokens)
	}
	var parts []string
	if mt := mode(maxTokens); mt > 0 {
		parts = append(parts, fmt.Sprintf("max_tokens %d", mt))
	}
	if load := loadLabel(s); load != "" {
		parts = append(parts, load)
	}
	return strings.Join(parts, ", ")
}

// loadLabel describes a cell's offered load: "4 req/s", "all at once",
// "concurrency 8", or both.
func loadLabel(s *metrics.Summary) string {
	var parts []string
	switch s.TargetRate {
	case "":
	case "inf":
		parts = append(parts, "all at once")
	default:
		parts = append(parts, s.TargetRate+" req/s")
	}
	if s.Concurrency > 0 {
		parts = append(parts, fmt.Sprintf("concurrency %d", s.Concurrency))
	}
	return strings.Join(parts, ", ")
}
