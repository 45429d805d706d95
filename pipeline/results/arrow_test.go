package results

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/llmbench/llmbench-action/pipeline/record"
)

// readArrow reads a Parquet file with the Arrow implementation and returns
// its table and key-value metadata.
func readArrow(t *testing.T, path string) (arrow.Table, map[string]string) {
	t.Helper()
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatalf("arrow: opening %s: %v", path, err)
	}
	t.Cleanup(func() { rdr.Close() })
	meta := map[string]string{}
	kv := rdr.MetaData().KeyValueMetadata()
	for i, key := range kv.Keys() {
		meta[key] = kv.Values()[i]
	}
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatalf("arrow: %v", err)
	}
	table, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatalf("arrow: reading %s: %v", path, err)
	}
	t.Cleanup(table.Release)
	return table, meta
}

// column returns the single chunk of a column by name.
func column(t *testing.T, table arrow.Table, name string) arrow.Array {
	t.Helper()
	idx := table.Schema().FieldIndices(name)
	if len(idx) != 1 {
		t.Fatalf("column %s: found %d times", name, len(idx))
	}
	chunks := table.Column(idx[0]).Data().Chunks()
	if len(chunks) != 1 {
		t.Fatalf("column %s: %d chunks, want 1", name, len(chunks))
	}
	return chunks[0]
}

func TestRequestsParquetReadByArrow(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	cells := writeTestRun(t, dir)
	var records []record.Record
	for _, c := range cells {
		records = append(records, stored(c.records)...)
	}

	table, meta := readArrow(t, filepath.Join(dir, RequestsFile))
	if got := int(table.NumRows()); got != len(records) {
		t.Fatalf("arrow read %d rows, want %d", got, len(records))
	}

	wantTypes := map[string]string{
		"framework":               "utf8",
		"model":                   "utf8",
		"workload":                "utf8",
		"request_index":           "int64",
		"warmup":                  "bool",
		"endpoint":                "utf8",
		"scheduled_at":            "timestamp[us, tz=UTC]",
		"scheduled_offset_ms":     "float64",
		"slot_wait_ms":            "float64",
		"send_delay_ms":           "float64",
		"ttft_ms":                 "float64",
		"e2e_ms":                  "float64",
		"stream_end_ms":           "float64",
		"token_times_ms":          "list<element: float64>",
		"tokens_per_event":        "list<element: int32>",
		"output_tokens":           "int64",
		"output_tokens_estimated": "bool",
		"output_tokens_source":    "utf8",
		"input_tokens":            "int64",
		"input_tokens_client":     "int64",
		"max_tokens":              "int64",
		"ignore_eos":              "bool",
		"finish_reason":           "utf8",
		"output_text":             "utf8",
		"status":                  "int32",
		"ok":                      "bool",
		"failure_kind":            "utf8",
		"error_message":           "utf8",
		"failure_latency_ms":      "float64",
		"usage_mismatch":          "bool",
		"warnings":                "list<element: utf8>",
	}
	wantNullable := map[string]bool{
		"ttft_ms": true, "e2e_ms": true, "tokens_per_event": true, "output_tokens": true,
		"input_tokens": true, "failure_kind": true, "failure_latency_ms": true,
	}
	fields := table.Schema().Fields()
	if len(fields) != len(wantTypes) {
		t.Errorf("arrow sees %d columns, want %d: %v", len(fields), len(wantTypes), table.Schema())
	}
	for _, f := range fields {
		want, ok := wantTypes[f.Name]
		if !ok {
			t.Errorf("unexpected column %s", f.Name)
			continue
		}
		if got := f.Type.String(); got != want {
			t.Errorf("column %s has type %s, want %s", f.Name, got, want)
		}
		if f.Nullable != wantNullable[f.Name] {
			t.Errorf("column %s nullable = %v, want %v", f.Name, f.Nullable, wantNullable[f.Name])
		}
	}

	framework := column(t, table, "framework").(*array.String)
	index := column(t, table, "request_index").(*array.Int64)
	warmup := column(t, table, "warmup").(*array.Boolean)
	endpoint := column(t, table, "endpoint").(*array.String)
	scheduled := column(t, table, "scheduled_at").(*array.Timestamp)
	offset := column(t, table, "scheduled_offset_ms").(*array.Float64)
	slotWait := column(t, table, "slot_wait_ms").(*array.Float64)
	sendDelay := column(t, table, "send_delay_ms").(*array.Float64)
	ttft := column(t, table, "ttft_ms").(*array.Float64)
	e2e := column(t, table, "e2e_ms").(*array.Float64)
	streamEnd := column(t, table, "stream_end_ms").(*array.Float64)
	tokenTimes := column(t, table, "token_times_ms").(*array.List)
	perEvent := column(t, table, "tokens_per_event").(*array.List)
	outputTokens := column(t, table, "output_tokens").(*array.Int64)
	estimated := column(t, table, "output_tokens_estimated").(*array.Boolean)
	source := column(t, table, "output_tokens_source").(*array.String)
	inputTokens := column(t, table, "input_tokens").(*array.Int64)
	inputClient := column(t, table, "input_tokens_client").(*array.Int64)
	maxTokens := column(t, table, "max_tokens").(*array.Int64)
	ignoreEOS := column(t, table, "ignore_eos").(*array.Boolean)
	finish := column(t, table, "finish_reason").(*array.String)
	text := column(t, table, "output_text").(*array.String)
	status := column(t, table, "status").(*array.Int32)
	ok := column(t, table, "ok").(*array.Boolean)
	kind := column(t, table, "failure_kind").(*array.String)
	message := column(t, table, "error_message").(*array.String)
	failLatency := column(t, table, "failure_latency_ms").(*array.Float64)
	mismatch := column(t, table, "usage_mismatch").(*array.Boolean)
	warnings := column(t, table, "warnings").(*array.List)

	floats := func(l *array.List, i int) []float64 {
		start, end := l.ValueOffsets(i)
		values := l.ListValues().(*array.Float64)
		var out []float64
		for j := start; j < end; j++ {
			out = append(out, values.Value(int(j)))
		}
		return out
	}
	nullableMs := func(a *array.Float64, i int) any {
		if a.IsNull(i) {
			return nil
		}
		return a.Value(i)
	}
	nullableInt := func(a *array.Int64, i int) any {
		if a.IsNull(i) {
			return nil
		}
		return a.Value(i)
	}

	for i, r := range records {
		check := func(name string, got, want any) {
			t.Helper()
			if !reflect.DeepEqual(got, want) {
				t.Errorf("row %d (%s/%s #%d) column %s = %v, want %v", i, r.Framework, r.Workload, r.Index, name, got, want)
			}
		}
		check("framework", framework.Value(i), r.Framework)
		check("model", column(t, table, "model").(*array.String).Value(i), r.Model)
		check("workload", column(t, table, "workload").(*array.String).Value(i), r.Workload)
		check("request_index", index.Value(i), int64(r.Index))
		check("warmup", warmup.Value(i), r.Warmup)
		check("endpoint", endpoint.Value(i), r.Endpoint)
		check("scheduled_at", scheduled.Value(i).ToTime(arrow.Microsecond), r.ScheduledAt)
		check("scheduled_offset_ms", offset.Value(i), toMs(r.ScheduledOffset))
		check("slot_wait_ms", slotWait.Value(i), toMs(r.SlotWait))
		check("send_delay_ms", sendDelay.Value(i), toMs(r.SendDelay))
		if r.HasTTFT {
			check("ttft_ms", nullableMs(ttft, i), toMs(r.TTFT))
			check("e2e_ms", nullableMs(e2e, i), toMs(r.E2E))
		} else {
			check("ttft_ms", nullableMs(ttft, i), nil)
			check("e2e_ms", nullableMs(e2e, i), nil)
		}
		check("stream_end_ms", streamEnd.Value(i), toMs(r.StreamEnd))

		var wantTimes []float64
		for _, d := range r.TokenTimes {
			wantTimes = append(wantTimes, toMs(d))
		}
		check("token_times_ms", floats(tokenTimes, i), wantTimes)

		if r.TokensPerEvent == nil {
			check("tokens_per_event null", perEvent.IsNull(i), true)
		} else {
			start, end := perEvent.ValueOffsets(i)
			values := perEvent.ListValues().(*array.Int32)
			var got []int
			for j := start; j < end; j++ {
				got = append(got, int(values.Value(int(j))))
			}
			check("tokens_per_event", got, r.TokensPerEvent)
		}

		if r.OutputTokensKnown {
			check("output_tokens", nullableInt(outputTokens, i), int64(r.OutputTokens))
		} else {
			check("output_tokens", nullableInt(outputTokens, i), nil)
		}
		check("output_tokens_estimated", estimated.Value(i), r.OutputTokensEstimated)
		check("output_tokens_source", source.Value(i), r.OutputTokensSource)
		if r.InputTokensKnown {
			check("input_tokens", nullableInt(inputTokens, i), int64(r.InputTokens))
		} else {
			check("input_tokens", nullableInt(inputTokens, i), nil)
		}
		check("input_tokens_client", inputClient.Value(i), int64(r.InputTokensClient))
		check("max_tokens", maxTokens.Value(i), int64(r.MaxTokens))
		check("ignore_eos", ignoreEOS.Value(i), r.IgnoreEOS)
		check("finish_reason", finish.Value(i), r.FinishReason)
		check("output_text", text.Value(i), r.OutputText)
		check("status", status.Value(i), int32(r.Status))
		check("ok", ok.Value(i), r.OK)
		if r.Failure == record.FailureNone {
			check("failure_kind null", kind.IsNull(i), true)
			check("failure_latency_ms", nullableMs(failLatency, i), nil)
		} else {
			check("failure_kind", kind.Value(i), string(r.Failure))
			check("failure_latency_ms", nullableMs(failLatency, i), toMs(r.FailureLatency))
		}
		check("error_message", message.Value(i), r.ErrorMessage)
		check("usage_mismatch", mismatch.Value(i), r.UsageMismatch)

		start, end := warnings.ValueOffsets(i)
		values := warnings.ListValues().(*array.String)
		var gotWarnings []string
		for j := start; j < end; j++ {
			gotWarnings = append(gotWarnings, values.Value(int(j)))
		}
		check("warnings", gotWarnings, r.Warnings)
	}

	checkMetadata(t, meta, testCells(), FileKindRequests)
}

// checkMetadata checks every llmbench key-value metadata entry.
func checkMetadata(t *testing.T, meta map[string]string, cells []testCell, kind string) {
	t.Helper()
	run := testRunInfo()
	want := map[string]string{
		MetaSchemaVersion: "1",
		MetaFileKind:      kind,
		MetaToolVersion:   run.ToolVersion,
		MetaGitCommit:     run.GitCommit,
		MetaGPUName:       run.GPUName,
		MetaGPUDriver:     run.GPUDriver,
		MetaRunnerName:    run.RunnerName,
		MetaStartedAt:     "2025-03-14T09:26:00Z",
	}
	for key, value := range want {
		if meta[key] != value {
			t.Errorf("metadata %s = %q, want %q", key, meta[key], value)
		}
	}

	var gotRun RunInfo
	if err := json.Unmarshal([]byte(meta[MetaRun]), &gotRun); err != nil {
		t.Fatalf("metadata %s: %v", MetaRun, err)
	}
	if !reflect.DeepEqual(gotRun, run) {
		t.Errorf("metadata %s:\n got %+v\nwant %+v", MetaRun, gotRun, run)
	}
	var gotCells []map[string]any
	if err := json.Unmarshal([]byte(meta[MetaCells]), &gotCells); err != nil {
		t.Fatalf("metadata %s: %v", MetaCells, err)
	}
	if len(gotCells) != len(cells) {
		t.Fatalf("metadata %s lists %d cells, want %d", MetaCells, len(gotCells), len(cells))
	}
	for i, c := range cells {
		got := gotCells[i]
		wantCell := map[string]any{
			"framework": c.info.Framework, "model": c.info.Model, "workload": c.info.Workload,
			"price_per_hour_usd": 1.006, "slo_ttft_ms": 250.0, "slo_tpot_ms": 0.0, "slo_e2e_ms": 0.0,
			"target_rate": "4", "concurrency": 8.0, "image": c.info.Image, "image_digest": c.info.ImageDigest,
			"model_revision": "main", "model_params": 0.0, "target": "container", "runner_name": "gpu-runner-1",
			"gpu_name": "NVIDIA A10G", "gpu_driver": "550.54.15", "complete": c.info.Complete,
		}
		if !reflect.DeepEqual(got, wantCell) {
			t.Errorf("metadata cell %d:\n got %v\nwant %v", i, got, wantCell)
		}
	}
	for key := range meta {
		if _, known := want[key]; !known && key != MetaRun && key != MetaCells {
			t.Errorf("unexpected metadata key %s", key)
		}
	}
}

func TestSummaryParquetReadByArrow(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	cells := writeTestRun(t, dir)

	table, meta := readArrow(t, filepath.Join(dir, SummaryFile))
	if got := int(table.NumRows()); got != len(cells) {
		t.Fatalf("summary.parquet has %d rows, want %d", got, len(cells))
	}
	var names []string
	for _, f := range table.Schema().Fields() {
		names = append(names, f.Name)
	}
	if !reflect.DeepEqual(names, SummaryColumns()) {
		t.Errorf("summary.parquet columns:\n got %v\nwant %v", names, SummaryColumns())
	}
	wantTypes := map[string]string{
		"framework": "utf8", "requests_total": "int64", "duration_s": "float64",
		"ttft_ms_p50": "float64", "ttft_ms_n": "int64", "warnings": "list<element: utf8>",
	}
	for name, want := range wantTypes {
		idx := table.Schema().FieldIndices(name)
		if len(idx) != 1 {
			t.Errorf("summary.parquet has no column %s", name)
			continue
		}
		if got := table.Schema().Field(idx[0]).Type.String(); got != want {
			t.Errorf("summary column %s has type %s, want %s", name, got, want)
		}
	}
	fw := column(t, table, "framework").(*array.String)
	for i, c := range cells {
		if fw.Value(i) != c.info.Framework {
			t.Errorf("summary row %d framework = %s, want %s", i, fw.Value(i), c.info.Framework)
		}
	}
	checkMetadata(t, meta, cells, FileKindSummary)
}
