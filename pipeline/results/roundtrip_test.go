package results

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
)

func TestOpenReturnsWrittenRecords(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	cells := writeTestRun(t, dir)

	run, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if len(run.Cells) != len(cells) {
		t.Fatalf("Open returned %d cells, want %d", len(run.Cells), len(cells))
	}
	for i, c := range cells {
		got := run.Cells[i]
		want := c.info
		want.RunnerName, want.GPUName, want.GPUDriver = "gpu-runner-1", "NVIDIA A10G", "550.54.15"
		if !reflect.DeepEqual(got.Info, want) {
			t.Errorf("cell %d info:\n got %+v\nwant %+v", i, got.Info, want)
		}
		wantRecords := stored(c.records)
		if len(got.Records) != len(wantRecords) {
			t.Fatalf("cell %s: %d records, want %d", want.Key(), len(got.Records), len(wantRecords))
		}
		for j := range wantRecords {
			if !reflect.DeepEqual(got.Records[j], wantRecords[j]) {
				t.Errorf("cell %s record %d:\n got %+v\nwant %+v", want.Key(), j, got.Records[j], wantRecords[j])
			}
		}
	}
	if !reflect.DeepEqual(run.Info, testRunInfo()) {
		t.Errorf("run info:\n got %+v\nwant %+v", run.Info, testRunInfo())
	}
	if len(run.Missing) != 0 {
		t.Errorf("Missing = %v, want none", run.Missing)
	}
	if got := run.Incomplete(); len(got) != 1 || got[0] != cells[1].info.Key() {
		t.Errorf("Incomplete = %v, want [%s]", got, cells[1].info.Key())
	}
	if _, err := os.Stat(filepath.Join(dir, CellsDir)); !os.IsNotExist(err) {
		t.Errorf("the cells folder is still there after Close (stat error %v)", err)
	}
}

func TestDurationsRoundTripToTheNanosecond(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	day := int64(24 * time.Hour)
	for range 100000 {
		d := time.Duration(rng.Int64N(day))
		if got := fromMs(toMs(d)); got != d {
			t.Fatalf("fromMs(toMs(%d)) = %d", d, got)
		}
		if ms := toMs(d); toMs(fromMs(ms)) != ms {
			t.Fatalf("toMs(fromMs(%v)) = %v", ms, toMs(fromMs(ms)))
		}
	}
}

func TestCellInfoJSONKeepsOptions(t *testing.T) {
	for _, rate := range []float64{0, 0.5, 4, math.Inf(1)} {
		in := CellInfo{
			Framework: "vllm", Model: "m", Workload: "w",
			Options: metrics.Options{PricePerHourUSD: 1.006, TargetRate: rate, Concurrency: 3,
				SLO: metrics.SLO{TTFT: 123456789, TPOT: 33 * time.Millisecond, E2E: 2 * time.Second}},
			Complete: true,
		}
		data, err := in.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON with rate %v: %v", rate, err)
		}
		var out CellInfo
		if err := out.UnmarshalJSON(data); err != nil {
			t.Fatalf("UnmarshalJSON(%s): %v", data, err)
		}
		if !reflect.DeepEqual(out, in) {
			t.Errorf("round trip of %s:\n got %+v\nwant %+v", data, out, in)
		}
	}
}

func TestSummariesRecomputeByteForByte(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	writeTestRun(t, dir)

	run, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	summaries := run.Summaries()
	var jsonOut, csvOut bytes.Buffer
	if err := WriteSummaryJSON(&jsonOut, summaries); err != nil {
		t.Fatal(err)
	}
	if err := WriteSummaryCSV(&csvOut, summaries); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]byte{SummaryJSON: jsonOut.Bytes(), SummaryCSV: csvOut.Bytes()} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s written by Close differs from the one recomputed from requests.parquet:\n%s\nrecomputed:\n%s", name, got, want)
		}
	}

	// Writing the summaries again gives the same summary.parquet.
	before, err := os.ReadFile(filepath.Join(dir, SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteSummaries(dir, run.Info, run.CellInfos(), summaries); err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(filepath.Join(dir, SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Errorf("summary.parquet differs when regenerated (%d bytes before, %d after)", len(before), len(after))
	}
}

func TestMergeJoinsCells(t *testing.T) {
	base := t.TempDir()
	cells := testCells()
	dirs := []string{filepath.Join(base, "job1"), filepath.Join(base, "job2")}
	for i, dir := range dirs {
		info := testRunInfo()
		info.Planned = []CellKey{cells[i].info.Key()}
		info.RunnerName = []string{"runner-a", "runner-b"}[i]
		info.StartedAt = info.StartedAt.Add(time.Duration(1-i) * time.Hour)
		w, err := Create(dir, info)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteCell(cells[i].info, cells[i].records); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}

	out := filepath.Join(base, "merged")
	if err := Merge(dirs, out); err != nil {
		t.Fatalf("Merge: %v", err)
	}
	run, err := Open(out)
	if err != nil {
		t.Fatalf("Open merged: %v", err)
	}
	if len(run.Cells) != 2 {
		t.Fatalf("merged run has %d cells, want 2", len(run.Cells))
	}
	for i, c := range cells {
		if got := run.Cells[i].Info.Key(); got != c.info.Key() {
			t.Errorf("merged cell %d is %s, want %s", i, got, c.info.Key())
		}
		if !reflect.DeepEqual(run.Cells[i].Records, stored(c.records)) {
			t.Errorf("merged cell %s records differ from the written ones", c.info.Key())
		}
	}
	if got := run.Cells[1].Info.RunnerName; got != "runner-b" {
		t.Errorf("second cell runner = %q, want runner-b", got)
	}
	wantPlanned := []CellKey{cells[0].info.Key(), cells[1].info.Key()}
	if !reflect.DeepEqual(run.Info.Planned, wantPlanned) {
		t.Errorf("merged planned cells = %v, want %v", run.Info.Planned, wantPlanned)
	}
	if want := testRunInfo().StartedAt; !run.Info.StartedAt.Equal(want) {
		t.Errorf("merged start = %v, want the earliest %v", run.Info.StartedAt, want)
	}
}
