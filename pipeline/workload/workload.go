// Package workload defines how load is offered to a server: the number of
// requests, their inputs and output lengths, and their arrival.
package workload

import (
	"math"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/client"
)

// Arrival processes for open-loop load.
const (
	ArrivalPoisson  = "poisson"
	ArrivalGamma    = "gamma"
	ArrivalConstant = "constant"
)

// Endpoint kinds.
const (
	EndpointCompletions = "completions"
	EndpointChat        = "chat"
)

// Prompt sources. Any other Dataset value is a path to a ShareGPT-format
// JSON file.
const (
	// DatasetRandom makes prompts of InputLen random token ids.
	DatasetRandom = "random"
	// DatasetBuiltin uses the embedded English text prompts.
	DatasetBuiltin = "builtin"
)

// Workload is one way of offering load. The zero value is not valid; use
// Builtin or Load, which fill defaults and validate.
type Workload struct {
	Name        string `json:"name"`
	NumRequests int    `json:"num_requests"`
	MaxTokens   int    `json:"max_tokens"`
	// Concurrency is the number of closed-loop users, or the cap on requests
	// in flight for open-loop load. 0 means no cap (open loop) or 1 (closed
	// loop without a rate).
	Concurrency int `json:"concurrency"`
	// RequestRate is in requests per second. 0 means closed loop;
	// math.Inf(1) sends all requests at once.
	RequestRate float64 `json:"-"`
	// Arrival is ArrivalPoisson, ArrivalGamma or ArrivalConstant.
	Arrival string `json:"arrival"`
	// Burstiness is the gamma shape (1 = Poisson; lower is burstier).
	Burstiness float64 `json:"burstiness"`
	// InputLen is the prompt length in tokens for random prompts.
	InputLen int `json:"input_len"`
	// Dataset is "random", "builtin" (built-in text prompts) or a path to a
	// ShareGPT-format JSON file.
	Dataset string `json:"dataset"`
	// Endpoint is EndpointCompletions or EndpointChat.
	Endpoint       string        `json:"endpoint"`
	IgnoreEOS      bool          `json:"ignore_eos"`
	Temperature    float64       `json:"temperature"`
	WarmupRequests int           `json:"warmup_requests"`
	Timeout        time.Duration `json:"-"`
	Seed           int64         `json:"seed"`
}

// OpenLoop reports whether requests arrive at a rate rather than from a fixed
// number of users.
func (w *Workload) OpenLoop() bool { return w.RequestRate > 0 }

// Infinite reports whether all requests are sent at once.
func (w *Workload) Infinite() bool { return math.IsInf(w.RequestRate, 1) }

// Users returns the number of closed-loop users: Concurrency, or 1 when
// Concurrency is 0.
func (w *Workload) Users() int {
	if w.Concurrency <= 0 {
		return 1
	}
	return w.Concurrency
}

// Path returns the API path of the workload's endpoint.
func (w *Workload) Path() string {
	if w.Endpoint == EndpointChat {
		return client.PathChatCompletions
	}
	return client.PathCompletions
}
