package results

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// writeForeignParquet writes a one-row requests.parquet with the given
// metadata instead of the run's.
func writeForeignParquet(t *testing.T, path string, meta map[string]string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var options []parquet.WriterOption
	for key, value := range meta {
		options = append(options, parquet.KeyValueMetadata(key, value))
	}
	w := parquet.NewGenericWriter[RequestRow](f, options...)
	if _, err := w.Write([]RequestRow{{Framework: "vllm", Model: "m", Workload: "w"}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// writeSummaryLikeParquet writes a one-row file with per-cell columns and
// the llmbench schema version but no file kind, as summary.parquet looked
// before files carried their kind.
func writeSummaryLikeParquet(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type summaryRow struct {
		Framework     string `parquet:"framework"`
		Model         string `parquet:"model"`
		Workload      string `parquet:"workload"`
		RequestsTotal int64  `parquet:"requests_total"`
	}
	cells := `[{"framework":"vllm","model":"m","workload":"w","target_rate":""}]`
	w := parquet.NewGenericWriter[summaryRow](f,
		parquet.KeyValueMetadata(MetaSchemaVersion, SchemaVersion),
		parquet.KeyValueMetadata(MetaRun, "{}"),
		parquet.KeyValueMetadata(MetaCells, cells))
	if _, err := w.Write([]summaryRow{{Framework: "vllm", Model: "m", Workload: "w", RequestsTotal: 1}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestOpenErrors(t *testing.T) {
	base := t.TempDir()

	valid := filepath.Join(base, "valid")
	writeTestRun(t, valid)
	validBytes, err := os.ReadFile(filepath.Join(valid, RequestsFile))
	if err != nil {
		t.Fatal(err)
	}
	summaryBytes, err := os.ReadFile(filepath.Join(valid, SummaryFile))
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		setup   func(dir string)
		wantErr error
		want    string
	}{
		{
			name:    "missing directory",
			setup:   func(dir string) {},
			wantErr: ErrNotFound,
			want:    "results directory not found: DIR does not exist; pass the output directory of an llmbench run",
		},
		{
			name:    "file instead of directory",
			setup:   func(dir string) { os.WriteFile(dir, []byte("x"), 0o644) },
			wantErr: ErrNotResults,
			want:    "not a results directory: DIR is a file; pass the output directory of an llmbench run",
		},
		{
			name:    "empty directory",
			setup:   func(dir string) { os.MkdirAll(dir, 0o755) },
			wantErr: ErrNotResults,
			want:    "not a results directory: DIR contains neither requests.parquet nor a cells folder; pass the output directory of an llmbench run",
		},
		{
			name: "truncated requests.parquet",
			setup: func(dir string) {
				os.MkdirAll(dir, 0o755)
				os.WriteFile(filepath.Join(dir, RequestsFile), validBytes[:len(validBytes)/2], 0o644)
			},
			wantErr: ErrCorrupt,
			want:    fmt.Sprintf("truncated or corrupt Parquet file: DIR/requests.parquet: invalid magic footer of parquet file: %q; re-run the benchmark or remove the file", validBytes[len(validBytes)/2-4:len(validBytes)/2]),
		},
		{
			name: "text instead of Parquet",
			setup: func(dir string) {
				os.MkdirAll(dir, 0o755)
				os.WriteFile(filepath.Join(dir, RequestsFile), []byte("framework,model\nvllm,m\n"), 0o644)
			},
			wantErr: ErrCorrupt,
			want:    "truncated or corrupt Parquet file: DIR/requests.parquet: invalid magic header of parquet file: \"fram\"; re-run the benchmark or remove the file",
		},
		{
			name: "other schema version",
			setup: func(dir string) {
				writeForeignParquet(t, filepath.Join(dir, RequestsFile), map[string]string{MetaSchemaVersion: "2", MetaToolVersion: "v2.1.0"})
			},
			wantErr: ErrSchemaVersion,
			want:    "unsupported schema version: DIR/requests.parquet has schema version 2 (written by llmbench v2.1.0); this llmbench reads schema version 1, so read it with llmbench v2.1.0",
		},
		{
			name: "Parquet not written by llmbench",
			setup: func(dir string) {
				writeForeignParquet(t, filepath.Join(dir, RequestsFile), map[string]string{"writer": "pandas"})
			},
			wantErr: ErrNotResults,
			want:    "not a results directory: DIR/requests.parquet has no llmbench.schema_version metadata, so llmbench did not write it",
		},
		{
			name: "summary.parquet copied over requests.parquet",
			setup: func(dir string) {
				os.MkdirAll(dir, 0o755)
				os.WriteFile(filepath.Join(dir, RequestsFile), summaryBytes, 0o644)
			},
			wantErr: ErrNotResults,
			want: "not a results directory: DIR/requests.parquet is a summary file (metadata llmbench.file_kind=\"summary\"), " +
				"not a requests file with one row per request; restore the requests.parquet of the run or re-run the benchmark",
		},
		{
			name: "summary.parquet in the cells folder",
			setup: func(dir string) {
				if _, err := Create(dir, testRunInfo()); err != nil {
					t.Fatal(err)
				}
				os.WriteFile(filepath.Join(dir, CellsDir, "vllm.parquet"), summaryBytes, 0o644)
			},
			wantErr: ErrNotResults,
			want: "not a results directory: DIR/cells/vllm.parquet is a summary file (metadata llmbench.file_kind=\"summary\"), " +
				"not a requests file with one row per request; restore the requests.parquet of the run or re-run the benchmark",
		},
		{
			name: "per-cell rows without file kind",
			setup: func(dir string) {
				writeSummaryLikeParquet(t, filepath.Join(dir, RequestsFile))
			},
			wantErr: ErrNotResults,
			want: fmt.Sprintf("not a results directory: DIR/requests.parquet is not a requests file with one row per request: "+
				"it lacks %d of the %d request columns (request_index, warmup, endpoint, scheduled_at, scheduled_offset_ms and %d more); "+
				"restore the requests.parquet of the run or re-run the benchmark", len(requestColumns)-3, len(requestColumns), len(requestColumns)-8),
		},
		{
			name: "empty run",
			setup: func(dir string) {
				w, err := Create(dir, testRunInfo())
				if err != nil {
					t.Fatal(err)
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: ErrEmptyRun,
			want:    "empty run: DIR contains no finished cell; the run stopped before its first cell finished, so re-run it",
		},
		{
			name: "killed before the first cell",
			setup: func(dir string) {
				if _, err := Create(dir, testRunInfo()); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: ErrEmptyRun,
			want:    "empty run: DIR contains no finished cell; the run stopped before its first cell finished, so re-run it",
		},
		{
			name: "corrupt cell file",
			setup: func(dir string) {
				if _, err := Create(dir, testRunInfo()); err != nil {
					t.Fatal(err)
				}
				os.WriteFile(filepath.Join(dir, CellsDir, "vllm.parquet"), validBytes[:100], 0o644)
			},
			wantErr: ErrCorrupt,
			want:    fmt.Sprintf("truncated or corrupt Parquet file: DIR/cells/vllm.parquet: invalid magic footer of parquet file: %q; re-run the benchmark or remove the file", validBytes[96:100]),
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(base, "case"+string(rune('a'+i)))
			tt.setup(dir)
			run, err := Open(dir)
			if err == nil {
				t.Fatalf("Open succeeded with %d cells, want an error", len(run.Cells))
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v does not wrap %v", err, tt.wantErr)
			}
			if got := strings.ReplaceAll(err.Error(), dir, "DIR"); got != tt.want {
				t.Errorf("error text:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestWriterErrors(t *testing.T) {
	base := t.TempDir()
	cells := testCells()

	t.Run("existing results", func(t *testing.T) {
		dir := filepath.Join(base, "existing")
		writeTestRun(t, dir)
		_, err := Create(dir, testRunInfo())
		want := "creating results directory " + dir + ": it already contains results; choose another directory or remove it"
		if err == nil || err.Error() != want {
			t.Errorf("Create on a results directory: error %v, want %s", err, want)
		}
	})
	t.Run("invalid matrix", func(t *testing.T) {
		dir := filepath.Join(base, "matrix")
		info := testRunInfo()
		info.Matrix = []byte(`{"frameworks":`)
		_, err := Create(dir, info)
		want := "creating results directory " + dir + ": the matrix definition is not valid JSON"
		if err == nil || err.Error() != want {
			t.Errorf("error %v, want %s", err, want)
		}
	})
	t.Run("cell errors", func(t *testing.T) {
		dir := filepath.Join(base, "cells")
		w, err := Create(dir, testRunInfo())
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteCell(cells[0].info, cells[0].records); err != nil {
			t.Fatal(err)
		}

		err = w.WriteCell(cells[0].info, cells[0].records)
		want := "writing cell vllm/facebook/opt-125m/small: it was already written to " + dir
		if err == nil || err.Error() != want {
			t.Errorf("second WriteCell: error %v, want %s", err, want)
		}

		err = w.WriteCell(cells[1].info, cells[0].records)
		want = "writing cell sglang/facebook/opt-125m/small: record 0 belongs to vllm/facebook/opt-125m/small"
		if err == nil || err.Error() != want {
			t.Errorf("WriteCell with another cell's records: error %v, want %s", err, want)
		}

		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		err = w.WriteCell(cells[1].info, cells[1].records)
		want = "writing cell sglang/facebook/opt-125m/small: the results writer is closed"
		if err == nil || err.Error() != want {
			t.Errorf("WriteCell after Close: error %v, want %s", err, want)
		}
	})
}

func TestMergeErrors(t *testing.T) {
	base := t.TempDir()
	first := filepath.Join(base, "job1")
	second := filepath.Join(base, "job2")
	writeTestRun(t, first)
	writeTestRun(t, second)

	err := Merge([]string{first, second}, filepath.Join(base, "merged"))
	want := "merging results: duplicate cell: both " + first + " and " + second + " contain cell vllm/facebook/opt-125m/small; remove it from one of them"
	if err == nil || err.Error() != want {
		t.Errorf("Merge of overlapping runs: error %v, want %s", err, want)
	}
	if !errors.Is(err, ErrDuplicateCell) {
		t.Errorf("error %v does not wrap ErrDuplicateCell", err)
	}

	newer := filepath.Join(base, "newer")
	writeForeignParquet(t, filepath.Join(newer, RequestsFile), map[string]string{MetaSchemaVersion: "2", MetaToolVersion: "v2.1.0"})
	err = Merge([]string{first, newer}, filepath.Join(base, "merged2"))
	want = "merging results: unsupported schema version: " + first + " has schema version 1 but " + newer + " has schema version 2; re-run the older job with the llmbench version of the newer one"
	if err == nil || err.Error() != want {
		t.Errorf("Merge across schema versions: error %v, want %s", err, want)
	}

	err = Merge(nil, filepath.Join(base, "merged3"))
	want = "merging results: no results directories given; pass at least one"
	if err == nil || err.Error() != want {
		t.Errorf("Merge of nothing: error %v, want %s", err, want)
	}

	missing := filepath.Join(base, "missing")
	err = Merge([]string{first, missing}, filepath.Join(base, "merged4"))
	want = "merging results: results directory not found: " + missing + " does not exist; pass the output directory of an llmbench run"
	if err == nil || err.Error() != want {
		t.Errorf("Merge with a missing directory: error %v, want %s", err, want)
	}
}
