package matrix

import (
	"fmt"

	"github.com/llmbench/llmbench-action/pipeline/workload"
)

// defaultGPUs is the GPUs value of a framework that does not set one.
const defaultGPUs = "all"

// DefaultModels are the models of the default matrix: three sizes, so charts
// show how each framework scales with model size.
var DefaultModels = []Model{
	{ID: "facebook/opt-125m", Params: 125e6},
	{ID: "Qwen/Qwen2-1.5B", Params: 1.5e9},
	{ID: "microsoft/phi-2", Params: 2.7e9},
}

// DefaultWorkloads are the names of the default matrix's built-in workloads.
var DefaultWorkloads = []string{"small", "medium", "large"}

// Default returns the default matrix: vllm and sglang × DefaultModels ×
// DefaultWorkloads, 18 cells in 6 server groups, with no price and no SLO.
func Default() Matrix {
	return Matrix{
		Frameworks: defaultFrameworks(),
		Models:     defaultModels(),
		Workloads:  defaultWorkloads(),
		Source:     DefaultSource,
	}
}

func defaultFrameworks() []Framework {
	frameworks := make([]Framework, len(KnownFrameworks))
	for i, name := range KnownFrameworks {
		frameworks[i] = Framework{Name: name, GPUs: defaultGPUs}
	}
	return frameworks
}

func defaultModels() []Model {
	models := make([]Model, len(DefaultModels))
	copy(models, DefaultModels)
	return models
}

func defaultWorkloads() []workload.Workload {
	workloads := make([]workload.Workload, len(DefaultWorkloads))
	for i, name := range DefaultWorkloads {
		w, err := workload.Builtin(name)
		if err != nil {
			// The names above are built in, so this is a programming error
			// that the package tests catch.
			panic(fmt.Sprintf("matrix: default workload: %v", err))
		}
		workloads[i] = w
	}
	return workloads
}

// KnownParams returns the parameter count of a default model, so that a
// matrix file that lists one without params still charts it by size.
func KnownParams(id string) float64 {
	for _, m := range DefaultModels {
		if m.ID == id {
			return m.Params
		}
	}
	return 0
}
