package results

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestReopenAddsAndReplacesCells(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	cells := testCells() // cells[1] is incomplete
	w, err := Create(dir, testRunInfo())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cells {
		if err := w.WriteCell(c.info, c.records); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	w, err = Reopen(dir, testRunInfo())
	if err != nil {
		t.Fatalf("Reopen: %v", err)
	}
	err = w.WriteCell(cells[0].info, cells[0].records)
	want := "writing cell vllm/facebook/opt-125m/small: it was already written to " + dir
	if err == nil || err.Error() != want {
		t.Errorf("rewriting a complete cell: error %v, want %s", err, want)
	}
	rerun := cells[1].info
	rerun.Complete = true
	shorter := cells[1].records[:5]
	if err := w.WriteCell(rerun, shorter); err != nil {
		t.Fatalf("rewriting an incomplete cell: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	run, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Cells) != 2 {
		t.Fatalf("%d cells after the resumed run, want 2", len(run.Cells))
	}
	if !reflect.DeepEqual(run.Cells[0].Records, stored(cells[0].records)) {
		t.Errorf("the kept cell's records changed")
	}
	if got := run.Cells[1]; !got.Info.Complete || !reflect.DeepEqual(got.Records, stored(shorter)) {
		t.Errorf("the re-run cell: complete %v, %d records, want complete with %d", got.Info.Complete, len(got.Records), len(shorter))
	}
	if got := run.Incomplete(); len(got) != 0 {
		t.Errorf("Incomplete = %v, want none", got)
	}
}

func TestReopenMissingDirectory(t *testing.T) {
	_, err := Reopen(filepath.Join(t.TempDir(), "nope"), testRunInfo())
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("Reopen of a missing directory: error %v, want one wrapping ErrNotFound", err)
	}
}

func TestOpenDamagedFileNeverPanics(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	writeTestRun(t, dir)
	path := filepath.Join(dir, RequestsFile)
	valid, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for offset := 4; offset < len(valid)-8; offset += max(len(valid)/200, 1) {
		damaged := append([]byte(nil), valid...)
		for i := offset; i < min(offset+16, len(damaged)-8); i++ {
			damaged[i] ^= 0xA5
		}
		if err := os.WriteFile(path, damaged, 0o644); err != nil {
			t.Fatal(err)
		}
		// Either an error or a run; a panic fails the test.
		_, _ = Open(dir)
	}
}
