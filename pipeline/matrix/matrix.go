// Package matrix defines what a benchmark run covers: frameworks × models ×
// workloads, minus excluded cells, with per-cell workload overrides, a price
// per hour and optional SLOs. A cell is one (framework, model, workload); a
// server group is one (framework, model), whose server starts once and serves
// all its workloads.
//
// A matrix file is YAML (docs/matrix.md has the full reference):
//
//	frameworks:
//	  - name: vllm                      # vllm or sglang
//	    image: vllm/vllm-openai:v0.27.0 # optional; the pinned v0.28.0 otherwise
//	    args: ["--max-model-len", "2048"]
//	    env: {VLLM_LOGGING_LEVEL: INFO}
//	    gpus: all                       # all, none, a count (2) or device ids ("0,1")
//	    shm_size: 8g                    # optional shared memory size
//	  - sglang                          # a bare name takes every default
//	models:
//	  - id: facebook/opt-125m
//	    params: 125M                    # 125M, 1.5B, 2.7B or a number
//	    revision: main
//	    args: []
//	  - Qwen/Qwen2-1.5B
//	workloads: [small, medium, large, ./workloads/burst.json]
//	exclude:
//	  - {framework: sglang, model: microsoft/phi-2, workload: large}
//	overrides:
//	  - match: {framework: vllm, workload: large}
//	    set: {concurrency: 16, max_tokens: 512, timeout: 2m}
//	price_per_hour: 1.006               # or instance: g5.xlarge
//	slo: {ttft: 200ms, tpot: 50ms, e2e: 10s}
//
// A section left out takes the default matrix's value: the frameworks vllm
// and sglang, the models facebook/opt-125m, Qwen/Qwen2-1.5B and
// microsoft/phi-2, and the workloads small, medium and large. A section
// present but empty is an error. Parsing is strict: an unknown field, a
// duplicate, an exclude or override naming something not in the matrix, or an
// override that matches only excluded cells is an error naming the file, the
// line and the field.
package matrix

import (
	"fmt"
	"path"
	"strings"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
	"github.com/llmbench/llmbench-action/pipeline/workload"
)

// Known framework names.
const (
	FrameworkVLLM   = "vllm"
	FrameworkSGLang = "sglang"
)

// KnownFrameworks lists the frameworks a matrix may name.
var KnownFrameworks = []string{FrameworkVLLM, FrameworkSGLang}

// DefaultSource is the Source of the built-in default matrix.
const DefaultSource = "default"

// Framework is one serving engine and how to start it.
type Framework struct {
	// Name is one of KnownFrameworks.
	Name string
	// Image is the container image reference; empty means the framework's
	// pinned default image.
	Image string
	// Args are extra server command-line arguments, appended after the
	// framework's own. Parse rejects the flags llmbench sets itself: --port,
	// --host, --model, --model-path and --served-model-name.
	Args []string
	// Env is extra container environment.
	Env map[string]string
	// GPUs is in the syntax of `docker run --gpus`: "all", a count such as
	// "2", or "device=0,1"; or "none" for no GPU. GPURequest decodes it.
	GPUs string
	// ShmSizeBytes is the container's shared memory size in bytes; 0 means
	// the framework's default.
	ShmSizeBytes int64
}

// Model is one model served by every framework of the matrix.
type Model struct {
	// ID is the Hugging Face repository id, e.g. "facebook/opt-125m".
	ID string
	// Params is the parameter count (125e6 for 125M); 0 means unknown, and the
	// model is left out of charts that scale with model size.
	Params float64
	// Revision is the repository revision (branch, tag or commit); empty means
	// the default branch.
	Revision string
	// Args are extra server command-line arguments for this model, appended
	// after the framework's. Parse rejects the same flags as in
	// Framework.Args.
	Args []string
}

// Matrix is frameworks × models × workloads with excludes and overrides.
// Build one with Default, Load or Parse; Cells lists what it runs.
type Matrix struct {
	Frameworks []Framework
	Models     []Model
	// Workloads are resolved: built-in workloads and workload files, before
	// overrides.
	Workloads []workload.Workload
	// Excludes remove every cell they match.
	Excludes []Match
	// Overrides change the workload of every cell they match, in order, so a
	// later override wins over an earlier one.
	Overrides []Override
	// PricePerHourUSD is the price of the server's hardware per hour in US
	// dollars; 0 means unknown. With Instance set it is the instance's price.
	PricePerHourUSD float64
	// Instance is the cloud instance type whose list price was taken from
	// metrics.Instances, e.g. "g5.xlarge". It is empty when the price was
	// given directly or not at all.
	Instance string
	// SLO sets the objectives for goodput; a zero field is not set.
	SLO metrics.SLO
	// Source is the matrix file's path, or DefaultSource.
	Source string
	// Hash is the hex SHA-256 of the matrix file's bytes; empty for the
	// default matrix.
	Hash string
}

// Cell is one (framework, model, workload) with excludes and overrides
// applied.
type Cell struct {
	// ID is "<framework>/<model name>/<workload>", e.g. "vllm/opt-125m/medium".
	ID string
	// GroupID is the ID of the cell's server group, e.g. "vllm/opt-125m".
	GroupID   string
	Framework Framework
	Model     Model
	// ModelName is the model's name within cell IDs (see ModelNames).
	ModelName string
	// Workload has the matching overrides applied.
	Workload workload.Workload
}

// FileName returns the cell ID with "/" replaced by "_", for file and
// artifact names. Parse rejects a matrix in which two cells share one.
func (c Cell) FileName() string { return fileName(c.ID) }

// Group is one server group: a framework serving a model for every workload
// of its cells.
type Group struct {
	// ID is "<framework>/<model name>", e.g. "vllm/opt-125m".
	ID        string
	Framework Framework
	Model     Model
	ModelName string
	// Cells are the group's cells in workload order; never empty.
	Cells []Cell
}

// FileName returns the group ID with "/" replaced by "_".
func (g Group) FileName() string { return fileName(g.ID) }

func fileName(id string) string { return strings.ReplaceAll(id, "/", "_") }

// ModelNames returns the name of each model within cell IDs: the last path
// element of its ID ("opt-125m"), or, when two models share that element, the
// whole ID with "/" replaced by "--" ("org-a--llama", "org-b--llama").
func ModelNames(models []Model) []string {
	count := make(map[string]int)
	for _, m := range models {
		count[path.Base(m.ID)]++
	}
	names := make([]string, len(models))
	for i, m := range models {
		short := path.Base(m.ID)
		if count[short] > 1 {
			short = strings.ReplaceAll(m.ID, "/", "--")
		}
		names[i] = short
	}
	return names
}

// Cells returns the matrix's cells with excludes applied and overrides
// merged, ordered by framework, then model, then workload, each as listed.
func (m Matrix) Cells() []Cell {
	names := ModelNames(m.Models)
	var cells []Cell
	for _, f := range m.Frameworks {
		for i, model := range m.Models {
			for _, w := range m.Workloads {
				if m.excluded(f, model, names[i], w) {
					continue
				}
				for _, o := range m.Overrides {
					if o.Match.matches(f, model, names[i], w) {
						w = o.Set.Apply(w)
					}
				}
				group := f.Name + "/" + names[i]
				cells = append(cells, Cell{
					ID:        group + "/" + w.Name,
					GroupID:   group,
					Framework: f,
					Model:     model,
					ModelName: names[i],
					Workload:  w,
				})
			}
		}
	}
	return cells
}

func (m Matrix) excluded(f Framework, model Model, modelName string, w workload.Workload) bool {
	for _, e := range m.Excludes {
		if e.matches(f, model, modelName, w) {
			return true
		}
	}
	return false
}

// Groups returns the matrix's server groups in cell order, each with its
// cells. A (framework, model) whose cells are all excluded has no group.
func (m Matrix) Groups() []Group { return GroupCells(m.Cells()) }

// GroupCells groups cells by server group, keeping the order in which each
// group first appears and the cells' order within it.
func GroupCells(cells []Cell) []Group {
	var groups []Group
	index := make(map[string]int)
	for _, c := range cells {
		i, ok := index[c.GroupID]
		if !ok {
			i = len(groups)
			index[c.GroupID] = i
			groups = append(groups, Group{ID: c.GroupID, Framework: c.Framework, Model: c.Model, ModelName: c.ModelName})
		}
		groups[i].Cells = append(groups[i].Cells, c)
	}
	return groups
}

// Cell returns the cell with the given ID (or file name, as FileName
// returns it).
func (m Matrix) Cell(id string) (Cell, error) {
	cells := m.Cells()
	for _, c := range cells {
		if c.ID == id || c.FileName() == id {
			return c, nil
		}
	}
	ids := make([]string, len(cells))
	for i, c := range cells {
		ids[i] = c.ID
	}
	return Cell{}, fmt.Errorf("no cell %q in matrix %s: cells are %s", id, m.Source, strings.Join(ids, ", "))
}

// GPURequest decodes GPUs into the fields of a Docker device request. count
// is -1 for all GPUs, the number of GPUs for a count, and 0 for none or for
// device ids. deviceIDs lists the devices of a "device=..." value.
func (f Framework) GPURequest() (count int, deviceIDs []string) {
	switch {
	case f.GPUs == "" || f.GPUs == "all":
		return -1, nil
	case f.GPUs == "none":
		return 0, nil
	case strings.HasPrefix(f.GPUs, "device="):
		return 0, strings.Split(strings.TrimPrefix(f.GPUs, "device="), ",")
	}
	n := 0
	for _, r := range f.GPUs {
		if r < '0' || r > '9' {
			return 0, nil
		}
		n = n*10 + int(r-'0')
	}
	return n, nil
}
