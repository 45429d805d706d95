package container

import (
	"fmt"
	"slices"
	"strconv"
)

// Framework names accepted in Spec.Framework.
const (
	VLLM   = "vllm"
	SGLang = "sglang"
)

// Default images, pinned so that a benchmark is reproducible. vLLM v0.28.0
// was released in August 2026 and SGLang v0.5.20 in September 2026.
const (
	DefaultVLLMImage   = "vllm/vllm-openai:v0.28.0"
	DefaultSGLangImage = "lmsysorg/sglang:v0.5.20"
)

const gib = int64(1) << 30

// Framework describes how one serving engine runs in a container. Its fields
// are the single place where an engine's image, command line, port and
// readiness endpoints are defined.
type Framework struct {
	// Name is the framework name used in specs, labels and results.
	Name string
	// Image is the default image reference.
	Image string
	// Entrypoint is set explicitly, so the real image and the simulator image
	// run the same command line.
	Entrypoint []string
	// Port is the TCP port the server listens on inside the container.
	Port int
	// HealthPath returns 200 once the engine is up.
	HealthPath string
	// ModelsPath lists the served models (OpenAI format).
	ModelsPath string
	// ShmSize is the default size of /dev/shm in bytes. PyTorch shares
	// tensors between worker processes through shared memory, and Docker's
	// default of 64 MiB is too small for both engines.
	ShmSize int64
	// MemoryFraction is the default fraction of GPU memory the engine may
	// use (vLLM --gpu-memory-utilization, SGLang --mem-fraction-static).
	MemoryFraction float64
	// IgnoreEOS reports whether the engine accepts "ignore_eos" in
	// completion requests to force the full max_tokens output.
	IgnoreEOS bool

	args func(spec Spec) []string
}

// Args returns the arguments that follow the entrypoint for spec: the
// engine's own flags, then spec.Args.
func (f Framework) Args(spec Spec) []string {
	spec = spec.withDefaults(f)
	return append(f.args(spec), spec.Args...)
}

// Command returns the full command line (entrypoint and arguments) for spec.
func (f Framework) Command(spec Spec) []string {
	return append(slices.Clone(f.Entrypoint), f.Args(spec)...)
}

var frameworks = []Framework{
	{
		Name:       VLLM,
		Image:      DefaultVLLMImage,
		Entrypoint: []string{"vllm", "serve"},
		Port:       8000,
		HealthPath: "/health",
		ModelsPath: "/v1/models",
		ShmSize:    16 * gib,
		// vLLM's own default.
		MemoryFraction: 0.9,
		IgnoreEOS:      true,
		args:           vllmArgs,
	},
	{
		Name:       SGLang,
		Image:      DefaultSGLangImage,
		Entrypoint: []string{"python3", "-m", "sglang.launch_server"},
		Port:       30000,
		HealthPath: "/health",
		ModelsPath: "/v1/models",
		ShmSize:    32 * gib,
		// Leaves room for activations and CUDA graphs beside the weights and
		// the KV cache, which is what the static fraction covers.
		MemoryFraction: 0.85,
		IgnoreEOS:      true,
		args:           sglangArgs,
	},
}

// LookupFramework returns the framework named name.
func LookupFramework(name string) (Framework, error) {
	for _, f := range frameworks {
		if f.Name == name {
			return f, nil
		}
	}
	return Framework{}, fmt.Errorf("unknown framework %q: want one of %v", name, FrameworkNames())
}

// FrameworkNames returns the names of the supported frameworks.
func FrameworkNames() []string {
	names := make([]string, len(frameworks))
	for i, f := range frameworks {
		names[i] = f.Name
	}
	return names
}

// vllmArgs returns the arguments of "vllm serve". The model is positional.
func vllmArgs(spec Spec) []string {
	args := []string{
		spec.Model,
		"--served-model-name", spec.ServedModelName,
		"--host", "0.0.0.0",
		"--port", "8000",
	}
	if spec.Revision != "" {
		args = append(args, "--revision", spec.Revision)
	}
	args = append(args,
		"--max-model-len", strconv.Itoa(spec.MaxModelLen),
		"--gpu-memory-utilization", formatFraction(spec.MemoryFraction),
		"--dtype", spec.DType,
	)
	return args
}

// sglangArgs returns the arguments of "python3 -m sglang.launch_server".
func sglangArgs(spec Spec) []string {
	args := []string{
		"--model-path", spec.Model,
		"--served-model-name", spec.ServedModelName,
		"--host", "0.0.0.0",
		"--port", "30000",
	}
	if spec.Revision != "" {
		args = append(args, "--revision", spec.Revision)
	}
	args = append(args,
		"--context-length", strconv.Itoa(spec.MaxModelLen),
		"--mem-fraction-static", formatFraction(spec.MemoryFraction),
		"--dtype", spec.DType,
		// SGLang serves /metrics only when asked; the runner scrapes it.
		"--enable-metrics",
	)
	return args
}

func formatFraction(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}
