package results

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
	"github.com/llmbench/llmbench-action/pipeline/record"
)

// columnKind is the type of a summary column.
type columnKind int

const (
	kindString columnKind = iota
	kindInt
	kindFloat
	kindOptionalFloat
	kindStringList
)

// summaryColumn is one column of summary.parquet and summary.csv.
type summaryColumn struct {
	name  string
	kind  columnKind
	value func(s *metrics.Summary) any
}

// summaryColumns lists the flat summary columns in file order. Failure
// counts get one column per kind, distributions one column per statistic
// (ttft_ms_p50 and so on).
var summaryColumns = buildSummaryColumns()

func buildSummaryColumns() []summaryColumn {
	str := func(name string, f func(s *metrics.Summary) string) summaryColumn {
		return summaryColumn{name, kindString, func(s *metrics.Summary) any { return f(s) }}
	}
	integer := func(name string, f func(s *metrics.Summary) int) summaryColumn {
		return summaryColumn{name, kindInt, func(s *metrics.Summary) any { return int64(f(s)) }}
	}
	optional := func(name string, f func(s *metrics.Summary) *float64) summaryColumn {
		return summaryColumn{name, kindOptionalFloat, func(s *metrics.Summary) any { return f(s) }}
	}

	cols := []summaryColumn{
		str("framework", func(s *metrics.Summary) string { return s.Framework }),
		str("model", func(s *metrics.Summary) string { return s.Model }),
		str("workload", func(s *metrics.Summary) string { return s.Workload }),
		integer("requests_total", func(s *metrics.Summary) int { return s.RequestsTotal }),
		integer("requests_ok", func(s *metrics.Summary) int { return s.RequestsOK }),
		integer("requests_failed", func(s *metrics.Summary) int { return s.RequestsFailed }),
	}
	for _, kind := range record.FailureKinds {
		cols = append(cols, integer("failures_"+string(kind), func(s *metrics.Summary) int { return s.Failures[kind] }))
	}
	cols = append(cols,
		integer("failures_other", otherFailures),
		summaryColumn{"duration_s", kindFloat, func(s *metrics.Summary) any { return s.DurationS }},
		optional("request_throughput", func(s *metrics.Summary) *float64 { return s.RequestThroughput }),
		optional("output_token_throughput", func(s *metrics.Summary) *float64 { return s.OutputTokenThroughput }),
		optional("total_token_throughput", func(s *metrics.Summary) *float64 { return s.TotalTokenThroughput }),
	)
	distributions := []struct {
		name string
		get  func(s *metrics.Summary) *metrics.Distribution
	}{
		{"ttft_ms", func(s *metrics.Summary) *metrics.Distribution { return &s.TTFT }},
		{"tpot_ms", func(s *metrics.Summary) *metrics.Distribution { return &s.TPOT }},
		{"itl_ms", func(s *metrics.Summary) *metrics.Distribution { return &s.ITL }},
		{"itl_token_ms", func(s *metrics.Summary) *metrics.Distribution { return &s.ITLToken }},
		{"e2e_ms", func(s *metrics.Summary) *metrics.Distribution { return &s.E2E }},
	}
	stats := []struct {
		name string
		get  func(d *metrics.Distribution) *float64
	}{
		{"mean", func(d *metrics.Distribution) *float64 { return d.Mean }},
		{"p50", func(d *metrics.Distribution) *float64 { return d.P50 }},
		{"p90", func(d *metrics.Distribution) *float64 { return d.P90 }},
		{"p95", func(d *metrics.Distribution) *float64 { return d.P95 }},
		{"p99", func(d *metrics.Distribution) *float64 { return d.P99 }},
		{"min", func(d *metrics.Distribution) *float64 { return d.Min }},
		{"max", func(d *metrics.Distribution) *float64 { return d.Max }},
		{"stdev", func(d *metrics.Distribution) *float64 { return d.Stdev }},
	}
	for _, dist := range distributions {
		for _, stat := range stats {
			cols = append(cols, optional(dist.name+"_"+stat.name, func(s *metrics.Summary) *float64 { return stat.get(dist.get(s)) }))
		}
		cols = append(cols, integer(dist.name+"_n", func(s *metrics.Summary) int { return dist.get(s).N }))
	}
	cols = append(cols,
		integer("input_tokens", func(s *metrics.Summary) int { return s.InputTokens }),
		integer("output_tokens", func(s *metrics.Summary) int { return s.OutputTokens }),
		integer("output_tokens_estimated", func(s *metrics.Summary) int { return s.OutputTokensEstimated }),
		integer("output_tokens_unknown", func(s *metrics.Summary) int { return s.OutputTokensUnknown }),
		integer("input_tokens_from_client", func(s *metrics.Summary) int { return s.InputTokensFromClient }),
		optional("cost_per_1m_output_tokens_usd", func(s *metrics.Summary) *float64 { return s.CostPer1MOutputTokensUSD }),
		optional("cost_per_1m_total_tokens_usd", func(s *metrics.Summary) *float64 { return s.CostPer1MTotalTokensUSD }),
		optional("goodput", func(s *metrics.Summary) *float64 { return s.Goodput }),
		integer("good_requests", func(s *metrics.Summary) int { return s.GoodRequests }),
		optional("slo_ttft_ms", func(s *metrics.Summary) *float64 { return s.SLOTTFTMs }),
		optional("slo_tpot_ms", func(s *metrics.Summary) *float64 { return s.SLOTPOTMs }),
		optional("slo_e2e_ms", func(s *metrics.Summary) *float64 { return s.SLOE2EMs }),
		str("target_rate", func(s *metrics.Summary) string { return s.TargetRate }),
		optional("achieved_rate", func(s *metrics.Summary) *float64 { return s.AchievedRate }),
		integer("concurrency", func(s *metrics.Summary) int { return s.Concurrency }),
		integer("usage_mismatches", func(s *metrics.Summary) int { return s.UsageMismatches }),
		integer("short_outputs", func(s *metrics.Summary) int { return s.ShortOutputs }),
		summaryColumn{"warnings", kindStringList, func(s *metrics.Summary) any { return s.Warnings }},
	)
	return cols
}

// otherFailures counts failures of kinds outside record.FailureKinds.
func otherFailures(s *metrics.Summary) int {
	n := 0
	for kind, count := range s.Failures {
		if !knownFailureKind(kind) {
			n += count
		}
	}
	return n
}

func knownFailureKind(kind record.FailureKind) bool {
	for _, known := range record.FailureKinds {
		if kind == known {
			return true
		}
	}
	return false
}

// summaryRowType is a struct type with one parquet-tagged field per summary
// column, in column order, so that summary.parquet keeps the column order
// of summary.csv.
var summaryRowType = buildSummaryRowType()

func buildSummaryRowType() reflect.Type {
	fields := make([]reflect.StructField, len(summaryColumns))
	for i, col := range summaryColumns {
		field := reflect.StructField{Name: fmt.Sprintf("C%d", i)}
		switch col.kind {
		case kindString:
			field.Type = reflect.TypeFor[string]()
			field.Tag = reflect.StructTag(`parquet:"` + col.name + `,dict"`)
		case kindInt:
			field.Type = reflect.TypeFor[int64]()
			field.Tag = reflect.StructTag(`parquet:"` + col.name + `"`)
		case kindFloat:
			field.Type = reflect.TypeFor[float64]()
			field.Tag = reflect.StructTag(`parquet:"` + col.name + `"`)
		case kindOptionalFloat:
			field.Type = reflect.TypeFor[*float64]()
			field.Tag = reflect.StructTag(`parquet:"` + col.name + `,optional"`)
		case kindStringList:
			field.Type = reflect.TypeFor[[]string]()
			field.Tag = reflect.StructTag(`parquet:"` + col.name + `,list"`)
		}
		fields[i] = field
	}
	return reflect.StructOf(fields)
}

// WriteSummaryParquet writes one row per summary, with the flat columns of
// summary.csv, and the run's key-value metadata.
func WriteSummaryParquet(w io.Writer, summaries []metrics.Summary, run RunInfo, cells []CellInfo) error {
	meta, err := metadata(FileKindSummary, run, cells)
	if err != nil {
		return err
	}
	schema := parquet.SchemaOf(reflect.New(summaryRowType).Interface())
	options := []parquet.WriterOption{schema, parquet.Compression(&parquet.Zstd)}
	for _, kv := range meta {
		options = append(options, parquet.KeyValueMetadata(kv[0], kv[1]))
	}
	pw := parquet.NewWriter(w, options...)
	for i := range summaries {
		row := reflect.New(summaryRowType)
		for c, col := range summaryColumns {
			value := col.value(&summaries[i])
			field := row.Elem().Field(c)
			switch v := value.(type) {
			case *float64:
				if v != nil {
					field.Set(reflect.ValueOf(v))
				}
			case []string:
				if v != nil {
					field.Set(reflect.ValueOf(v))
				}
			default:
				field.Set(reflect.ValueOf(value))
			}
		}
		if err := pw.Write(row.Interface()); err != nil {
			return fmt.Errorf("writing summary of %s/%s/%s: %w", summaries[i].Framework, summaries[i].Model, summaries[i].Workload, err)
		}
	}
	return pw.Close()
}

// WriteSummaryCSV writes a header row and one row per summary. Null values
// are empty cells, floats keep full precision, and warnings are joined with
// "; ".
func WriteSummaryCSV(w io.Writer, summaries []metrics.Summary) error {
	cw := csv.NewWriter(w)
	header := make([]string, len(summaryColumns))
	for i, col := range summaryColumns {
		header[i] = col.name
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for i := range summaries {
		line := make([]string, len(summaryColumns))
		for c, col := range summaryColumns {
			line[c] = csvCell(col.value(&summaries[i]))
		}
		if err := cw.Write(line); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvCell(value any) string {
	switch v := value.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case *float64:
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', -1, 64)
	case []string:
		return strings.Join(v, "; ")
	}
	return fmt.Sprint(value)
}

// WriteSummaryJSON writes the summaries as an indented JSON array with the
// field names of metrics.Summary, followed by a newline.
func WriteSummaryJSON(w io.Writer, summaries []metrics.Summary) error {
	data, err := json.MarshalIndent(summaries, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding summaries: %w", err)
	}
	data = append(data, '\n')
	_, err = w.Write(data)
	return err
}

// SummaryColumns returns the names of the summary.csv and summary.parquet
// columns in order.
func SummaryColumns() []string {
	names := make([]string, len(summaryColumns))
	for i, col := range summaryColumns {
		names[i] = col.name
	}
	return names
}
