package container

import (
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Defaults applied by Start to zero Spec fields.
const (
	DefaultStartupTimeout   = 30 * time.Minute
	DefaultProgressInterval = 15 * time.Second
	DefaultStopTimeout      = 10 * time.Second
	// DefaultMaxModelLen fits every model of the default matrix
	// (facebook/opt-125m and microsoft/phi-2 have 2048 positions) and every
	// default workload.
	DefaultMaxModelLen = 2048
	DefaultDType       = "auto"
)

// Spec describes one server to start: a framework serving a model in a
// container.
type Spec struct {
	// Framework is VLLM or SGLang.
	Framework string
	// Model is the Hugging Face repository id, for example facebook/opt-125m.
	Model string
	// ServedModelName is the model name clients send; Model when empty.
	ServedModelName string
	// Revision is the model revision (branch, tag or commit); the
	// repository's default branch when empty.
	Revision string

	// Image overrides the framework's default image, for example with the
	// simulator image in tests.
	Image string
	// Args are extra engine arguments appended after the generated ones.
	Args []string
	// Env holds extra environment variables for the container.
	Env map[string]string

	// GPUs selects the GPUs: "all" (the default), "none", a count such as
	// "2", or device ids such as "0,1" ("device=1" for the single device 1).
	GPUs string
	// ShmSize is the size of /dev/shm in bytes; the framework's default when
	// zero. Ignored when IPCHost is set.
	ShmSize int64
	// IPCHost shares the host's IPC namespace (docker run --ipc=host), which
	// vLLM's documentation gives as the alternative to a large ShmSize.
	IPCHost bool

	// MaxModelLen is the context length in tokens (vLLM --max-model-len,
	// SGLang --context-length); DefaultMaxModelLen when zero.
	MaxModelLen int
	// MemoryFraction is the fraction of GPU memory the engine may use, in
	// (0, 1]; the framework's default when zero.
	MemoryFraction float64
	// DType is the weight and activation data type; DefaultDType when empty.
	DType string

	// HFToken is the Hugging Face access token, passed as HF_TOKEN and
	// HUGGING_FACE_HUB_TOKEN. It is never logged and is redacted from log
	// lines, commands and errors.
	HFToken string
	// HFCacheDir is a host directory mounted as the Hugging Face cache
	// (/root/.cache/huggingface), so a model downloads once per host. It is
	// created when missing. No cache is mounted when empty.
	HFCacheDir string

	// StartupTimeout bounds the whole start: image pull, container creation
	// and model load until the server is ready; DefaultStartupTimeout when
	// zero.
	StartupTimeout time.Duration
	// ProgressInterval is the time between progress lines while the server
	// loads; DefaultProgressInterval when zero.
	ProgressInterval time.Duration
	// StopTimeout is how long Stop waits after SIGTERM before it kills the
	// container; DefaultStopTimeout when zero.
	StopTimeout time.Duration

	// RunID identifies the benchmark run in the container's labels, so that
	// Cleanup can remove what a crashed run left; a random id when empty.
	RunID string
	// Labels are extra container labels. Keys under "dev.llmbench." are
	// reserved.
	Labels map[string]string

	// Log receives each line the container writes (stdout and stderr) and the
	// progress lines while the server loads, with secrets redacted. Calls do
	// not overlap. Nil discards the lines.
	Log func(line string)
	// Logger receives the package's own diagnostics and those of
	// testcontainers-go; nil discards them.
	Logger *slog.Logger
}

// withDefaults returns spec with the zero fields set from f and the package
// defaults.
func (spec Spec) withDefaults(f Framework) Spec {
	if spec.ServedModelName == "" {
		spec.ServedModelName = spec.Model
	}
	if spec.Image == "" {
		spec.Image = f.Image
	}
	if spec.GPUs == "" {
		spec.GPUs = "all"
	}
	if spec.ShmSize == 0 {
		spec.ShmSize = f.ShmSize
	}
	if spec.MaxModelLen == 0 {
		spec.MaxModelLen = DefaultMaxModelLen
	}
	if spec.MemoryFraction == 0 {
		spec.MemoryFraction = f.MemoryFraction
	}
	if spec.DType == "" {
		spec.DType = DefaultDType
	}
	if spec.StartupTimeout == 0 {
		spec.StartupTimeout = DefaultStartupTimeout
	}
	if spec.ProgressInterval == 0 {
		spec.ProgressInterval = DefaultProgressInterval
	}
	if spec.StopTimeout == 0 {
		spec.StopTimeout = DefaultStopTimeout
	}
	if spec.Log == nil {
		spec.Log = func(string) {}
	}
	if spec.Logger == nil {
		spec.Logger = slog.New(slog.DiscardHandler)
	}
	return spec
}

// validate checks a spec that went through withDefaults.
func (spec Spec) validate() error {
	if strings.TrimSpace(spec.Model) == "" {
		return fmt.Errorf("missing model: set it to a Hugging Face repository id such as facebook/opt-125m")
	}
	if strings.ContainsAny(spec.Model, " \t\n") {
		return fmt.Errorf("invalid model %q: a Hugging Face repository id contains no whitespace", spec.Model)
	}
	if _, err := parseGPUs(spec.GPUs); err != nil {
		return err
	}
	if spec.ShmSize < 0 {
		return fmt.Errorf("invalid shm size %d bytes: must be >= 0", spec.ShmSize)
	}
	if spec.MaxModelLen < 0 {
		return fmt.Errorf("invalid max model length %d tokens: must be > 0", spec.MaxModelLen)
	}
	if spec.MemoryFraction <= 0 || spec.MemoryFraction > 1 {
		return fmt.Errorf("invalid GPU memory fraction %g: must be in (0, 1]", spec.MemoryFraction)
	}
	if spec.StartupTimeout < 0 {
		return fmt.Errorf("invalid startup timeout %s: must be > 0", spec.StartupTimeout)
	}
	if spec.ProgressInterval < 0 {
		return fmt.Errorf("invalid progress interval %s: must be > 0", spec.ProgressInterval)
	}
	if spec.StopTimeout < 0 {
		return fmt.Errorf("invalid stop timeout %s: must be >= 0", spec.StopTimeout)
	}
	for key := range spec.Labels {
		if strings.HasPrefix(key, labelPrefix) {
			return fmt.Errorf("invalid label %q: keys under %q are reserved for llmbench", key, labelPrefix)
		}
	}
	return nil
}

// env returns the container environment: spec.Env plus the token variables.
func (spec Spec) env() map[string]string {
	env := make(map[string]string, len(spec.Env)+2)
	for k, v := range spec.Env {
		env[k] = v
	}
	if spec.HFToken != "" {
		env["HF_TOKEN"] = spec.HFToken
		env["HUGGING_FACE_HUB_TOKEN"] = spec.HFToken
	}
	return env
}

// secrets returns the values to redact: the token and every Env value whose
// name suggests a credential.
func (spec Spec) secrets() []string {
	var secrets []string
	if spec.HFToken != "" {
		secrets = append(secrets, spec.HFToken)
	}
	for k, v := range spec.Env {
		upper := strings.ToUpper(k)
		for _, word := range []string{"TOKEN", "SECRET", "PASSWORD", "KEY"} {
			if strings.Contains(upper, word) && v != "" {
				secrets = append(secrets, v)
				break
			}
		}
	}
	return secrets
}
