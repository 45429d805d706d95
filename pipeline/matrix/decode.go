package matrix

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Error is an invalid value in a matrix file.
type Error struct {
	// File is the matrix file's path as given to Load or Parse.
	File string
	// Line is the 1-based line of the value; 0 when unknown.
	Line int
	// Field is the value's path in the file, e.g. "models[1].id"; empty for
	// the file as a whole.
	Field string
	Err   error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// decoder reads yaml.Node trees strictly and reports errors with the file,
// the line and the field path.
type decoder struct {
	file string
}

func (d *decoder) errorf(n *yaml.Node, field, format string, args ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &Error{File: d.file, Line: line, Field: field, Err: fmt.Errorf(format, args...)}
}

func (d *decoder) wrap(n *yaml.Node, field string, err error) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &Error{File: d.file, Line: line, Field: field, Err: err}
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// entry is one key and value of a YAML mapping.
type entry struct {
	key   string
	keyAt *yaml.Node
	value *yaml.Node
}

// mapping returns the entries of a mapping node, rejecting keys outside known
// and keys given twice.
func (d *decoder) mapping(n *yaml.Node, field string, known []string) ([]entry, error) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		return nil, d.errorf(n, field, "must be a mapping with the fields %s, got %s", strings.Join(known, ", "), describe(n))
	}
	var entries []entry
	seen := make(map[string]int)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, d.errorf(k, field, "keys must be field names, got %s", describe(k))
		}
		sub := join(field, k.Value)
		if !slices.Contains(known, k.Value) {
			return nil, d.errorf(k, sub, "unknown field; known fields are %s", strings.Join(known, ", "))
		}
		if first, dup := seen[k.Value]; dup {
			return nil, d.errorf(k, sub, "given twice (first at line %d)", first)
		}
		seen[k.Value] = k.Line
		entries = append(entries, entry{key: k.Value, keyAt: k, value: resolve(v)})
	}
	return entries, nil
}

// sequence returns the items of a sequence node.
func (d *decoder) sequence(n *yaml.Node, field string) ([]*yaml.Node, error) {
	n = resolve(n)
	if n.Kind != yaml.SequenceNode {
		return nil, d.errorf(n, field, "must be a list, got %s", describe(n))
	}
	items := make([]*yaml.Node, len(n.Content))
	for i, item := range n.Content {
		items[i] = resolve(item)
	}
	return items, nil
}

// str returns a scalar's text. Numbers and booleans are accepted as their
// text (a revision may look like a number); null and collections are not.
func (d *decoder) str(n *yaml.Node, field string) (string, error) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", d.errorf(n, field, "must be a string, got %s", describe(n))
	}
	return n.Value, nil
}

// nonEmpty is str that also rejects an empty or blank string.
func (d *decoder) nonEmpty(n *yaml.Node, field string) (string, error) {
	s, err := d.str(n, field)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(s) == "" {
		return "", d.errorf(n, field, "must not be empty")
	}
	return s, nil
}

func (d *decoder) strList(n *yaml.Node, field string) ([]string, error) {
	items, err := d.sequence(n, field)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(items))
	for i, item := range items {
		s, err := d.str(item, index(field, i))
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func (d *decoder) strMap(n *yaml.Node, field string) (map[string]string, error) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		return nil, d.errorf(n, field, "must be a mapping of names to values, got %s", describe(n))
	}
	out := make(map[string]string)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		key, err := d.nonEmpty(k, field)
		if err != nil {
			return nil, err
		}
		if _, dup := out[key]; dup {
			return nil, d.errorf(k, join(field, key), "given twice")
		}
		v, err := d.str(n.Content[i+1], join(field, key))
		if err != nil {
			return nil, err
		}
		out[key] = v
	}
	return out, nil
}

func (d *decoder) integer(n *yaml.Node, field string) (int, error) {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
		if v, err := strconv.ParseInt(n.Value, 0, 32); err == nil {
			return int(v), nil
		}
	}
	return 0, d.errorf(n, field, "must be an integer, got %s", describe(n))
}

func (d *decoder) int64(n *yaml.Node, field string) (int64, error) {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
		if v, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
			return v, nil
		}
	}
	return 0, d.errorf(n, field, "must be an integer, got %s", describe(n))
}

func (d *decoder) float(n *yaml.Node, field string) (float64, error) {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!int" || n.Tag == "!!float") {
		v, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
			return v, nil
		}
	}
	return 0, d.errorf(n, field, "must be a finite number, got %s", describe(n))
}

func (d *decoder) boolean(n *yaml.Node, field string) (bool, error) {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		var v bool
		if err := n.Decode(&v); err == nil {
			return v, nil
		}
	}
	return false, d.errorf(n, field, "must be true or false, got %s", describe(n))
}

// duration reads a positive Go duration such as "200ms" or "2m".
func (d *decoder) duration(n *yaml.Node, field string) (time.Duration, error) {
	n = resolve(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		v, err := time.ParseDuration(n.Value)
		if err == nil && v > 0 {
			return v, nil
		}
	}
	return 0, d.errorf(n, field, `must be a positive duration such as "200ms", "10s" or "2m", got %s`, describe(n))
}

// describe names a node's value for an error message.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return strconv.Quote(n.Value)
	}
	return "an unsupported YAML node"
}

func join(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}

func index(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }
