package scrape

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// maxLineBytes bounds one line of a /metrics response. Prometheus text lines
// are short; a longer line is treated as garbage.
const maxLineBytes = 64 << 10

// errNoKnownMetrics is returned when a response parses but carries none of
// the flavor's metric names.
var errNoKnownMetrics = errors.New("no known metric in the response")

// extract reads a Prometheus text-format body and returns the canonical
// values found in it. Only the lines of the wanted metric families are parsed,
// which keeps a scrape cheap (vLLM serves hundreds of histogram lines) and
// keeps a malformed line of an unrelated metric from losing the whole sample.
func extract(body io.Reader, sources []source) (map[string]float64, error) {
	wanted := make(map[string]bool)
	for _, src := range sources {
		for _, name := range src.names {
			wanted[name] = true
		}
	}

	filtered, err := filterLines(body, wanted)
	if err != nil {
		return nil, err
	}

	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(filtered))
	if err != nil {
		return nil, fmt.Errorf("parsing Prometheus text: %w", err)
	}

	values := make(map[string]float64)
	for _, src := range sources {
		if _, done := values[src.canonical]; done {
			continue
		}
		for _, name := range src.names {
			family, ok := families[name]
			if !ok {
				continue
			}
			v, ok := aggregate(family, src.aggregate)
			if !ok {
				continue
			}
			values[src.canonical] = v
			break
		}
	}
	if len(values) == 0 {
		return nil, errNoKnownMetrics
	}
	return values, nil
}

// filterLines copies the lines of body that belong to a wanted metric family:
// its samples and its HELP and TYPE comments.
func filterLines(body io.Reader, wanted map[string]bool) ([]byte, error) {
	var out bytes.Buffer
	scanner := bufio.NewScanner(body)
	scanner.Buffer(make([]byte, 0, 4096), maxLineBytes)
	for scanner.Scan() {
		line := scanner.Bytes()
		if wanted[string(familyOf(line))] {
			out.Write(line)
			out.WriteByte('\n')
		}
	}
	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("reading response: %w", err)
	}
	return out.Bytes(), nil
}

// familyOf returns the metric name a text-format line belongs to, or nothing
// for a blank line or a comment other than HELP and TYPE.
func familyOf(line []byte) []byte {
	s := bytes.TrimLeft(line, " \t")
	if rest, ok := bytes.CutPrefix(s, []byte("#")); ok {
		fields := bytes.Fields(rest)
		if len(fields) >= 2 && (string(fields[0]) == "HELP" || string(fields[0]) == "TYPE") {
			return fields[1]
		}
		return nil
	}
	if end := bytes.IndexAny(s, "{ \t"); end >= 0 {
		return s[:end]
	}
	return s
}

// aggregate combines the values of every label set of a gauge, counter or
// untyped family. It reports false when the family has no usable value.
func aggregate(family *dto.MetricFamily, how aggregation) (float64, bool) {
	var result float64
	found := false
	for _, m := range family.GetMetric() {
		v, ok := scalarValue(m)
		if !ok || math.IsNaN(v) {
			continue
		}
		switch {
		case !found:
			result = v
		case how == aggregateMax:
			result = math.Max(result, v)
		default:
			result += v
		}
		found = true
	}
	return result, found
}

func scalarValue(m *dto.Metric) (float64, bool) {
	switch {
	case m.Gauge != nil:
		return m.Gauge.GetValue(), true
	case m.Counter != nil:
		return m.Counter.GetValue(), true
	case m.Untyped != nil:
		return m.Untyped.GetValue(), true
	}
	return 0, false
}
