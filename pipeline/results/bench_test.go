package results

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/record"
	"github.com/llmbench/llmbench-action/pipeline/results/resultstest"
)

// benchRequests is the number of records of the storage benchmarks.
const benchRequests = 1_000_000

// benchRecords returns n records of 64 output tokens in 16 events: 1,000
// generated records repeated with new indexes. Repeats share their slices,
// so the input stays small in memory.
func benchRecords(n int) []record.Record {
	base := resultstest.Records(resultstest.Spec{
		Framework: "vllm", Model: "facebook/opt-125m", Workload: "large",
		Seed: 3, Requests: 1000, MaxTokens: 64, TTFT: 30 * time.Millisecond, ITL: 9 * time.Millisecond,
		Rate: 50, FailEvery: 97, TokensPerChunk: 4, Quirks: true,
	})
	records := make([]record.Record, n)
	for i := range records {
		records[i] = base[i%len(base)]
		records[i].Index = i
	}
	return records
}

// dirSize returns the total size in bytes of the files under dir.
func dirSize(b *testing.B, dir string) int64 {
	var total int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return total
}

// BenchmarkStorage writes and reads back one million records as a results
// directory (Parquet, zstd), as JSON lines and as CSV. Each write reports
// the bytes on disk of its format; the results directory holds
// requests.parquet and, until Close, the cell's own copy.
func BenchmarkStorage(b *testing.B) {
	records := benchRecords(benchRequests)
	cell := CellInfo{Framework: "vllm", Model: "facebook/opt-125m", Workload: "large", Complete: true}
	base := b.TempDir()

	parquetDir := filepath.Join(base, "parquet")
	b.Run("parquet/write", func(b *testing.B) {
		for i := range b.N {
			os.RemoveAll(parquetDir)
			w, err := Create(parquetDir, RunInfo{ToolVersion: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			if err := w.WriteCell(cell, records); err != nil {
				b.Fatal(err)
			}
			if i == 0 {
				b.ReportMetric(float64(dirSize(b, parquetDir)), "bytes_during_run")
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(dirSize(b, parquetDir)), "bytes_on_disk")
	})
	b.Run("parquet/read", func(b *testing.B) {
		for range b.N {
			run, err := Open(parquetDir)
			if err != nil {
				b.Fatal(err)
			}
			if n := len(run.Cells[0].Records); n != benchRequests {
				b.Fatalf("read %d records, want %d", n, benchRequests)
			}
		}
	})

	jsonPath := filepath.Join(base, "requests.jsonl")
	b.Run("jsonl/write", func(b *testing.B) {
		for range b.N {
			err := writeWith(jsonPath, func(w io.Writer) error {
				enc := json.NewEncoder(w)
				for i := range records {
					if err := enc.Encode(&records[i]); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(fileSize(b, jsonPath)), "bytes_on_disk")
	})
	b.Run("jsonl/read", func(b *testing.B) {
		for range b.N {
			f, err := os.Open(jsonPath)
			if err != nil {
				b.Fatal(err)
			}
			dec := json.NewDecoder(bufio.NewReaderSize(f, 1<<20))
			n := 0
			for {
				var r record.Record
				if err := dec.Decode(&r); err == io.EOF {
					break
				} else if err != nil {
					b.Fatal(err)
				}
				n++
			}
			f.Close()
			if n != benchRequests {
				b.Fatalf("read %d records, want %d", n, benchRequests)
			}
		}
	})

	csvPath := filepath.Join(base, "requests.csv")
	b.Run("csv/write", func(b *testing.B) {
		for range b.N {
			err := writeWith(csvPath, func(w io.Writer) error {
				cw := csv.NewWriter(w)
				for i := range records {
					row := rowOf(&records[i])
					if err := cw.Write(csvRecord(&row)); err != nil {
						return err
					}
				}
				cw.Flush()
				return cw.Error()
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(fileSize(b, csvPath)), "bytes_on_disk")
	})
	b.Run("csv/read", func(b *testing.B) {
		for range b.N {
			f, err := os.Open(csvPath)
			if err != nil {
				b.Fatal(err)
			}
			cr := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
			cr.ReuseRecord = true
			n := 0
			for {
				fields, err := cr.Read()
				if err == io.EOF {
					break
				} else if err != nil {
					b.Fatal(err)
				}
				if _, err := parseCSVRecord(fields); err != nil {
					b.Fatal(err)
				}
				n++
			}
			f.Close()
			if n != benchRequests {
				b.Fatalf("read %d records, want %d", n, benchRequests)
			}
		}
	})
}

func writeWith(path string, write func(w io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := write(bw); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func fileSize(b *testing.B, path string) int64 {
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return info.Size()
}

// csvRecord flattens the main columns of a row, with the token times
// joined by spaces, as a CSV export of the same data would.
func csvRecord(row *RequestRow) []string {
	times := make([]string, len(row.TokenTimesMs))
	for i, t := range row.TokenTimesMs {
		times[i] = strconv.FormatFloat(t, 'g', -1, 64)
	}
	ttft := ""
	if row.TTFTMs != nil {
		ttft = strconv.FormatFloat(*row.TTFTMs, 'g', -1, 64)
	}
	return []string{
		row.Framework, row.Model, row.Workload, strconv.FormatInt(row.RequestIndex, 10),
		strconv.FormatFloat(row.ScheduledOffsetMs, 'g', -1, 64), ttft,
		strconv.FormatFloat(row.StreamEndMs, 'g', -1, 64), strings.Join(times, " "),
		row.OutputText, strconv.FormatBool(row.OK), row.ErrorMessage,
	}
}

func parseCSVRecord(fields []string) (RequestRow, error) {
	if len(fields) != 11 {
		return RequestRow{}, fmt.Errorf("%d fields", len(fields))
	}
	row := RequestRow{Framework: fields[0], Model: fields[1], Workload: fields[2], OutputText: fields[8], ErrorMessage: fields[10]}
	var err error
	if row.RequestIndex, err = strconv.ParseInt(fields[3], 10, 64); err != nil {
		return row, err
	}
	if row.ScheduledOffsetMs, err = strconv.ParseFloat(fields[4], 64); err != nil {
		return row, err
	}
	if fields[5] != "" {
		v, err := strconv.ParseFloat(fields[5], 64)
		if err != nil {
			return row, err
		}
		row.TTFTMs = &v
	}
	if row.StreamEndMs, err = strconv.ParseFloat(fields[6], 64); err != nil {
		return row, err
	}
	for _, s := range strings.Fields(fields[7]) {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return row, err
		}
		row.TokenTimesMs = append(row.TokenTimesMs, v)
	}
	row.OK = fields[9] == "true"
	return row, nil
}
