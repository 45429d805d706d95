package action

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// Input values with a fixed set of choices.
const (
	ModeBenchmark = "benchmark"
	ModeComment   = "comment"

	CommentAlways   = "always"
	CommentOnChange = "on-change"
	CommentNever    = "never"

	FailOnNone    = "none"
	FailOnFailure = "failure"

	TargetContainer = "container"
	TargetEndpoint  = "endpoint"
	TargetSim       = "sim"
)

// DefaultResultsDir is the results directory when the input is empty.
const DefaultResultsDir = "llmbench-results"

// Inputs are the validated inputs of the action.
type Inputs struct {
	// Mode is "benchmark" (run and publish) or "comment" (post the comment
	// of results produced by an earlier run, for the workflow_run pattern).
	Mode       string
	Matrix     string
	Frameworks []string
	Models     []string
	Workloads  []string
	Target     string
	Endpoint   string
	// HFToken and GitHubToken are secrets, masked before anything is logged.
	HFToken               string
	GitHubToken           string
	InstanceType          string
	PricePerHourUSD       float64
	ResultsDir            string
	Comment               string
	FailOn                string
	AllowForkPullRequests bool
	SetupGo               bool
}

var (
	// listItemPattern matches a framework, model or workload name: a Hugging
	// Face id such as "Qwen/Qwen2-1.5B", or a plain name.
	listItemPattern     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]*$`)
	instanceTypePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

// ParseInputs reads and validates every input through getInput (the
// action's GetInput). Each error names the input, the value and the allowed
// values; all invalid inputs are reported together. Secret values are never
// part of an error.
func ParseInputs(getInput func(name string) string) (Inputs, error) {
	var errs []error
	in := Inputs{
		HFToken:     getInput("hf-token"),
		GitHubToken: getInput("github-token"),
		Matrix:      getInput("matrix"),
		ResultsDir:  getInput("results-dir"),
	}

	in.Mode = choice(getInput, "mode", ModeBenchmark, &errs, ModeBenchmark, ModeComment)
	in.Target = choice(getInput, "target", TargetContainer, &errs, TargetContainer, TargetEndpoint, TargetSim)
	in.Comment = choice(getInput, "comment", CommentOnChange, &errs, CommentAlways, CommentOnChange, CommentNever)
	in.FailOn = choice(getInput, "fail-on", FailOnFailure, &errs, FailOnNone, FailOnFailure)
	in.AllowForkPullRequests = boolean(getInput, "allow-fork-pull-requests", false, &errs)
	in.SetupGo = boolean(getInput, "setup-go", true, &errs)

	in.Frameworks = list(getInput, "frameworks", &errs)
	in.Models = list(getInput, "models", &errs)
	in.Workloads = list(getInput, "workloads", &errs)

	if in.Matrix != "" && in.Mode == ModeBenchmark {
		if info, err := os.Stat(in.Matrix); err != nil {
			errs = append(errs, fmt.Errorf("input matrix: cannot read %q: %w; give the path of a matrix file relative to the workspace, or leave it empty for the default matrix", in.Matrix, err))
		} else if info.IsDir() {
			errs = append(errs, fmt.Errorf("input matrix: %q is a directory; give the path of a matrix file", in.Matrix))
		}
	}

	in.Endpoint = getInput("endpoint")
	switch {
	case in.Target == TargetEndpoint && in.Endpoint == "":
		errs = append(errs, errors.New("input endpoint: missing; target: endpoint needs the base URL of a running server, e.g. http://127.0.0.1:8000"))
	case in.Endpoint != "" && in.Target != TargetEndpoint:
		errs = append(errs, fmt.Errorf("input endpoint: set to %q but target is %s; set target: endpoint or remove endpoint", in.Endpoint, in.Target))
	case in.Endpoint != "":
		if u, err := url.Parse(in.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("input endpoint: invalid URL %q; want an http or https base URL such as http://127.0.0.1:8000", in.Endpoint))
		}
	}

	in.InstanceType = getInput("instance-type")
	if in.InstanceType != "" && !instanceTypePattern.MatchString(in.InstanceType) {
		errs = append(errs, fmt.Errorf("input instance-type: invalid value %q; want a cloud instance type such as g5.xlarge", in.InstanceType))
	}

	if price := getInput("price-per-hour"); price != "" {
		v, err := strconv.ParseFloat(price, 64)
		if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			errs = append(errs, fmt.Errorf("input price-per-hour: invalid value %q; want a price in US dollars per hour, a number >= 0 such as 1.006", price))
		} else {
			in.PricePerHourUSD = v
		}
	}

	if in.ResultsDir == "" {
		in.ResultsDir = DefaultResultsDir
	}
	if in.Mode == ModeComment && in.Comment == CommentNever {
		errs = append(errs, errors.New("input comment: never contradicts mode: comment; set comment to always or on-change"))
	}
	return in, errors.Join(errs...)
}

// choice reads an input that takes one of allowed, or def when empty.
func choice(getInput func(string) string, name, def string, errs *[]error, allowed ...string) string {
	v := getInput(name)
	if v == "" {
		return def
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	*errs = append(*errs, fmt.Errorf("input %s: invalid value %q; allowed values: %s", name, v, strings.Join(allowed, ", ")))
	return def
}

// boolean reads a boolean input as YAML 1.2 and actions/toolkit spell it:
// true, True, TRUE, false, False or FALSE; def when empty.
func boolean(getInput func(string) string, name string, def bool, errs *[]error) bool {
	switch v := getInput(name); v {
	case "":
		return def
	case "true", "True", "TRUE":
		return true
	case "false", "False", "FALSE":
		return false
	default:
		*errs = append(*errs, fmt.Errorf("input %s: invalid value %q; allowed values: true, false", name, v))
		return def
	}
}

// list reads a list input: items separated by commas or line breaks, blanks
// ignored, each a name such as vllm or Qwen/Qwen2-1.5B.
func list(getInput func(string) string, name string, errs *[]error) []string {
	raw := getInput(name)
	if raw == "" {
		return nil
	}
	var items []string
	for _, field := range strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		item := strings.TrimSpace(field)
		if item == "" {
			continue
		}
		if !listItemPattern.MatchString(item) {
			*errs = append(*errs, fmt.Errorf("input %s: invalid item %q; items are separated by commas or line breaks and contain only letters, digits and ._/-", name, item))
			continue
		}
		items = append(items, item)
	}
	return items
}
