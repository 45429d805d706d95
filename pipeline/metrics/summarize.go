package metrics

import (
	"time"

	"github.com/llmbench/llmbench-action/pipeline/record"
)

// SLO sets optional service-level objectives for goodput. A zero value
// means the objective is not set.
type SLO struct {
	TTFT time.Duration
	TPOT time.Duration
	E2E  time.Duration
}

// Options are the per-cell settings a summary depends on besides the records.
// They are stored with the results so that a summary can be recomputed from
// requests.parquet alone.
type Options struct {
	// PricePerHourUSD is the price of the server's hardware per hour; 0 means
	// unknown, and the cost fields stay nil.
	PricePerHourUSD float64
	SLO             SLO
	// TargetRate is the workload's request rate in requests per second:
	// 0 for closed loop, +Inf for "inf".
	TargetRate  float64
	Concurrency int
}

// Summarize derives the summary of one cell from its records. Warm-up
// records are ignored.
// TODO: placeholder until the metrics implementation lands.
func Summarize(framework, model, workload string, records []record.Record, opts Options) Summary {
	return Summary{Framework: framework, Model: model, Workload: workload}
}
