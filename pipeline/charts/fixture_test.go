package charts

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
	"github.com/llmbench/llmbench-action/pipeline/record"
)

// fixtureModel is a model of the simulated run with its latency profile.
type fixtureModel struct {
	id     string
	params float64
	ttft   time.Duration // base time to first token
	itl    time.Duration // base inter-token latency
}

// fixtureWorkload is a workload of the simulated run.
type fixtureWorkload struct {
	name        string
	requests    int
	maxTokens   int
	concurrency int
	rate        string // target rate as in Summary.TargetRate
}

var (
	planModels = []fixtureModel{
		{"facebook/opt-125m", 125e6, 9 * time.Millisecond, 2 * time.Millisecond},
		{"Qwen/Qwen2-1.5B", 1.5e9, 22 * time.Millisecond, 7 * time.Millisecond},
		{"microsoft/phi-2", 2.7e9, 35 * time.Millisecond, 11 * time.Millisecond},
	}
	planWorkloads = []fixtureWorkload{
		{"small", 10, 64, 2, ""},
		{"medium", 50, 128, 4, ""},
		{"large", 100, 256, 8, ""},
	}
	planFrameworks = []string{"vllm", "sglang"}
	fixtureDate    = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
)

// frameworkSpeed scales latencies per framework, so the charts show a
// difference: vLLM starts faster, SGLang streams faster.
var frameworkSpeed = map[string][2]float64{
	"vllm":   {0.9, 1.05},
	"sglang": {1.1, 0.9},
}

// fixtureCell describes one simulated cell: how many requests fail, and how.
type fixtureCell struct {
	framework string
	model     fixtureModel
	workload  fixtureWorkload
	failed    int
	kind      record.FailureKind
}

// simulateCell produces the records of a closed-loop run of one cell with a
// fixed seed: each of the workload's users sends its next request when its
// previous one ends.
func simulateCell(c fixtureCell, seed uint64) []record.Record {
	rng := rand.New(rand.NewPCG(seed, 7))
	speed, ok := frameworkSpeed[c.framework]
	if !ok {
		speed = [2]float64{1 + 0.07*float64(len(c.framework)%5), 1 - 0.03*float64(len(c.framework)%4)}
	}
	users := max(c.workload.concurrency, 1)
	free := make([]time.Duration, users)
	load := 1 + 0.12*float64(users)

	records := make([]record.Record, c.workload.requests)
	for i := range records {
		u := slices.Index(free, slices.Min(free))
		sched := free[u]
		jitter := math.Exp(rng.NormFloat64() * 0.25)
		// Requests of a cold server start slower: warm-up in the timeline.
		warm := 1 + 1.5*math.Exp(-float64(i)/4)
		ttft := time.Duration(float64(c.model.ttft) * speed[0] * load * jitter * warm)
		itl := time.Duration(float64(c.model.itl) * speed[1] * (1 + 0.05*float64(users)) * (1 + 0.6*math.Exp(-float64(i)/6)))

		r := record.Record{
			Framework: c.framework, Model: c.model.id, Workload: c.workload.name,
			Index: i, Endpoint: "/v1/completions",
			ScheduledAt:     fixtureDate.Add(sched),
			ScheduledOffset: sched,
			SendDelay:       time.Duration(100+rng.IntN(400)) * time.Microsecond,
			MaxTokens:       c.workload.maxTokens, IgnoreEOS: true,
			InputTokensClient: 32, InputTokens: 32, InputTokensKnown: true,
			Status: 200,
		}
		if i%max(c.workload.requests/max(c.failed, 1), 1) == 0 && c.failed > 0 && countFailed(records[:i]) < c.failed {
			r.Failure = c.kind
			r.FailureLatency = 2 * time.Second
			r.StreamEnd = r.FailureLatency
			r.Status = 0
			if c.kind == record.FailureHTTP5xx {
				r.Status = 503
				r.FailureLatency = 4 * time.Millisecond
				r.StreamEnd = r.FailureLatency
			}
			free[u] = sched + r.StreamEnd
			records[i] = r
			continue
		}

		t := ttft
		r.TokenTimes = make([]time.Duration, c.workload.maxTokens)
		r.TokensPerEvent = make([]int, c.workload.maxTokens)
		for j := range r.TokenTimes {
			if j > 0 {
				t += time.Duration(float64(itl) * math.Exp(rng.NormFloat64()*0.2))
			}
			r.TokenTimes[j] = t
			r.TokensPerEvent[j] = 1
		}
		r.TTFT, r.HasTTFT = ttft, true
		r.E2E = t
		r.StreamEnd = t + 300*time.Microsecond
		r.OutputTokens, r.OutputTokensKnown, r.OutputTokensSource = c.workload.maxTokens, true, "usage"
		r.FinishReason = "length"
		r.OK = true
		free[u] = sched + r.StreamEnd
		records[i] = r
	}
	return records
}

func countFailed(records []record.Record) int {
	n := 0
	for _, r := range records {
		if !r.OK {
			n++
		}
	}
	return n
}

// summarize derives a cell's summary with package metrics.
func summarize(c fixtureCell, records []record.Record, pricePerHour float64) metrics.Summary {
	opts := metrics.Options{PricePerHourUSD: pricePerHour, Concurrency: c.workload.concurrency}
	if c.workload.rate != "" {
		rate, err := strconv.ParseFloat(c.workload.rate, 64)
		if err != nil {
			panic(fmt.Sprintf("fixture rate %q: %v", c.workload.rate, err))
		}
		opts.TargetRate = rate
	}
	return metrics.Summarize(c.framework, c.model.id, c.workload.name, records, opts)
}

// buildInput simulates cells and returns the charts' input.
func buildInput(cells []fixtureCell, price float64) Input {
	in := Input{Run: RunInfo{
		ID: "4711", Date: fixtureDate, InstanceType: "g5.xlarge", PricePerHourUSD: price,
		ModelParams: map[string]float64{},
	}}
	for i, c := range cells {
		recs := simulateCell(c, uint64(i+1))
		in.Records = append(in.Records, recs...)
		in.Summaries = append(in.Summaries, summarize(c, recs, price))
		in.Run.ModelParams[c.model.id] = c.model.params
		in.Run.Frameworks = appendNew(in.Run.Frameworks, c.framework)
	}
	return in
}

// planCells returns the benchmark plan's matrix: 3 models × the frameworks
// × 3 workloads, with a few timeouts in one cell.
func planCells(frameworks []string) []fixtureCell {
	var cells []fixtureCell
	for _, w := range planWorkloads {
		for _, m := range planModels {
			for _, f := range frameworks {
				c := fixtureCell{framework: f, model: m, workload: w}
				if f == "sglang" && m.id == "microsoft/phi-2" && w.name == "large" {
					c.failed, c.kind = 3, record.FailureTimeout
				}
				cells = append(cells, c)
			}
		}
	}
	return cells
}

// planInput is the realistic 3 × 2 × 3 run priced like an AWS g5.xlarge.
func planInput() Input {
	return buildInput(planCells(planFrameworks), 1.006)
}

// sweepInput is one model under three request rates of the same shape.
func sweepInput() Input {
	var cells []fixtureCell
	for _, rate := range []int{2, 8, 32} {
		w := fixtureWorkload{name: "rate-" + strconv.Itoa(rate), requests: 40, maxTokens: 64, concurrency: rate / 2, rate: strconv.Itoa(rate)}
		for _, f := range planFrameworks {
			cells = append(cells, fixtureCell{framework: f, model: planModels[1], workload: w})
		}
	}
	in := buildInput(cells, 0)
	in.Run.Workloads = nil
	return in
}

// frameworkNames returns n framework names: the known ones first.
func frameworkNames(n int) []string {
	names := []string{"vllm", "sglang", "tgi", "llamacpp", "trtllm", "ollama", "mlc-llm", "lmdeploy", "exllama", "aphrodite"}
	if n > len(names) {
		panic(fmt.Sprintf("frameworkNames: at most %d", len(names)))
	}
	return names[:n]
}
