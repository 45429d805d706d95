package matrix

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	units "github.com/docker/go-units"
	"gopkg.in/yaml.v3"

	"github.com/llmbench/llmbench-action/pipeline/workload"
)

var (
	frameworkFields = []string{"name", "image", "args", "env", "gpus", "shm_size"}
	modelFields     = []string{"id", "params", "revision", "args"}
	matchFields     = []string{"framework", "model", "workload"}
	overrideFields  = []string{"match", "set"}
)

// Patterns of names that become parts of cell IDs and file names.
var (
	modelIDPattern      = regexp.MustCompile(`^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$`)
	workloadNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

// deviceIDsPattern matches GPU indexes ("0,1") or UUIDs ("GPU-3a23c669-...").
var deviceIDsPattern = regexp.MustCompile(`^(\d+|GPU-[0-9a-fA-F-]+)(,(\d+|GPU-[0-9a-fA-F-]+))*$`)

// secretEnvPattern matches environment names that usually carry secrets.
var secretEnvPattern = regexp.MustCompile(`(?i)(TOKEN|SECRET|PASSWORD|API_KEY)`)

// maxGPUCount bounds a GPU count, to catch typos.
const maxGPUCount = 64

// frameworks reads the frameworks section: a list of names or mappings.
func (d *decoder) frameworks(e entry) ([]Framework, error) {
	items, err := d.sequence(e.value, "frameworks")
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, d.errorf(e.value, "frameworks", "empty list; name at least one of %s, or leave frameworks out to run all of them",
			strings.Join(KnownFrameworks, ", "))
	}

	var frameworks []Framework
	firstLine := make(map[string]int)
	for i, item := range items {
		field := index("frameworks", i)
		f, nameAt, err := d.framework(item, field)
		if err != nil {
			return nil, err
		}
		if first, dup := firstLine[f.Name]; dup {
			return nil, d.errorf(nameAt, fieldOf(item, field, "name"), "duplicate framework %q (first at line %d)", f.Name, first)
		}
		firstLine[f.Name] = nameAt.Line
		frameworks = append(frameworks, f)
	}
	return frameworks, nil
}

// framework reads one framework and returns the node of its name.
func (d *decoder) framework(n *yaml.Node, field string) (Framework, *yaml.Node, error) {
	f := Framework{GPUs: defaultGPUs}
	nameAt := n
	if n.Kind == yaml.ScalarNode {
		name, err := d.knownFramework(n, field)
		f.Name = name
		return f, nameAt, err
	}

	entries, err := d.mapping(n, field, frameworkFields)
	if err != nil {
		return f, nil, err
	}
	for _, kv := range entries {
		sub := join(field, kv.key)
		switch kv.key {
		case "name":
			nameAt = kv.value
			f.Name, err = d.knownFramework(kv.value, sub)
		case "image":
			f.Image, err = d.nonEmpty(kv.value, sub)
		case "args":
			f.Args, err = d.serverArgs(kv.value, sub)
		case "env":
			f.Env, err = d.env(kv.value, sub)
		case "gpus":
			f.GPUs, err = d.gpus(kv.value, sub)
		case "shm_size":
			f.ShmSizeBytes, err = d.size(kv.value, sub)
		}
		if err != nil {
			return f, nil, err
		}
	}
	if f.Name == "" {
		return f, nil, d.errorf(n, join(field, "name"), "missing; name one of %s", strings.Join(KnownFrameworks, ", "))
	}
	return f, nameAt, nil
}

func (d *decoder) knownFramework(n *yaml.Node, field string) (string, error) {
	name, err := d.nonEmpty(n, field)
	if err != nil {
		return "", err
	}
	if !slices.Contains(KnownFrameworks, name) {
		return "", d.errorf(n, field, "unknown framework %q; known frameworks are %s", name, strings.Join(KnownFrameworks, ", "))
	}
	return name, nil
}

// env reads container environment, rejecting names that look like secrets:
// the matrix file is hashed, shown in reports and committed to repositories.
func (d *decoder) env(n *yaml.Node, field string) (map[string]string, error) {
	env, err := d.strMap(n, field)
	if err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		name := n.Content[i].Value
		if strings.ContainsAny(name, "= \t") {
			return nil, d.errorf(n.Content[i], join(field, name), "invalid environment variable name")
		}
		if secretEnvPattern.MatchString(name) {
			return nil, d.errorf(n.Content[i], join(field, name),
				"secrets do not belong in the matrix file; set %s in llmbench's own environment (for example from a GitHub secret)", name)
		}
	}
	return env, nil
}

// gpus reads a GPU request: all, none, a count given as a number, or device
// ids given as a string ("0,1" or "device=0,1"). It returns the value in the
// syntax of `docker run --gpus`.
func (d *decoder) gpus(n *yaml.Node, field string) (string, error) {
	const help = `use all, none, a count such as 2, or device ids such as "0,1"`
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
		count, err := strconv.Atoi(n.Value)
		if err != nil || count < 1 || count > maxGPUCount {
			return "", d.errorf(n, field, "invalid GPU count %s: must be between 1 and %d (or none); %s", n.Value, maxGPUCount, help)
		}
		return strconv.Itoa(count), nil
	}

	s, err := d.nonEmpty(n, field)
	if err != nil {
		return "", err
	}
	switch s = strings.TrimSpace(s); s {
	case "all", "none":
		return s, nil
	}
	ids := strings.ReplaceAll(strings.TrimPrefix(s, "device="), " ", "")
	if !deviceIDsPattern.MatchString(ids) {
		return "", d.errorf(n, field, "invalid GPUs %q; %s", s, help)
	}
	return "device=" + ids, nil
}

// size reads a byte size: a number of bytes or a size such as "8g" or "512MiB".
func (d *decoder) size(n *yaml.Node, field string) (int64, error) {
	var bytes int64
	var err error
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
		bytes, err = d.int64(n, field)
	} else {
		var s string
		if s, err = d.nonEmpty(n, field); err == nil {
			bytes, err = units.RAMInBytes(s)
		}
	}
	if err != nil || bytes <= 0 {
		return 0, d.errorf(n, field, `invalid size %s: use a number of bytes or a size such as "8g" or "512m"`, describe(n))
	}
	return bytes, nil
}

// models reads the models section: a list of ids or mappings.
func (d *decoder) models(e entry) ([]Model, error) {
	items, err := d.sequence(e.value, "models")
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, d.errorf(e.value, "models", "empty list; name at least one model, or leave models out to run the default models")
	}

	var models []Model
	firstLine := make(map[string]int)
	for i, item := range items {
		field := index("models", i)
		m, idAt, err := d.model(item, field)
		if err != nil {
			return nil, err
		}
		// Hugging Face resolves repository ids without regard to case, so
		// ids that differ only in case name one model.
		key := strings.ToLower(m.ID)
		if first, dup := firstLine[key]; dup {
			return nil, d.errorf(idAt, fieldOf(item, field, "id"), "duplicate model %q (first at line %d)", m.ID, first)
		}
		firstLine[key] = idAt.Line
		models = append(models, m)
	}
	return models, nil
}

// model reads one model and returns the node of its id.
func (d *decoder) model(n *yaml.Node, field string) (Model, *yaml.Node, error) {
	var m Model
	idAt := n
	if n.Kind == yaml.ScalarNode {
		id, err := d.modelID(n, field)
		return Model{ID: id, Params: KnownParams(id)}, idAt, err
	}

	entries, err := d.mapping(n, field, modelFields)
	if err != nil {
		return m, nil, err
	}
	hasParams := false
	for _, kv := range entries {
		sub := join(field, kv.key)
		switch kv.key {
		case "id":
			idAt = kv.value
			m.ID, err = d.modelID(kv.value, sub)
		case "params":
			hasParams = true
			m.Params, err = d.params(kv.value, sub)
		case "revision":
			m.Revision, err = d.nonEmpty(kv.value, sub)
		case "args":
			m.Args, err = d.serverArgs(kv.value, sub)
		}
		if err != nil {
			return m, nil, err
		}
	}
	if m.ID == "" {
		return m, nil, d.errorf(n, join(field, "id"), "missing; give the model's Hugging Face id, such as facebook/opt-125m")
	}
	if !hasParams {
		m.Params = KnownParams(m.ID)
	}
	return m, idAt, nil
}

func (d *decoder) modelID(n *yaml.Node, field string) (string, error) {
	id, err := d.nonEmpty(n, field)
	if err != nil {
		return "", err
	}
	if !modelIDPattern.MatchString(id) || slices.Contains(strings.Split(id, "/"), "..") {
		return "", d.errorf(n, field, "invalid model id %q: use a Hugging Face id such as facebook/opt-125m (letters, digits, '.', '_', '-' and '/')", id)
	}
	return id, nil
}

func (d *decoder) params(n *yaml.Node, field string) (float64, error) {
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!int" || n.Tag == "!!float") {
		v, err := d.float(n, field)
		if err == nil && v > 0 {
			return v, nil
		}
	}
	s, err := d.str(n, field)
	if err != nil {
		return 0, err
	}
	v, err := ParseParams(s)
	if err != nil {
		return 0, d.wrap(n, field, err)
	}
	return v, nil
}

// workloads reads the workloads section: built-in names or workload files
// relative to dir.
func (d *decoder) workloads(e entry, dir string) ([]workload.Workload, error) {
	items, err := d.sequence(e.value, "workloads")
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, d.errorf(e.value, "workloads", "empty list; name at least one of %s or a workload file, or leave workloads out to run %s",
			strings.Join(workload.Names(), ", "), strings.Join(DefaultWorkloads, ", "))
	}

	var workloads []workload.Workload
	firstLine := make(map[string]int)
	for i, item := range items {
		field := index("workloads", i)
		w, err := d.workload(item, field, dir)
		if err != nil {
			return nil, err
		}
		if !workloadNamePattern.MatchString(w.Name) {
			return nil, d.errorf(item, field, "invalid workload name %q: use letters, digits, '.', '_' and '-'", w.Name)
		}
		if first, dup := firstLine[w.Name]; dup {
			return nil, d.errorf(item, field, "duplicate workload %q (first at line %d)", w.Name, first)
		}
		firstLine[w.Name] = item.Line
		workloads = append(workloads, w)
	}
	return workloads, nil
}

// workload resolves one workload: a built-in name, else a file path relative
// to dir.
func (d *decoder) workload(n *yaml.Node, field, dir string) (workload.Workload, error) {
	ref, err := d.nonEmpty(n, field)
	if err != nil {
		return workload.Workload{}, err
	}
	if w, err := workload.Builtin(ref); err == nil {
		return w, nil
	}

	path := ref
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return workload.Workload{}, d.errorf(n, field, "workload %q is not built in (%s) and the file %s does not exist",
				ref, strings.Join(workload.Names(), ", "), path)
		}
		return workload.Workload{}, d.wrap(n, field, fmt.Errorf("workload file: %w", err))
	}
	w, err := workload.Load(path)
	if err != nil {
		return workload.Workload{}, d.wrap(n, field, err)
	}
	return w, nil
}

// excludes reads the exclude section and returns the node of each exclude.
func (d *decoder) excludes(e entry, m Matrix) ([]Match, []*yaml.Node, error) {
	items, err := d.sequence(e.value, "exclude")
	if err != nil {
		return nil, nil, err
	}
	var matches []Match
	for i, item := range items {
		match, err := d.match(item, index("exclude", i), m)
		if err != nil {
			return nil, nil, err
		}
		if match == (Match{}) {
			return nil, nil, d.errorf(item, index("exclude", i), "excludes every cell; give a framework, a model or a workload")
		}
		matches = append(matches, match)
	}
	return matches, items, nil
}

// match reads a cell selector whose values must each name something in m.
func (d *decoder) match(n *yaml.Node, field string, m Matrix) (Match, error) {
	entries, err := d.mapping(n, field, matchFields)
	if err != nil {
		return Match{}, err
	}
	var match Match
	for _, kv := range entries {
		sub := join(field, kv.key)
		value, err := d.nonEmpty(kv.value, sub)
		if err != nil {
			return Match{}, err
		}
		switch kv.key {
		case "framework":
			match.Framework, err = d.inList(kv.value, sub, "framework", value, frameworkNames(m.Frameworks))
		case "model":
			match.Model, err = d.inModels(kv.value, sub, value, m.Models)
		case "workload":
			match.Workload, err = d.inList(kv.value, sub, "workload", value, workloadNames(m.Workloads))
		}
		if err != nil {
			return Match{}, err
		}
	}
	return match, nil
}

func (d *decoder) inList(n *yaml.Node, field, kind, value string, list []string) (string, error) {
	if !slices.Contains(list, value) {
		return "", d.errorf(n, field, "no %s %q in this matrix; its %ss are %s", kind, value, kind, strings.Join(list, ", "))
	}
	return value, nil
}

func (d *decoder) inModels(n *yaml.Node, field, value string, models []Model) (string, error) {
	names := ModelNames(models)
	for i, model := range models {
		if value == model.ID || value == names[i] {
			return value, nil
		}
	}
	ids := make([]string, len(models))
	for i, model := range models {
		ids[i] = model.ID
	}
	return "", d.errorf(n, field, "no model %q in this matrix; its models are %s", value, strings.Join(ids, ", "))
}

// overrideSource is the position of an override in the file, for errors
// found after parsing.
type overrideSource struct {
	at    *yaml.Node
	setAt *yaml.Node
	lines map[string]int // line of each field set
}

// overrides reads the overrides section.
func (d *decoder) overrides(e entry, m Matrix, dir string) ([]Override, []overrideSource, error) {
	items, err := d.sequence(e.value, "overrides")
	if err != nil {
		return nil, nil, err
	}
	var overrides []Override
	var sources []overrideSource
	for i, item := range items {
		field := index("overrides", i)
		entries, err := d.mapping(item, field, overrideFields)
		if err != nil {
			return nil, nil, err
		}
		var o Override
		src := overrideSource{at: item}
		for _, kv := range entries {
			switch kv.key {
			case "match":
				o.Match, err = d.match(kv.value, join(field, "match"), m)
			case "set":
				src.setAt = kv.value
				o.Set, src.lines, err = d.decodePatch(kv, join(field, "set"), dir)
			}
			if err != nil {
				return nil, nil, err
			}
		}
		if src.setAt == nil {
			return nil, nil, d.errorf(item, join(field, "set"), "missing; give the workload fields to change, such as {max_tokens: 512}")
		}
		overrides = append(overrides, o)
		sources = append(sources, src)
	}
	return overrides, sources, nil
}

func frameworkNames(frameworks []Framework) []string {
	names := make([]string, len(frameworks))
	for i, f := range frameworks {
		names[i] = f.Name
	}
	return names
}

func workloadNames(workloads []workload.Workload) []string {
	names := make([]string, len(workloads))
	for i, w := range workloads {
		names[i] = w.Name
	}
	return names
}

// fieldOf returns the path of a mapping item's key field, or of the item
// itself when it was given as a bare scalar.
func fieldOf(item *yaml.Node, field, key string) string {
	if item.Kind == yaml.ScalarNode {
		return field
	}
	return join(field, key)
}
