package results

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
)

// summaryCSVColumn returns the values of one column of a summary.csv.
func summaryCSVColumn(t *testing.T, path, name string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	index := slices.Index(rows[0], name)
	if index < 0 {
		t.Fatalf("%s has no column %s", path, name)
	}
	var values []string
	for _, row := range rows[1:] {
		values = append(values, row[index])
	}
	return values
}

func TestExtremeTargetRatesAreShort(t *testing.T) {
	tests := []struct {
		rate float64
		want string
	}{
		{1e308, "1e+308"},
		{1e-300, "1e-300"},
		{math.Inf(1), "inf"},
		{2.5, "2.5"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			c := testCells()[0]
			c.info.Options.TargetRate = tt.rate
			w, err := Create(dir, testRunInfo())
			if err != nil {
				t.Fatal(err)
			}
			if err := w.WriteCell(c.info, c.records); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}

			if got := summaryCSVColumn(t, filepath.Join(dir, SummaryCSV), "target_rate"); !slices.Equal(got, []string{tt.want}) {
				t.Errorf("summary.csv target_rate = %q, want [%s]", got, tt.want)
			}

			data, err := os.ReadFile(filepath.Join(dir, SummaryJSON))
			if err != nil {
				t.Fatal(err)
			}
			var summaries []metrics.Summary
			if err := json.Unmarshal(data, &summaries); err != nil {
				t.Fatal(err)
			}
			if len(summaries) != 1 || summaries[0].TargetRate != tt.want {
				t.Errorf("summary.json target_rate: got %+v, want %s", summaries, tt.want)
			}

			table, meta := readArrow(t, filepath.Join(dir, SummaryFile))
			if got := column(t, table, "target_rate").(*array.String).Value(0); got != tt.want {
				t.Errorf("summary.parquet target_rate = %q, want %s", got, tt.want)
			}
			if !strings.Contains(meta[MetaCells], `"target_rate":"`+tt.want+`"`) {
				t.Errorf("metadata %s lacks target_rate %s: %s", MetaCells, tt.want, meta[MetaCells])
			}

			run, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			if got := run.Cells[0].Info.Options.TargetRate; got != tt.rate {
				t.Errorf("target rate read back = %g, want %g", got, tt.rate)
			}
		})
	}
}

func TestTargetRateParsesLongDecimals(t *testing.T) {
	long := "1" + strings.Repeat("0", 308)
	var c CellInfo
	if err := json.Unmarshal([]byte(`{"framework":"vllm","target_rate":"`+long+`"}`), &c); err != nil {
		t.Fatal(err)
	}
	if c.Options.TargetRate != 1e308 {
		t.Errorf("target rate = %g, want 1e308", c.Options.TargetRate)
	}
}
