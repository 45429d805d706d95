package results

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// checkFileModes checks that every regular file under dir has mode 0644.
func checkFileModes(t *testing.T, dir string, wantFiles int) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(path string, entry fs.DirEntry, err error) error {
		if err != nil || entry.IsDir() {
			return err
		}
		files++
		info, err := entry.Info()
		if err != nil {
			return err
		}
		if got := info.Mode().Perm(); got != 0o644 {
			t.Errorf("%s has mode %o, want 644", path, got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files != wantFiles {
		t.Errorf("%s holds %d files, want %d", dir, files, wantFiles)
	}
}

func TestFilesAreWorldReadable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	writeTestRun(t, dir)
	err := WriteFile(filepath.Join(dir, ReportFile), func(w io.Writer) error {
		_, err := io.WriteString(w, "# llmbench report\n")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// requests.parquet, summary.parquet, summary.json, summary.csv, report.md
	checkFileModes(t, dir, 5)
}

func TestCellFilesAreWorldReadable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	w, err := Create(dir, testRunInfo())
	if err != nil {
		t.Fatal(err)
	}
	c := testCells()[0]
	if err := w.WriteCell(c.info, c.records); err != nil {
		t.Fatal(err)
	}
	// requests.parquet, cells/run.json and the cell's file
	checkFileModes(t, dir, 3)
	if _, err := os.Stat(filepath.Join(dir, CellsDir, runFile)); err != nil {
		t.Errorf("the cells folder lacks %s: %v", runFile, err)
	}
}
