package matrix

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/workload"
	"gopkg.in/yaml.v3"
)

// Match selects cells. An empty field matches every value.
type Match struct {
	// Framework is a framework name.
	Framework string
	// Model is a model's full ID ("microsoft/phi-2") or its name within cell
	// IDs ("phi-2").
	Model string
	// Workload is a workload name.
	Workload string
}

func (m Match) matches(f Framework, model Model, modelName string, w workload.Workload) bool {
	return (m.Framework == "" || m.Framework == f.Name) &&
		(m.Model == "" || m.Model == model.ID || m.Model == modelName) &&
		(m.Workload == "" || m.Workload == w.Name)
}

// Override sets workload fields in the cells it matches.
type Override struct {
	Match Match
	Set   Patch
}

// Patch is a set of workload fields to change; a nil field is left as it is.
// The fields are those of a workload file, except the name.
type Patch struct {
	NumRequests    *int
	MaxTokens      *int
	Concurrency    *int
	RequestRate    *float64 // requests per second; +Inf for all at once
	Arrival        *string
	Burstiness     *float64
	InputLen       *int // tokens
	Dataset        *string
	Endpoint       *string
	IgnoreEOS      *bool
	Temperature    *float64
	WarmupRequests *int
	Timeout        *time.Duration
	Seed           *int64
}

// Apply returns w with the patch's fields set.
func (p Patch) Apply(w workload.Workload) workload.Workload {
	set(&w.NumRequests, p.NumRequests)
	set(&w.MaxTokens, p.MaxTokens)
	set(&w.Concurrency, p.Concurrency)
	set(&w.RequestRate, p.RequestRate)
	set(&w.Arrival, p.Arrival)
	set(&w.Burstiness, p.Burstiness)
	set(&w.InputLen, p.InputLen)
	set(&w.Dataset, p.Dataset)
	set(&w.Endpoint, p.Endpoint)
	set(&w.IgnoreEOS, p.IgnoreEOS)
	set(&w.Temperature, p.Temperature)
	set(&w.WarmupRequests, p.WarmupRequests)
	set(&w.Timeout, p.Timeout)
	set(&w.Seed, p.Seed)
	return w
}

func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// patchFields are the keys of an override's set, as in workload files.
var patchFields = []string{
	"num_requests", "max_tokens", "concurrency", "request_rate", "arrival", "burstiness", "input_len",
	"dataset", "endpoint", "ignore_eos", "temperature", "warmup_requests", "timeout", "seed",
}

// decodePatch reads an override's set. The values' ranges are checked later,
// on each cell's workload, by workload.Validate. It returns the line of each
// key, so those errors can point at it.
func (d *decoder) decodePatch(e entry, field, dir string) (Patch, map[string]int, error) {
	entries, err := d.mapping(e.value, field, patchFields)
	if err != nil {
		return Patch{}, nil, err
	}
	if len(entries) == 0 {
		return Patch{}, nil, d.errorf(e.value, field, "sets no field; give at least one of the fields of a workload file")
	}

	var p Patch
	lines := make(map[string]int)
	for _, kv := range entries {
		sub := join(field, kv.key)
		lines[kv.key] = kv.keyAt.Line
		switch kv.key {
		case "num_requests":
			err = decodeInto(&p.NumRequests, kv.value, sub, d.integer)
		case "max_tokens":
			err = decodeInto(&p.MaxTokens, kv.value, sub, d.integer)
		case "concurrency":
			err = decodeInto(&p.Concurrency, kv.value, sub, d.integer)
		case "request_rate":
			err = decodeInto(&p.RequestRate, kv.value, sub, d.rate)
		case "arrival":
			err = decodeInto(&p.Arrival, kv.value, sub, d.str)
		case "burstiness":
			err = decodeInto(&p.Burstiness, kv.value, sub, d.float)
		case "input_len":
			err = decodeInto(&p.InputLen, kv.value, sub, d.integer)
		case "dataset":
			err = decodeInto(&p.Dataset, kv.value, sub, d.dataset(dir))
		case "endpoint":
			err = decodeInto(&p.Endpoint, kv.value, sub, d.str)
		case "ignore_eos":
			err = decodeInto(&p.IgnoreEOS, kv.value, sub, d.boolean)
		case "temperature":
			err = decodeInto(&p.Temperature, kv.value, sub, d.float)
		case "warmup_requests":
			err = decodeInto(&p.WarmupRequests, kv.value, sub, d.integer)
		case "timeout":
			err = decodeInto(&p.Timeout, kv.value, sub, d.duration)
		case "seed":
			err = decodeInto(&p.Seed, kv.value, sub, d.int64)
		}
		if err != nil {
			return Patch{}, nil, err
		}
	}
	return p, lines, nil
}

func decodeInto[T any](dst **T, n *yaml.Node, field string, read func(*yaml.Node, string) (T, error)) error {
	v, err := read(n, field)
	if err != nil {
		return err
	}
	*dst = &v
	return nil
}

// rate reads a request rate: a number > 0 or "inf".
func (d *decoder) rate(n *yaml.Node, field string) (float64, error) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode {
		return 0, d.errorf(n, field, `must be a number of requests per second > 0 or "inf", got %s`, describe(n))
	}
	v, err := workload.ParseRate(n.Value)
	if err != nil {
		return 0, d.wrap(n, field, err)
	}
	return v, nil
}

// dataset returns a reader of a dataset value that resolves a ShareGPT path
// and checks that the file exists.
func (d *decoder) dataset(dir string) func(*yaml.Node, string) (string, error) {
	return func(n *yaml.Node, field string) (string, error) {
		value, err := d.nonEmpty(n, field)
		if err != nil {
			return "", err
		}
		resolved := datasetPath(value, dir)
		if resolved == value && (value == workload.DatasetRandom || value == workload.DatasetBuiltin) {
			return value, nil
		}
		if _, err := os.Stat(resolved); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return "", d.errorf(n, field, "the ShareGPT file %s does not exist; the path is relative to the matrix file", resolved)
			}
			return "", d.wrap(n, field, fmt.Errorf("ShareGPT file: %w", err))
		}
		return resolved, nil
	}
}

// datasetPath resolves a ShareGPT dataset path relative to the matrix file's
// folder, as workload files do for theirs. The names of built-in prompt
// sources are kept.
func datasetPath(dataset, dir string) string {
	if dataset == workload.DatasetRandom || dataset == workload.DatasetBuiltin || filepath.IsAbs(dataset) {
		return dataset
	}
	return filepath.Join(dir, dataset)
}
