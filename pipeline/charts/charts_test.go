package charts

import (
	"bytes"
	"flag"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot"

	"github.com/llmbench/llmbench-action/pipeline/record"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// figureNamed returns the figure called name, failing the test when absent.
func figureNamed(t *testing.T, figures []*figure, name string) *figure {
	t.Helper()
	for _, f := range figures {
		if f.name == name {
			return f
		}
	}
	var names []string
	for _, f := range figures {
		names = append(names, f.name)
	}
	t.Fatalf("no chart %q; charts: %s", name, strings.Join(names, ", "))
	return nil
}

func renderSVG(t *testing.T, fig *figure) []byte {
	t.Helper()
	canvas, err := fig.render("svg")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := canvas.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGoldenSVG(t *testing.T) {
	plan, err := buildFigures(planInput())
	if err != nil {
		t.Fatal(err)
	}
	sweep, err := buildFigures(sweepInput())
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		figures []*figure
		name    string
	}{
		{plan, "throughput-medium"},
		{plan, "requests-medium"},
		{plan, "latency-ttft-large"},
		{plan, "latency-tpot-large"},
		{plan, "latency-e2e-large"},
		{plan, "scaling-large"},
		{plan, "cost"},
		{plan, "timeline-facebook-opt-125m-large"},
		{sweep, "sweep-qwen-qwen2-1-5b-rate-2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := renderSVG(t, figureNamed(t, tc.figures, tc.name))
			path := filepath.Join("testdata", "golden", tc.name+".svg")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v; run go test -run TestGoldenSVG -update to create it", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (%d bytes, want %d); rerun with -update after checking the PNG", tc.name, path, len(got), len(want))
			}
		})
	}
}

func TestWriteAllFiles(t *testing.T) {
	dir := t.TempDir()
	paths, err := WriteAll(dir, planInput())
	if err != nil {
		t.Fatal(err)
	}

	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
	}
	for _, want := range []string{
		"throughput-small.png", "throughput-small.svg", "requests-large.svg",
		"latency-ttft-small.png", "latency-tpot-medium.svg", "latency-e2e-large.png",
		"scaling-medium.svg", "cost.png", "cost.svg", "timeline-facebook-opt-125m-large.png",
	} {
		if !slices.Contains(names, want) {
			t.Errorf("WriteAll did not write %s; wrote %v", want, names)
		}
	}
	if len(paths) != 2*(3+3+9+3+1+1) {
		t.Errorf("WriteAll wrote %d files, want %d: %v", len(paths), 2*20, names)
	}
	for _, n := range names {
		if slug(strings.TrimSuffix(n, filepath.Ext(n))) != strings.TrimSuffix(n, filepath.Ext(n)) {
			t.Errorf("file name %q is not a slug", n)
		}
	}

	f, err := os.Open(filepath.Join(dir, "throughput-medium.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("throughput-medium.png: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 600 || b.Dy() < 400 {
		t.Errorf("throughput-medium.png is %dx%d pixels, want at least 600x400", b.Dx(), b.Dy())
	}
}

func TestWriteAllDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	pathsA, err := WriteAll(a, planInput())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := WriteAll(b, planInput()); err != nil {
		t.Fatal(err)
	}
	for _, p := range pathsA {
		name := filepath.Base(p)
		dataA, errA := os.ReadFile(p)
		dataB, errB := os.ReadFile(filepath.Join(b, name))
		if errA != nil || errB != nil {
			t.Fatalf("reading %s: %v, %v", name, errA, errB)
		}
		if !bytes.Equal(dataA, dataB) {
			t.Errorf("%s differs between two runs on the same input", name)
		}
	}
}

func TestTextLayoutPlan(t *testing.T) {
	figures, err := buildFigures(planInput())
	if err != nil {
		t.Fatal(err)
	}
	for _, fig := range figures {
		checkTextLayout(t, fig)
	}
}

func TestOneCell(t *testing.T) {
	in := buildInput([]fixtureCell{{framework: "vllm", model: planModels[0], workload: planWorkloads[0]}}, 1.006)
	figures, err := buildFigures(in)
	if err != nil {
		t.Fatal(err)
	}

	var names []string
	for _, fig := range figures {
		names = append(names, fig.name)
		checkTextLayout(t, fig)
		renderSVG(t, fig)
	}
	want := []string{"throughput-small", "requests-small", "latency-ttft-small", "latency-tpot-small", "latency-e2e-small", "cost", "timeline-facebook-opt-125m-small"}
	if !slices.Equal(names, want) {
		t.Errorf("charts of one cell = %v, want %v (no scaling chart for one model)", names, want)
	}
}

func TestAllFailedCell(t *testing.T) {
	cells := planCells(planFrameworks)[:6] // workload small
	for i := range cells {
		if cells[i].framework == "sglang" && cells[i].model.id == "Qwen/Qwen2-1.5B" {
			cells[i].failed, cells[i].kind = cells[i].workload.requests, record.FailureHTTP5xx
		}
	}
	in := buildInput(cells, 1.006)
	figures, err := buildFigures(in)
	if err != nil {
		t.Fatal(err)
	}

	sglang := palette[knownFrameworks["sglang"]]
	for _, name := range []string{"throughput-small", "latency-ttft-small", "latency-e2e-small"} {
		t.Run(name, func(t *testing.T) {
			fig := figureNamed(t, figures, name)
			svg := string(renderSVG(t, fig))
			if !strings.Contains(svg, "all 10 failed") {
				t.Errorf("%s SVG has no label \"all 10 failed\"", name)
			}
			// Bars fill in sglang's colour, latency boxes in its tint: one
			// per cell with data, two models of three. A bar or box drawn for
			// the failed cell would make three.
			var want color.Color = sglang
			if strings.HasPrefix(name, "latency") {
				want = tint(sglang)
			}
			c := trace(t, fig)
			fills := 0
			for _, f := range c.fills {
				if isSwatch(f.box) {
					continue
				}
				if colorEqual(f.color, want) {
					fills++
				}
			}
			if fills != 2 {
				t.Errorf("%s draws %d bars or boxes for sglang, want 2 (the cells with data)", name, fills)
			}
			checkTextLayout(t, fig)
		})
	}

	cost := string(renderSVG(t, figureNamed(t, figures, "cost")))
	if !strings.Contains(cost, "all 10 failed") {
		t.Error("cost SVG has no label \"all 10 failed\"")
	}
}

// isSwatch reports whether b has the size of a legend swatch.
func isSwatch(b box) bool {
	return math.Abs(b.x1-b.x0-swatchSize) < 0.01 && math.Abs(b.y1-b.y0-swatchSize) < 0.01
}

func colorEqual(a, b color.Color) bool {
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}

func TestEightFrameworks(t *testing.T) {
	frameworks := frameworkNames(8)
	colors := assignColors(frameworks)
	seen := map[int]string{}
	for _, f := range frameworks {
		if other, dup := seen[colors[f]]; dup {
			t.Errorf("frameworks %s and %s share palette colour %d", f, other, colors[f])
		}
		seen[colors[f]] = f
	}

	in := buildInput(planCells(frameworks), 1.006)
	figures, err := buildFigures(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, fig := range figures {
		checkTextLayout(t, fig)
	}
	legend := figureNamed(t, figures, "throughput-large").legend
	if len(legend) != 8 {
		t.Errorf("legend has %d entries, want 8", len(legend))
	}
}

func TestKnownFrameworkColorsFixed(t *testing.T) {
	alone := assignColors([]string{"sglang"})
	mixed := assignColors([]string{"zeta", "alpha", "vllm", "sglang"})
	if alone["sglang"] != mixed["sglang"] {
		t.Errorf("sglang's colour depends on the other frameworks: %d alone, %d with others", alone["sglang"], mixed["sglang"])
	}
	if mixed["alpha"] == mixed["zeta"] {
		t.Errorf("alpha and zeta share colour %d", mixed["alpha"])
	}
	again := assignColors([]string{"vllm", "alpha", "sglang", "zeta"})
	if again["alpha"] != mixed["alpha"] || again["zeta"] != mixed["zeta"] {
		t.Error("unknown frameworks' colours depend on input order")
	}
}

// longModels returns three 60-character model ids that differ only near
// their ends.
func longModels() []fixtureModel {
	var out []fixtureModel
	for i, suffix := range []string{"7b-chat-q4", "7b-chat-q8", "13b-instr"} {
		id := "organisation-name/very-long-model-family-name-v2-" + suffix
		id += strings.Repeat("x", 60-len(id))
		m := planModels[i]
		m.id = id
		out = append(out, m)
	}
	return out
}

func TestLongModelNames(t *testing.T) {
	var cells []fixtureCell
	for _, w := range planWorkloads {
		for _, m := range longModels() {
			if len(m.id) != 60 {
				t.Fatalf("model id %q has %d characters, want 60", m.id, len(m.id))
			}
			for _, f := range planFrameworks {
				cells = append(cells, fixtureCell{framework: f, model: m, workload: w})
			}
		}
	}
	figures, err := buildFigures(buildInput(cells, 1.006))
	if err != nil {
		t.Fatal(err)
	}
	for _, fig := range figures {
		checkTextLayout(t, fig)
	}

	// Every tick label line fits its group's slot.
	fig := figureNamed(t, figures, "latency-ttft-medium")
	p := fig.panels[0]
	width := groupWidth(2)
	labels := map[string]bool{}
	for _, tick := range p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max) {
		for _, line := range strings.Split(tick.Label, "\n") {
			if w := p.X.Tick.Label.Width(line); w > width {
				t.Errorf("tick label line %q is %.1fpt wide, slot is %.1fpt", line, w.Points(), width.Points())
			}
		}
		if labels[tick.Label] {
			t.Errorf("two models share the tick label %q", tick.Label)
		}
		labels[tick.Label] = true
	}
}

func TestTextLayoutFindsOverlap(t *testing.T) {
	var cells []fixtureCell
	for _, m := range longModels() {
		cells = append(cells, fixtureCell{framework: "vllm", model: m, workload: planWorkloads[0]})
	}
	figures, err := buildFigures(buildInput(cells, 0))
	if err != nil {
		t.Fatal(err)
	}
	fig := figureNamed(t, figures, "throughput-small")
	if p := textProblems(t, fig); len(p) > 0 {
		t.Fatalf("wrapped labels overlap: %v", p)
	}

	// The same chart with the full model ids as tick labels must fail.
	var ticks []plot.Tick
	for i, m := range longModels() {
		ticks = append(ticks, plot.Tick{Value: float64(i), Label: m.id})
	}
	fig.panels[0].X.Tick.Marker = plot.ConstantTicks(ticks)
	if p := textProblems(t, fig); len(p) == 0 {
		t.Error("full 60-character tick labels side by side reported no overlap")
	}
}

func TestInvalidInput(t *testing.T) {
	valid := func() Input {
		return buildInput([]fixtureCell{{framework: "vllm", model: planModels[0], workload: planWorkloads[0]}}, 1)
	}
	negative := -5.0
	cases := []struct {
		name   string
		modify func(*Input)
		want   string
	}{
		{"no summaries", func(in *Input) { in.Summaries = nil }, "no summaries"},
		{"missing framework", func(in *Input) { in.Summaries[0].Framework = "" }, `framework ""`},
		{"duplicate cell", func(in *Input) { in.Summaries = append(in.Summaries, in.Summaries[0]) }, "appears twice"},
		{"negative throughput", func(in *Input) { in.Summaries[0].OutputTokenThroughput = &negative }, "output_token_throughput must be"},
		{"bad target rate", func(in *Input) { in.Summaries[0].TargetRate = "fast" }, `got "fast"`},
		{"negative price", func(in *Input) { in.Run.PricePerHourUSD = -1 }, "price per hour"},
		{"zero params", func(in *Input) { in.Run.ModelParams["facebook/opt-125m"] = 0 }, `model "facebook/opt-125m"`},
		{"orphan record", func(in *Input) { in.Records[0].Model = "other" }, "has no summary"},
		{"negative token time", func(in *Input) { in.Records[0].TokenTimes[3] = -1 }, "token time 3"},
		{"unknown timeline", func(in *Input) { in.Timelines = []TimelineOf{{Model: "m", Workload: "w"}} }, `model "m", workload "w"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := valid()
			tc.modify(&in)
			paths, err := WriteAll(t.TempDir(), in)
			if err == nil {
				t.Fatalf("WriteAll returned no error, wrote %v", paths)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

func TestSweepDetection(t *testing.T) {
	run, err := newRunData(sweepInput())
	if err != nil {
		t.Fatal(err)
	}
	groups := sweepGroups(run)
	if len(groups) != 1 || !slices.Equal(groups[0], []string{"rate-2", "rate-8", "rate-32"}) {
		t.Errorf("sweep groups = %v, want [[rate-2 rate-8 rate-32]]", groups)
	}

	plan, err := newRunData(planInput())
	if err != nil {
		t.Fatal(err)
	}
	if g := sweepGroups(plan); len(g) != 0 {
		t.Errorf("workloads of different output lengths form sweeps %v", g)
	}
}

func TestSweepLayout(t *testing.T) {
	figures, err := buildFigures(sweepInput())
	if err != nil {
		t.Fatal(err)
	}
	checkTextLayout(t, figureNamed(t, figures, "sweep-qwen-qwen2-1-5b-rate-2"))
}

func TestNoPriceSkipsCost(t *testing.T) {
	in := planInput()
	in.Run.PricePerHourUSD = 0
	figures, err := buildFigures(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range figures {
		if f.name == "cost" {
			t.Error("cost chart drawn without a price")
		}
	}
}

func TestSummaryWithoutRecords(t *testing.T) {
	in := planInput()
	in.Records = nil
	figures, err := buildFigures(in)
	if err != nil {
		t.Fatal(err)
	}
	svg := string(renderSVG(t, figureNamed(t, figures, "latency-ttft-small")))
	if !strings.Contains(svg, "no records") {
		t.Error("latency chart without records has no \"no records\" label")
	}
	for _, f := range figures {
		if strings.HasPrefix(f.name, "timeline-") {
			t.Errorf("timeline %s drawn without records", f.name)
		}
	}
}

func TestParamTicks(t *testing.T) {
	labels := func(lo, hi float64) []string {
		var out []string
		for _, tick := range (paramTicks{}).Ticks(lo, hi) {
			if tick.Label != "" {
				out = append(out, tick.Label)
			}
		}
		return out
	}
	if got := labels(78e6, 4.3e9); !slices.Equal(got, []string{"100M", "1B"}) {
		t.Errorf("labels over 78M..4.3B = %v, want [100M 1B]", got)
	}
	if got := labels(4e9, 45e9); !slices.Equal(got, []string{"5B", "10B", "20B"}) {
		t.Errorf("labels over 4B..45B = %v, want [5B 10B 20B]", got)
	}
}

func TestShortenAndWrap(t *testing.T) {
	sty := textStyle(tickSize, false)
	long := "organisation-name/very-long-model-family-name-v2-7b-chat-q4xx"

	short := shortenMiddle(sty, long, 80)
	if w := sty.Width(short); w > 80 {
		t.Errorf("shortenMiddle(%q, 80pt) = %q, %.1fpt wide", long, short, w.Points())
	}
	if !strings.Contains(short, ellipsis) || !strings.HasPrefix(long, strings.Split(short, ellipsis)[0]) ||
		!strings.HasSuffix(long, strings.Split(short, ellipsis)[1]) {
		t.Errorf("shortenMiddle(%q) = %q, want the start, an ellipsis and the end", long, short)
	}
	if got := shortenMiddle(sty, "opt-125m", 80); got != "opt-125m" {
		t.Errorf("shortenMiddle of a fitting name = %q, want it unchanged", got)
	}

	wrapped := wrapLabel(sty, long, 100, 3)
	lines := strings.Split(wrapped, "\n")
	if len(lines) > 3 {
		t.Errorf("wrapLabel gave %d lines, want at most 3: %q", len(lines), wrapped)
	}
	for _, l := range lines {
		if w := sty.Width(l); w > 100 {
			t.Errorf("wrapped line %q is %.1fpt wide, want at most 100pt", l, w.Points())
		}
	}
	if !strings.HasSuffix(wrapped, "q4xx") {
		t.Errorf("wrapLabel(%q) = %q, want the distinguishing end kept", long, wrapped)
	}
	if again := wrapLabel(sty, long, 100, 3); again != wrapped {
		t.Errorf("wrapLabel is not deterministic: %q then %q", wrapped, again)
	}
}

func TestSlug(t *testing.T) {
	cases := map[string]string{
		"medium":                "medium",
		"Qwen/Qwen2-1.5B":       "qwen-qwen2-1-5b",
		"  --weird//name--  ":   "weird-name",
		"!!!":                   "x" + shortHash("!!!"),
		strings.Repeat("a", 60): strings.Repeat("a", maxSlugLen) + "-" + shortHash(strings.Repeat("a", 60)),
	}
	for in, want := range cases {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatValue(t *testing.T) {
	cases := map[float64]string{0: "0", 0.5234: "0.523", 12.34: "12.3", 1843.2: "1843", 18432: "18.4k", 2.5e7: "25M"}
	for in, want := range cases {
		if got := formatValue(in); got != want {
			t.Errorf("formatValue(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestPercentile(t *testing.T) {
	sorted := []float64{10, 20, 30, 40, 50}
	cases := map[float64]float64{0: 10, 25: 20, 50: 30, 90: 46, 99: 49.6, 100: 50}
	for q, want := range cases {
		if got := percentile(sorted, q); math.Abs(got-want) > 1e-9 {
			t.Errorf("percentile(%v, %v) = %v, want %v", sorted, q, got, want)
		}
	}
	if got := percentile([]float64{7}, 99); got != 7 {
		t.Errorf("percentile of one value = %v, want 7", got)
	}
}

func TestModelParamsFromName(t *testing.T) {
	cases := map[string]float64{"facebook/opt-125m": 125e6, "Qwen/Qwen2-1.5B": 1.5e9, "meta/Llama-3-70B-Instruct": 70e9}
	for model, want := range cases {
		if got, ok := modelParams(nil, model); !ok || got != want {
			t.Errorf("modelParams(%q) = %v, %v; want %v", model, got, ok, want)
		}
	}
	if got, ok := modelParams(nil, "microsoft/phi-2"); ok {
		t.Errorf("modelParams(phi-2) = %v, want no count", got)
	}
}

func TestBinRecords(t *testing.T) {
	ms := time.Millisecond
	recs := []record.Record{
		{OK: true, ScheduledOffset: 0, StreamEnd: 30 * ms, TokenTimes: []time.Duration{5 * ms, 15 * ms, 25 * ms}, TokensPerEvent: []int{1, 2, 1}},
		{OK: false, ScheduledOffset: 10 * ms, SendDelay: 0, StreamEnd: 10 * ms},
	}
	s := binRecords("vllm", recs, 10*ms, 3)
	// Tokens: 1 in [0,10), 2 in [10,20), 1 in [20,30) ms, per 10 ms bin.
	wantTokens := []float64{100, 200, 100}
	// In flight: the first request all three bins, the failed one [10,20).
	wantFlight := []float64{1, 2, 1}
	for b := range 3 {
		if math.Abs(s.tokens[b]-wantTokens[b]) > 1e-9 {
			t.Errorf("tokens/s of bin %d = %v, want %v", b, s.tokens[b], wantTokens[b])
		}
		if math.Abs(s.inFlight[b]-wantFlight[b]) > 1e-9 {
			t.Errorf("in flight in bin %d = %v, want %v", b, s.inFlight[b], wantFlight[b])
		}
	}
}

func TestBoxesMatchSummary(t *testing.T) {
	run, err := newRunData(planInput())
	if err != nil {
		t.Fatal(err)
	}
	for key, s := range run.summaries {
		slot := latencySlot(run, key, latencyMetrics[0])
		if slot.stats == nil || s.TTFT.P50 == nil || s.TTFT.P99 == nil {
			t.Errorf("%s: box %v, summary TTFT p50 %v p99 %v", key, slot.stats, s.TTFT.P50, s.TTFT.P99)
			continue
		}
		if math.Abs(slot.stats.p50-*s.TTFT.P50) > 1e-6 {
			t.Errorf("%s: box p50 %.6f ms, summary p50 %.6f ms", key, slot.stats.p50, *s.TTFT.P50)
		}
		if math.Abs(slot.stats.p99-*s.TTFT.P99) > 1e-6 {
			t.Errorf("%s: box p99 %.6f ms, summary p99 %.6f ms", key, slot.stats.p99, *s.TTFT.P99)
		}
	}
}

// TestOverriddenWorkloadSubtitle checks that a workload whose cells got
// different settings from matrix overrides is not described by one cell's
// settings.
func TestOverriddenWorkloadSubtitle(t *testing.T) {
	cells := planCells(planFrameworks)
	for i := range cells {
		if cells[i].framework == "vllm" && cells[i].workload.name == "small" {
			cells[i].workload.maxTokens = 32
			cells[i].workload.requests = 12
		}
	}
	dir := t.TempDir()
	if _, err := WriteAll(dir, buildInput(cells, 1.006)); err != nil {
		t.Fatal(err)
	}

	small, err := os.ReadFile(filepath.Join(dir, "throughput-small.svg"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(small, []byte("differ between cells")) {
		t.Error("throughput-small.svg does not say that its cells' settings differ")
	}
	if bytes.Contains(small, []byte("max_tokens 32")) || bytes.Contains(small, []byte("max_tokens 64")) {
		t.Error("throughput-small.svg describes one cell's max_tokens as the workload's")
	}

	medium, err := os.ReadFile(filepath.Join(dir, "throughput-medium.svg"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(medium, []byte("max_tokens 128")) {
		t.Error("throughput-medium.svg lost the description of its uniform cells")
	}
}
