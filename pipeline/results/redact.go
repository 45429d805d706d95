package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/llmbench/llmbench-action/pipeline/record"
)

// Redacted replaces every secret the Redactor finds.
const Redacted = "[redacted]"

// minSecretLen is the shortest environment value treated as a secret. Shorter
// values ("1", "true") would redact unrelated text everywhere.
const minSecretLen = 8

// secretNameParts are the upper-case name fragments of variables and JSON
// keys whose values are secret.
var secretNameParts = []string{
	"TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "API_KEY", "APIKEY",
	"ACCESS_KEY", "PRIVATE_KEY", "AUTH",
}

// secretPatterns match well-known credential shapes even when their value
// is not in the environment: Hugging Face and GitHub tokens, OpenAI-style
// keys, bearer tokens and passwords in URLs.
var secretPatterns = []struct {
	re          *regexp.Regexp
	replacement string
}{
	{regexp.MustCompile(`hf_[A-Za-z0-9]{20,}`), Redacted},
	{regexp.MustCompile(`gh[pousr]_[A-Za-z0-9]{20,}`), Redacted},
	{regexp.MustCompile(`github_pat_[A-Za-z0-9_]{20,}`), Redacted},
	{regexp.MustCompile(`sk-[A-Za-z0-9_-]{20,}`), Redacted},
	{regexp.MustCompile(`(?i)bearer\s+[A-Za-z0-9._~+/=-]{20,}`), Redacted},
	{regexp.MustCompile(`://[^/\s:@]+:[^/\s@]+@`), "://" + Redacted + "@"},
}

// IsSecretName reports whether an environment variable or JSON key name
// looks like it holds a secret, e.g. HF_TOKEN or github_token.
func IsSecretName(name string) bool {
	upper := strings.ToUpper(name)
	for _, part := range secretNameParts {
		if strings.Contains(upper, part) {
			return true
		}
	}
	return false
}

// Redactor removes secrets from text before it is written to a results
// directory: the values of secret-named environment variables, and strings
// shaped like well-known credentials.
type Redactor struct {
	// values are the secret values, longest first so that a value containing
	// another is replaced whole.
	values []string
}

// NewRedactor returns a Redactor for the secrets in environ, a list of
// "NAME=value" entries as returned by os.Environ. Values shorter than 8
// bytes are not treated as secrets.
func NewRedactor(environ []string) *Redactor {
	seen := map[string]bool{}
	var values []string
	for _, entry := range environ {
		name, value, ok := strings.Cut(entry, "=")
		if !ok || !IsSecretName(name) || len(value) < minSecretLen || seen[value] {
			continue
		}
		seen[value] = true
		values = append(values, value)
	}
	sort.Slice(values, func(i, j int) bool {
		if len(values[i]) != len(values[j]) {
			return len(values[i]) > len(values[j])
		}
		return values[i] < values[j]
	})
	return &Redactor{values: values}
}

// String returns s with every secret replaced by Redacted.
func (r *Redactor) String(s string) string {
	if s == "" {
		return s
	}
	for _, v := range r.values {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, Redacted)
		}
	}
	for _, p := range secretPatterns {
		s = p.re.ReplaceAllLiteralString(s, p.replacement)
	}
	return s
}

// RunInfo returns a copy of run with secrets removed: secret-named
// variables in Env and secret-named keys in Matrix get Redacted as their
// value, and the other strings are passed through String. The planned cell
// keys are kept as they are.
func (r *Redactor) RunInfo(run RunInfo) (RunInfo, error) {
	out := run
	out.ToolVersion = r.String(run.ToolVersion)
	out.GitCommit = r.String(run.GitCommit)
	out.GPUName = r.String(run.GPUName)
	out.GPUDriver = r.String(run.GPUDriver)
	out.RunnerName = r.String(run.RunnerName)
	out.Instance = r.String(run.Instance)
	if run.Env != nil {
		out.Env = make(map[string]string, len(run.Env))
		for name, value := range run.Env {
			if IsSecretName(name) {
				value = Redacted
			}
			out.Env[name] = r.String(value)
		}
	}
	if len(run.Matrix) > 0 {
		matrix, err := r.json(run.Matrix)
		if err != nil {
			return RunInfo{}, fmt.Errorf("redacting the matrix definition: %w", err)
		}
		out.Matrix = matrix
	}
	return out, nil
}

// json returns the JSON document data with secrets removed.
func (r *Redactor) json(data []byte) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	out, err := json.Marshal(r.value(doc))
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (r *Redactor) value(v any) any {
	switch v := v.(type) {
	case string:
		return r.String(v)
	case []any:
		for i := range v {
			v[i] = r.value(v[i])
		}
		return v
	case map[string]any:
		for key, item := range v {
			if _, isString := item.(string); isString && IsSecretName(key) {
				v[key] = Redacted
				continue
			}
			v[key] = r.value(item)
		}
		return v
	}
	return v
}

// Cell returns a copy of cell with secrets removed from its descriptive
// strings. The cell's key (framework, model, workload) is kept as it is,
// because it must match the records.
func (r *Redactor) Cell(cell CellInfo) CellInfo {
	cell.Image = r.String(cell.Image)
	cell.ImageDigest = r.String(cell.ImageDigest)
	cell.ModelRevision = r.String(cell.ModelRevision)
	cell.Target = r.String(cell.Target)
	cell.RunnerName = r.String(cell.RunnerName)
	cell.GPUName = r.String(cell.GPUName)
	cell.GPUDriver = r.String(cell.GPUDriver)
	return cell
}

// Row removes secrets from the free-text columns of row in place: the
// error message, the output text and the warnings.
func (r *Redactor) Row(row *RequestRow) {
	row.ErrorMessage = r.String(row.ErrorMessage)
	row.OutputText = r.String(row.OutputText)
	if len(row.Warnings) > 0 {
		warnings := make([]string, len(row.Warnings))
		for i, w := range row.Warnings {
			warnings[i] = r.String(w)
		}
		row.Warnings = warnings
	}
}

// rowFromRecord converts a record to a row without secrets.
func (r *Redactor) rowFromRecord(rec *record.Record) RequestRow {
	row := rowOf(rec)
	r.Row(&row)
	return row
}
