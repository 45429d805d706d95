package matrix

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

// Select returns the cells whose IDs match a pattern, in their order. Like
// `go test -run`, the pattern has up to three parts separated by "/", which
// match the framework, the model name and the workload of an ID in turn. A
// part left out or empty matches anything. A part containing a glob
// character (*, ? or [) is a glob matched against the whole element, such as
// "opt-*". Any other part is a regular expression that may match anywhere in
// the element: "opt" matches "opt-125m", and "^(small|large)$" matches just
// those two.
//
//	vllm               every vllm cell
//	/phi-2             every phi-2 cell
//	//large            every large cell
//	sglang/opt-*/small one cell
//
// An empty pattern selects every cell. A pattern that matches no cell is an
// error that lists the cells.
func Select(cells []Cell, only string) ([]Cell, error) {
	if only == "" {
		return cells, nil
	}
	matchers, err := compilePattern(only)
	if err != nil {
		return nil, err
	}

	var selected []Cell
	for _, c := range cells {
		parts := []string{c.Framework.Name, c.ModelName, c.Workload.Name}
		ok := true
		for i, match := range matchers {
			if !match(parts[i]) {
				ok = false
				break
			}
		}
		if ok {
			selected = append(selected, c)
		}
	}

	if len(selected) == 0 {
		ids := make([]string, len(cells))
		for i, c := range cells {
			ids[i] = c.ID
		}
		return nil, fmt.Errorf("pattern %q matches no cell; the cells are %s", only, strings.Join(ids, ", "))
	}
	return selected, nil
}

// compilePattern returns one matcher per part of a Select pattern.
func compilePattern(pattern string) ([]func(string) bool, error) {
	parts := strings.Split(pattern, "/")
	if len(parts) > 3 {
		return nil, fmt.Errorf("pattern %q has %d parts; use at most 3: framework/model/workload", pattern, len(parts))
	}

	matchers := make([]func(string) bool, len(parts))
	for i, part := range parts {
		switch {
		case part == "":
			matchers[i] = func(string) bool { return true }
		case strings.ContainsAny(part, "*?["):
			if _, err := path.Match(part, ""); err != nil {
				return nil, fmt.Errorf("pattern %q: invalid glob %q: %w", pattern, part, err)
			}
			matchers[i] = func(s string) bool {
				ok, _ := path.Match(part, s)
				return ok
			}
		default:
			re, err := regexp.Compile(part)
			if err != nil {
				return nil, fmt.Errorf("pattern %q: invalid regular expression %q: %w", pattern, part, err)
			}
			matchers[i] = re.MatchString
		}
	}
	return matchers, nil
}
