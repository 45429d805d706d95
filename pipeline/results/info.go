package results

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
	"github.com/llmbench/llmbench-action/pipeline/workload"
)

// SchemaVersion is the version of the results layout and of the
// requests.parquet columns that this package writes and reads. It changes
// when a column is renamed, removed or changes meaning.
const SchemaVersion = "1"

// Key-value metadata keys written into every Parquet file of a run.
const (
	MetaSchemaVersion = "llmbench.schema_version"
	MetaToolVersion   = "llmbench.tool_version"
	MetaGitCommit     = "llmbench.git_commit"
	MetaGPUName       = "llmbench.gpu_name"
	MetaGPUDriver     = "llmbench.gpu_driver"
	MetaRunnerName    = "llmbench.runner_name"
	MetaStartedAt     = "llmbench.started_at"
	// MetaRun holds the whole RunInfo as JSON.
	MetaRun = "llmbench.run"
	// MetaCells holds the []CellInfo of the cells in the file as JSON.
	MetaCells = "llmbench.cells"
	// MetaFileKind is what the file contains: FileKindRequests or
	// FileKindSummary. Files written before this key existed lack it.
	MetaFileKind = "llmbench.file_kind"
)

// Values of the MetaFileKind metadata.
const (
	// FileKindRequests marks requests.parquet and the files of the cells
	// folder: one row per request.
	FileKindRequests = "requests"
	// FileKindSummary marks summary.parquet: one row per cell.
	FileKindSummary = "summary"
)

// CellKey identifies a cell: one (framework, model, workload).
type CellKey struct {
	Framework string `json:"framework"`
	Model     string `json:"model"`
	Workload  string `json:"workload"`
}

// String returns "framework/model/workload".
func (k CellKey) String() string {
	return k.Framework + "/" + k.Model + "/" + k.Workload
}

// fileID returns a file name stem for the cell: its fields with unsafe
// characters replaced, plus a hash of the exact key so that two keys never
// share a file.
func (k CellKey) fileID() string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-':
				return r
			}
			return '_'
		}, s)
	}
	sum := sha256.Sum256([]byte(k.Framework + "\x00" + k.Model + "\x00" + k.Workload))
	return clean(k.Framework) + "__" + clean(k.Model) + "__" + clean(k.Workload) + "-" + hex.EncodeToString(sum[:4])
}

// RunInfo is the reproducibility record of a run, stored as JSON in the
// key-value metadata of every Parquet file of the run. The Writer redacts
// secrets from it before writing.
type RunInfo struct {
	ToolVersion string `json:"tool_version"`
	GitCommit   string `json:"git_commit"`
	// Matrix is the matrix or workload definition the run used, as JSON.
	Matrix json.RawMessage `json:"matrix,omitempty"`
	// Planned lists the cells the run was meant to measure, in run order.
	// Open reports planned cells without results as missing.
	Planned    []CellKey `json:"planned,omitempty"`
	GPUName    string    `json:"gpu_name"`
	GPUDriver  string    `json:"gpu_driver"`
	GPUCount   int       `json:"gpu_count"`
	RunnerName string    `json:"runner_name"`
	// Instance is the cloud instance type whose price the cost figures use,
	// e.g. "g5.xlarge"; empty when a price was given directly.
	Instance  string    `json:"instance,omitempty"`
	StartedAt time.Time `json:"started_at"`
	// Env holds environment variables recorded for reproducibility, e.g.
	// CUDA_VISIBLE_DEVICES. Variables whose names look secret are redacted.
	Env map[string]string `json:"env,omitempty"`
}

// CellInfo describes one cell of a run: what ran and the options its summary
// depends on, so that a summary can be recomputed from the records alone.
type CellInfo struct {
	Framework string
	Model     string
	Workload  string
	// Options are the summary options of the cell (price, SLO, target rate,
	// concurrency).
	Options metrics.Options
	// Image is the container image reference, ImageDigest its digest.
	Image       string
	ImageDigest string
	// ModelRevision is the Hugging Face revision (commit or tag) served.
	ModelRevision string
	// ModelParams is the model's parameter count, 0 when unknown; the
	// report's scaling section uses it.
	ModelParams float64
	// Target is the server's origin: "container", "endpoint" or "sim".
	Target string
	// RunnerName, GPUName and GPUDriver identify the machine of the cell.
	// The Writer fills them from the RunInfo when empty, so merged runs
	// keep them.
	RunnerName string
	GPUName    string
	GPUDriver  string
	// Complete is true when the workload ran to its end; false for a cell cut
	// short by an interrupt or a failed server.
	Complete bool
}

// Key returns the cell's key.
func (c CellInfo) Key() CellKey {
	return CellKey{Framework: c.Framework, Model: c.Model, Workload: c.Workload}
}

// cellJSON is the stored form of CellInfo. Durations are float64
// milliseconds and the target rate is text, because JSON has no infinity.
type cellJSON struct {
	Framework       string  `json:"framework"`
	Model           string  `json:"model"`
	Workload        string  `json:"workload"`
	PricePerHourUSD float64 `json:"price_per_hour_usd"`
	SLOTTFTMs       float64 `json:"slo_ttft_ms"`
	SLOTPOTMs       float64 `json:"slo_tpot_ms"`
	SLOE2EMs        float64 `json:"slo_e2e_ms"`
	TargetRate      string  `json:"target_rate"`
	Concurrency     int     `json:"concurrency"`
	Image           string  `json:"image"`
	ImageDigest     string  `json:"image_digest"`
	ModelRevision   string  `json:"model_revision"`
	ModelParams     float64 `json:"model_params"`
	Target          string  `json:"target"`
	RunnerName      string  `json:"runner_name"`
	GPUName         string  `json:"gpu_name"`
	GPUDriver       string  `json:"gpu_driver"`
	Complete        bool    `json:"complete"`
}

// MarshalJSON encodes the cell with its options flattened.
func (c CellInfo) MarshalJSON() ([]byte, error) {
	return json.Marshal(cellJSON{
		Framework:       c.Framework,
		Model:           c.Model,
		Workload:        c.Workload,
		PricePerHourUSD: c.Options.PricePerHourUSD,
		SLOTTFTMs:       toMs(c.Options.SLO.TTFT),
		SLOTPOTMs:       toMs(c.Options.SLO.TPOT),
		SLOE2EMs:        toMs(c.Options.SLO.E2E),
		TargetRate:      workload.FormatRate(c.Options.TargetRate),
		Concurrency:     c.Options.Concurrency,
		Image:           c.Image,
		ImageDigest:     c.ImageDigest,
		ModelRevision:   c.ModelRevision,
		ModelParams:     c.ModelParams,
		Target:          c.Target,
		RunnerName:      c.RunnerName,
		GPUName:         c.GPUName,
		GPUDriver:       c.GPUDriver,
		Complete:        c.Complete,
	})
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (c *CellInfo) UnmarshalJSON(data []byte) error {
	var j cellJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	rate, err := parseRate(j.TargetRate)
	if err != nil {
		return fmt.Errorf("cell %s/%s/%s: %w", j.Framework, j.Model, j.Workload, err)
	}
	*c = CellInfo{
		Framework: j.Framework,
		Model:     j.Model,
		Workload:  j.Workload,
		Options: metrics.Options{
			PricePerHourUSD: j.PricePerHourUSD,
			SLO: metrics.SLO{
				TTFT: fromMs(j.SLOTTFTMs),
				TPOT: fromMs(j.SLOTPOTMs),
				E2E:  fromMs(j.SLOE2EMs),
			},
			TargetRate:  rate,
			Concurrency: j.Concurrency,
		},
		Image:         j.Image,
		ImageDigest:   j.ImageDigest,
		ModelRevision: j.ModelRevision,
		ModelParams:   j.ModelParams,
		Target:        j.Target,
		RunnerName:    j.RunnerName,
		GPUName:       j.GPUName,
		GPUDriver:     j.GPUDriver,
		Complete:      j.Complete,
	}
	return nil
}

// parseRate reads what workload.FormatRate writes, and any other decimal
// or exponent form of a rate.
func parseRate(s string) (float64, error) {
	switch s {
	case "":
		return 0, nil
	case "inf":
		return math.Inf(1), nil
	}
	rate, err := strconv.ParseFloat(s, 64)
	if err != nil || rate < 0 || math.IsNaN(rate) {
		return 0, fmt.Errorf("invalid target_rate %q: want \"\", \"inf\" or a number >= 0", s)
	}
	return rate, nil
}

// metadata returns the key-value metadata of a Parquet file of the given
// kind (FileKindRequests or FileKindSummary) holding cells.
func metadata(kind string, run RunInfo, cells []CellInfo) ([][2]string, error) {
	runJSON, err := json.Marshal(run)
	if err != nil {
		return nil, fmt.Errorf("encoding run info: %w", err)
	}
	if cells == nil {
		cells = []CellInfo{}
	}
	cellsJSON, err := json.Marshal(cells)
	if err != nil {
		return nil, fmt.Errorf("encoding cell info: %w", err)
	}
	started := ""
	if !run.StartedAt.IsZero() {
		started = run.StartedAt.UTC().Format(time.RFC3339Nano)
	}
	return [][2]string{
		{MetaSchemaVersion, SchemaVersion},
		{MetaFileKind, kind},
		{MetaToolVersion, run.ToolVersion},
		{MetaGitCommit, run.GitCommit},
		{MetaGPUName, run.GPUName},
		{MetaGPUDriver, run.GPUDriver},
		{MetaRunnerName, run.RunnerName},
		{MetaStartedAt, started},
		{MetaRun, string(runJSON)},
		{MetaCells, string(cellsJSON)},
	}, nil
}
