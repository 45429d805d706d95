package matrix

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
	"github.com/llmbench/llmbench-action/pipeline/workload"
)

// topFields are the fields of a matrix file, in the order they are read.
var topFields = []string{"frameworks", "models", "workloads", "exclude", "overrides", "price_per_hour", "instance", "slo"}

// Load reads and parses a matrix file. Workload files named in it are
// resolved relative to its folder.
func Load(path string) (Matrix, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Matrix{}, fmt.Errorf("reading matrix file: %w", err)
	}
	return Parse(data, path)
}

// Parse parses a matrix file's bytes. source is the file's path: it names the
// file in errors and is the base of relative workload and dataset paths.
func Parse(data []byte, source string) (Matrix, error) {
	d := &decoder{file: source}
	dir := filepath.Dir(source)
	sum := sha256.Sum256(data)
	m := Matrix{Source: source, Hash: hex.EncodeToString(sum[:])}

	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Matrix{}, yamlError(source, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return Matrix{}, &Error{File: source, Err: errors.New("the file is empty; list frameworks, models and workloads, or leave out --matrix to run the default matrix")}
	}
	entries, err := d.mapping(doc.Content[0], "", topFields)
	if err != nil {
		return Matrix{}, err
	}
	sections := make(map[string]entry)
	for _, e := range entries {
		sections[e.key] = e
	}

	m.Frameworks = defaultFrameworks()
	if e, ok := sections["frameworks"]; ok {
		if m.Frameworks, err = d.frameworks(e); err != nil {
			return Matrix{}, err
		}
	}
	m.Models = defaultModels()
	if e, ok := sections["models"]; ok {
		if m.Models, err = d.models(e); err != nil {
			return Matrix{}, err
		}
	}
	m.Workloads = defaultWorkloads()
	if e, ok := sections["workloads"]; ok {
		if m.Workloads, err = d.workloads(e, dir); err != nil {
			return Matrix{}, err
		}
	}

	var excludeAt []*yaml.Node
	if e, ok := sections["exclude"]; ok {
		if m.Excludes, excludeAt, err = d.excludes(e, m); err != nil {
			return Matrix{}, err
		}
	}
	var overrides []overrideSource
	if e, ok := sections["overrides"]; ok {
		if m.Overrides, overrides, err = d.overrides(e, m, dir); err != nil {
			return Matrix{}, err
		}
	}

	if err := d.price(sections, &m); err != nil {
		return Matrix{}, err
	}
	if e, ok := sections["slo"]; ok {
		if err := d.slo(e, &m); err != nil {
			return Matrix{}, err
		}
	}

	if err := d.checkCells(m, excludeAt, overrides); err != nil {
		return Matrix{}, err
	}
	return m, nil
}

// yamlLine matches the line number in a YAML syntax error of yaml.v3.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError turns a YAML syntax error into an Error with its line.
func yamlError(source string, err error) error {
	if match := yamlLine.FindStringSubmatch(err.Error()); match != nil {
		line, _ := strconv.Atoi(match[1])
		return &Error{File: source, Line: line, Err: fmt.Errorf("invalid YAML: %s", match[2])}
	}
	return &Error{File: source, Err: fmt.Errorf("invalid YAML: %w", err)}
}

// price reads price_per_hour or instance; giving both is an error.
func (d *decoder) price(sections map[string]entry, m *Matrix) error {
	priceEntry, hasPrice := sections["price_per_hour"]
	instanceEntry, hasInstance := sections["instance"]
	if hasPrice && hasInstance {
		later, earlier := instanceEntry, priceEntry
		if later.keyAt.Line < earlier.keyAt.Line {
			later, earlier = earlier, later
		}
		return d.errorf(later.keyAt, later.key, "price_per_hour and instance are both set (%s at line %d); keep one",
			earlier.key, earlier.keyAt.Line)
	}

	if hasPrice {
		price, err := d.float(priceEntry.value, "price_per_hour")
		if err != nil {
			return err
		}
		if price <= 0 {
			return d.errorf(priceEntry.value, "price_per_hour", "must be > 0 US dollars per hour, got %v", price)
		}
		m.PricePerHourUSD = price
	}
	if hasInstance {
		name, err := d.nonEmpty(instanceEntry.value, "instance")
		if err != nil {
			return err
		}
		instance, err := metrics.LookupInstance(name)
		if err != nil {
			var known []string
			for _, inst := range metrics.Instances() {
				known = append(known, inst.Name)
			}
			return d.errorf(instanceEntry.value, "instance", "no built-in price for instance type %q; known types are %s, or set price_per_hour",
				name, strings.Join(known, ", "))
		}
		m.Instance = instance.Name
		m.PricePerHourUSD = instance.PricePerHourUSD
	}
	return nil
}

// slo reads the service-level objectives.
func (d *decoder) slo(e entry, m *Matrix) error {
	entries, err := d.mapping(e.value, "slo", []string{"ttft", "tpot", "e2e"})
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return d.errorf(e.value, "slo", "sets no objective; give ttft, tpot or e2e, or leave slo out")
	}
	for _, kv := range entries {
		v, err := d.duration(kv.value, join("slo", kv.key))
		if err != nil {
			return err
		}
		switch kv.key {
		case "ttft":
			m.SLO.TTFT = v
		case "tpot":
			m.SLO.TPOT = v
		case "e2e":
			m.SLO.E2E = v
		}
	}
	return nil
}

// checkCells checks what only the whole matrix shows: that some cell is left,
// that every override still matches a cell and leaves a valid workload, and
// that file names are unique.
func (d *decoder) checkCells(m Matrix, excludeAt []*yaml.Node, overrides []overrideSource) error {
	cells := m.Cells()
	if len(cells) == 0 {
		if len(excludeAt) > 0 {
			return d.errorf(excludeAt[len(excludeAt)-1], "exclude", "every cell of the matrix is excluded")
		}
		return &Error{File: d.file, Err: errors.New("the matrix has no cell")}
	}

	for i, o := range m.Overrides {
		if !matchesAny(o.Match, cells) {
			return d.errorf(overrides[i].at, index("overrides", i), "matches only excluded cells")
		}
	}

	for _, c := range cells {
		if err := c.Workload.Validate(); err != nil {
			return d.overrideError(m, c, overrides, err)
		}
	}

	seen := make(map[string]string)
	for _, c := range cells {
		name := c.FileName()
		if other, dup := seen[name]; dup {
			return &Error{File: d.file, Err: fmt.Errorf("cells %q and %q both have the file name %q; rename a workload", other, c.ID, name)}
		}
		seen[name] = c.ID
	}
	return nil
}

func matchesAny(match Match, cells []Cell) bool {
	for _, c := range cells {
		if match.matches(c.Framework, c.Model, c.ModelName, c.Workload) {
			return true
		}
	}
	return false
}

// overrideError reports an invalid cell workload at the override that made
// it so: the last matching override that set the first invalid field, or
// else the last matching override. Workloads are valid before overrides, so
// some override always matches.
func (d *decoder) overrideError(m Matrix, c Cell, overrides []overrideSource, err error) error {
	var fieldErr *workload.FieldError
	hasField := errors.As(err, &fieldErr)
	lastMatch, lastSetter := -1, -1
	for i, o := range m.Overrides {
		if !o.Match.matches(c.Framework, c.Model, c.ModelName, c.Workload) {
			continue
		}
		lastMatch = i
		if !hasField {
			continue
		}
		if _, ok := overrides[i].lines[fieldErr.Field]; ok {
			lastSetter = i
		}
	}

	switch {
	case lastSetter >= 0:
		at := &yaml.Node{Line: overrides[lastSetter].lines[fieldErr.Field]}
		field := join(index("overrides", lastSetter)+".set", fieldErr.Field)
		return d.errorf(at, field, "%s (in cell %s)", fieldErr.Problem, c.ID)
	case lastMatch >= 0:
		return d.wrap(overrides[lastMatch].setAt, index("overrides", lastMatch)+".set", fmt.Errorf("in cell %s: %w", c.ID, err))
	default:
		return &Error{File: d.file, Err: fmt.Errorf("cell %s: %w", c.ID, err)}
	}
}
