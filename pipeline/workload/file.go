package workload

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// fileWorkload is the JSON form of a workload file. Pointers tell a field
// left out (nil, so the default applies) from a field set to its zero value.
type fileWorkload struct {
	Name           *string         `json:"name"`
	NumRequests    *int            `json:"num_requests"`
	MaxTokens      *int            `json:"max_tokens"`
	Concurrency    *int            `json:"concurrency"`
	RequestRate    json.RawMessage `json:"request_rate"`
	Arrival        *string         `json:"arrival"`
	Burstiness     *float64        `json:"burstiness"`
	InputLen       *int            `json:"input_len"`
	Dataset        *string         `json:"dataset"`
	Endpoint       *string         `json:"endpoint"`
	IgnoreEOS      *bool           `json:"ignore_eos"`
	Temperature    *float64        `json:"temperature"`
	WarmupRequests *int            `json:"warmup_requests"`
	Timeout        *string         `json:"timeout"`
	Seed           *int64          `json:"seed"`
}

// wireWorkload is the JSON form that MarshalJSON writes: every field set,
// request_rate left out for closed loop and written as "inf" for +Inf.
type wireWorkload struct {
	Name           string  `json:"name"`
	NumRequests    int     `json:"num_requests"`
	MaxTokens      int     `json:"max_tokens"`
	Concurrency    int     `json:"concurrency"`
	RequestRate    any     `json:"request_rate,omitempty"`
	Arrival        string  `json:"arrival"`
	Burstiness     float64 `json:"burstiness"`
	InputLen       int     `json:"input_len"`
	Dataset        string  `json:"dataset"`
	Endpoint       string  `json:"endpoint"`
	IgnoreEOS      bool    `json:"ignore_eos"`
	Temperature    float64 `json:"temperature"`
	WarmupRequests int     `json:"warmup_requests"`
	Timeout        string  `json:"timeout"`
	Seed           int64   `json:"seed"`
}

// Load reads a workload JSON file, fills the fields it leaves out with the
// defaults of the built-in workloads and validates it. The name defaults to
// the file name without its extension, and a dataset path is taken relative
// to the file's folder. Every error names the file and the field.
func Load(path string) (Workload, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Workload{}, fmt.Errorf("reading workload file: %w", err)
	}

	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	w, err := decode(data, name)
	if err != nil {
		return Workload{}, fmt.Errorf("workload file %s: %w", path, err)
	}

	if w.IsShareGPT() && !filepath.IsAbs(w.Dataset) {
		w.Dataset = filepath.Join(filepath.Dir(path), w.Dataset)
	}
	if problems := w.problems(); len(problems) > 0 {
		return Workload{}, fmt.Errorf("workload file %s: %w", path, joinProblems(problems))
	}
	if w.IsShareGPT() {
		if _, err := os.Stat(w.Dataset); err != nil {
			return Workload{}, fmt.Errorf("workload file %s: field \"dataset\": cannot open the ShareGPT file: %w", path, err)
		}
	}
	return w, nil
}

// Resolve returns the built-in workload of that name, or else loads the
// workload file at that path.
func Resolve(nameOrPath string) (Workload, error) {
	if w, err := Builtin(nameOrPath); err == nil {
		return w, nil
	}
	if _, err := os.Stat(nameOrPath); err != nil {
		return Workload{}, fmt.Errorf("unknown workload %q: it is not a built-in workload (%s) and not a readable file: %w",
			nameOrPath, strings.Join(Names(), ", "), err)
	}
	return Load(nameOrPath)
}

// MarshalJSON writes the workload in the form Load reads: request_rate as a
// number, as "inf" for +Inf (JSON has no infinity) or left out for closed
// loop, and timeout as a duration string.
func (w Workload) MarshalJSON() ([]byte, error) {
	out := wireWorkload{
		Name: w.Name, NumRequests: w.NumRequests, MaxTokens: w.MaxTokens, Concurrency: w.Concurrency,
		Arrival: w.Arrival, Burstiness: w.Burstiness, InputLen: w.InputLen, Dataset: w.Dataset,
		Endpoint: w.Endpoint, IgnoreEOS: w.IgnoreEOS, Temperature: w.Temperature,
		WarmupRequests: w.WarmupRequests, Timeout: w.Timeout.String(), Seed: w.Seed,
	}
	switch {
	case w.Infinite():
		out.RequestRate = "inf"
	case w.RequestRate != 0:
		out.RequestRate = json.Number(FormatRate(w.RequestRate))
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads a workload in the form of a workload file, with the
// same defaults and checks as Load, except that the name must be given.
func (w *Workload) UnmarshalJSON(data []byte) error {
	decoded, err := decode(data, "")
	if err != nil {
		return fmt.Errorf("decoding workload: %w", err)
	}
	if problems := decoded.problems(); len(problems) > 0 {
		return fmt.Errorf("decoding workload %q: %w", decoded.Name, joinProblems(problems))
	}
	*w = decoded
	return nil
}

// FormatRate returns a request rate as written in workload files and
// summaries: "inf" for +Inf, "" for closed loop (0), else the shortest
// form that reads back exactly, with an exponent for very small or large
// rates ("0.5", "1e-05", "1e+06").
func FormatRate(rate float64) string {
	switch {
	case math.IsInf(rate, 1):
		return "inf"
	case rate > 0:
		return strconv.FormatFloat(rate, 'g', -1, 64)
	default:
		return ""
	}
}

// ParseRate reads a request rate: a number > 0, or "inf", "Inf", "INF" or
// "infinity" (any case) for all requests at once. It never returns 0, a
// negative number or NaN without an error.
func ParseRate(s string) (float64, error) {
	trimmed := strings.TrimSpace(s)
	if strings.EqualFold(trimmed, "inf") || strings.EqualFold(trimmed, "infinity") || strings.EqualFold(trimmed, "+inf") {
		return math.Inf(1), nil
	}
	rate, err := strconv.ParseFloat(trimmed, 64)
	if err != nil || math.IsNaN(rate) || math.IsInf(rate, 0) {
		return 0, fmt.Errorf(`must be a number of requests per second > 0 or "inf", got %q`, s)
	}
	if rate <= 0 {
		return 0, fmt.Errorf(`must be > 0 or "inf", got %v`, rate)
	}
	return rate, nil
}

// decode parses a workload file's JSON and fills defaults. It checks the
// JSON form (unknown fields, types, request_rate, timeout) but not the
// ranges of the values, which problems checks.
func decode(data []byte, defaultName string) (Workload, error) {
	var f fileWorkload
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Workload{}, describeDecodeError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Workload{}, errors.New("unexpected data after the workload object; a workload file holds one JSON object")
	}

	w := defaults(Workload{Name: defaultName})
	setIfPresent(&w.Name, f.Name)
	setIfPresent(&w.NumRequests, f.NumRequests)
	setIfPresent(&w.MaxTokens, f.MaxTokens)
	setIfPresent(&w.Concurrency, f.Concurrency)
	setIfPresent(&w.Arrival, f.Arrival)
	setIfPresent(&w.Burstiness, f.Burstiness)
	setIfPresent(&w.InputLen, f.InputLen)
	setIfPresent(&w.Dataset, f.Dataset)
	setIfPresent(&w.Endpoint, f.Endpoint)
	setIfPresent(&w.IgnoreEOS, f.IgnoreEOS)
	setIfPresent(&w.Temperature, f.Temperature)
	setIfPresent(&w.WarmupRequests, f.WarmupRequests)
	setIfPresent(&w.Seed, f.Seed)

	if f.NumRequests == nil {
		return Workload{}, &FieldError{Field: "num_requests", Problem: "missing; set the number of measured requests, e.g. 50"}
	}
	if f.MaxTokens == nil && !w.IsShareGPT() {
		return Workload{}, &FieldError{Field: "max_tokens", Problem: "missing; set the output length in tokens, e.g. 128"}
	}

	rate, err := decodeRate(f.RequestRate)
	if err != nil {
		return Workload{}, &FieldError{Field: "request_rate", Problem: err.Error()}
	}
	w.RequestRate = rate

	if f.Timeout != nil {
		timeout, err := time.ParseDuration(*f.Timeout)
		if err != nil || timeout <= 0 {
			return Workload{}, &FieldError{Field: "timeout", Problem: fmt.Sprintf(`must be a positive duration such as "30s" or "2m", got %q`, *f.Timeout)}
		}
		w.Timeout = timeout
	}
	return w, nil
}

func setIfPresent[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// decodeRate reads request_rate: absent or null is closed loop (0); a JSON
// number must be > 0; a string must be a spelling of infinity or a number.
func decodeRate(raw json.RawMessage) (float64, error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		return 0, nil
	}
	if trimmed[0] == '"' {
		var s string
		if err := json.Unmarshal(trimmed, &s); err != nil {
			return 0, fmt.Errorf(`must be a number > 0 or "inf", got %s`, trimmed)
		}
		return ParseRate(s)
	}
	return ParseRate(string(trimmed))
}

// describeDecodeError turns an encoding/json error into one that names the
// field or the line and suggests what to write instead.
func describeDecodeError(data []byte, err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		return &FieldError{Field: typeErr.Field, Problem: fmt.Sprintf("must be %s, got a JSON %s", describeType(typeErr.Type), typeErr.Value)}
	case errors.As(err, &syntaxErr):
		line, col := position(data, syntaxErr.Offset)
		return fmt.Errorf("invalid JSON at line %d, column %d: %w", line, col, err)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &FieldError{Field: field, Problem: "unknown field; the known fields are " + strings.Join(knownFields(), ", ")}
	case errors.Is(err, io.EOF):
		return errors.New("empty file; a workload file holds one JSON object")
	default:
		return fmt.Errorf("invalid JSON: %w", err)
	}
}

func describeType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int64:
		return "an integer"
	case reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	default:
		return "a JSON object"
	}
}

// knownFields lists the JSON field names of a workload file.
func knownFields() []string {
	t := reflect.TypeFor[fileWorkload]()
	names := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		names = append(names, strings.Split(t.Field(i).Tag.Get("json"), ",")[0])
	}
	return names
}

// position converts the offset of a json.SyntaxError, which counts the
// offending byte, into the 1-based line and column of that byte.
func position(data []byte, offset int64) (line, col int) {
	offset = min(max(offset-1, 0), int64(len(data)))
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = len(before) - bytes.LastIndexByte(before, '\n')
	return line, col
}
