// Package results stores the records of a benchmark run in a results
// directory (requests.parquet, summary.parquet, summary.json, summary.csv)
// and reads such directories back.
//
// Records are the source of truth: every summary is computed by
// metrics.Summarize from the records as they read back from Parquet, so a
// later `llmbench report` regenerates the summaries byte for byte.
package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
	"github.com/llmbench/llmbench-action/pipeline/record"
)

// Writer writes a run's results directory cell by cell. Each WriteCell
// leaves the directory readable by Open, so a run killed half-way keeps
// every finished cell. A Writer is safe for use by several goroutines.
type Writer struct {
	dir      string
	run      RunInfo
	redactor *Redactor

	mu    sync.Mutex
	cells []CellInfo
	rows  [][]RequestRow
	// requestsCurrent is true when requests.parquet holds every cell.
	requestsCurrent bool
	closed          bool
}

// Create starts a results directory at dir, creating it if needed. It
// rejects a directory that already holds results. The run info is redacted
// (see Redactor) with the secrets of the process environment.
func Create(dir string, run RunInfo) (*Writer, error) {
	if dir == "" {
		return nil, errors.New("creating results directory: empty path; pass a directory such as ./results")
	}
	if len(run.Matrix) > 0 && !json.Valid(run.Matrix) {
		return nil, fmt.Errorf("creating results directory %s: the matrix definition is not valid JSON", dir)
	}
	if found, err := containsResults(dir); err != nil {
		return nil, err
	} else if found {
		return nil, fmt.Errorf("creating results directory %s: it already contains results; choose another directory or remove it", dir)
	}
	if err := os.MkdirAll(filepath.Join(dir, CellsDir), 0o755); err != nil {
		return nil, fmt.Errorf("creating results directory: %w", err)
	}

	redactor := NewRedactor(os.Environ())
	clean, err := redactor.RunInfo(run)
	if err != nil {
		return nil, fmt.Errorf("creating results directory %s: %w", dir, err)
	}
	w := &Writer{dir: dir, run: clean, redactor: redactor}
	err = writeFileAtomic(filepath.Join(dir, CellsDir, runFile), func(out io.Writer) error {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(clean)
	})
	if err != nil {
		return nil, fmt.Errorf("creating results directory: %w", err)
	}
	return w, nil
}

// Reopen opens an existing results directory to add cells, for a resumed
// run. The stored cells are kept, and incomplete ones may be written again.
// The run info becomes run, with the planned cells of both runs and the
// earlier start time. Reopen returns an error wrapping ErrNotFound when dir
// does not exist; a directory whose run stopped before its first cell is
// reopened empty.
func Reopen(dir string, run RunInfo) (*Writer, error) {
	if len(run.Matrix) > 0 && !json.Valid(run.Matrix) {
		return nil, fmt.Errorf("reopening results directory %s: the matrix definition is not valid JSON", dir)
	}
	stored, err := Open(dir)
	if err != nil && !errors.Is(err, ErrEmptyRun) {
		return nil, fmt.Errorf("reopening results directory: %w", err)
	}

	redactor := NewRedactor(os.Environ())
	clean, err := redactor.RunInfo(run)
	if err != nil {
		return nil, fmt.Errorf("reopening results directory %s: %w", dir, err)
	}
	w := &Writer{dir: dir, run: clean, redactor: redactor}
	if stored != nil {
		w.run = mergeRunInfo([]*Run{{Info: clean}, stored})
		for _, c := range stored.Cells {
			rows := make([]RequestRow, len(c.Records))
			for i := range c.Records {
				rows[i] = rowOf(&c.Records[i])
			}
			w.cells = append(w.cells, c.Info)
			w.rows = append(w.rows, rows)
		}
	}

	if err := os.MkdirAll(filepath.Join(dir, CellsDir), 0o755); err != nil {
		return nil, fmt.Errorf("reopening results directory: %w", err)
	}
	err = writeFileAtomic(filepath.Join(dir, CellsDir, runFile), func(out io.Writer) error {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(w.run)
	})
	if err != nil {
		return nil, fmt.Errorf("reopening results directory: %w", err)
	}
	return w, nil
}

// containsResults reports whether dir contains a requests.parquet or a cells
// folder.
func containsResults(dir string) (bool, error) {
	for _, name := range []string{RequestsFile, CellsDir} {
		_, err := os.Stat(filepath.Join(dir, name))
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return false, fmt.Errorf("checking results directory %s: %w", dir, err)
		}
	}
	return false, nil
}

// Dir returns the results directory.
func (w *Writer) Dir() string { return w.dir }

// Run returns the run info as written, secrets removed.
func (w *Writer) Run() RunInfo { return w.run }

// WriteCell stores one cell durably: its own file under cells/, then a new
// requests.parquet holding every cell written so far. Every record must
// belong to the cell. A cell may be written once, unless the stored one is
// incomplete (a resumed run), which the new one replaces.
func (w *Writer) WriteCell(cell CellInfo, records []record.Record) error {
	w.mu.Lock()
	defer w.mu.Unlock()

	key := cell.Key()
	if w.closed {
		return fmt.Errorf("writing cell %s: the results writer is closed", key)
	}
	replace := -1
	for i, done := range w.cells {
		if done.Key() != key {
			continue
		}
		if done.Complete {
			return fmt.Errorf("writing cell %s: it was already written to %s", key, w.dir)
		}
		// An incomplete cell of a resumed run is measured again.
		replace = i
	}
	for i := range records {
		r := &records[i]
		if r.Framework != cell.Framework || r.Model != cell.Model || r.Workload != cell.Workload {
			return fmt.Errorf("writing cell %s: record %d belongs to %s/%s/%s", key, i, r.Framework, r.Model, r.Workload)
		}
	}

	if cell.RunnerName == "" {
		cell.RunnerName = w.run.RunnerName
	}
	if cell.GPUName == "" {
		cell.GPUName = w.run.GPUName
	}
	if cell.GPUDriver == "" {
		cell.GPUDriver = w.run.GPUDriver
	}
	cell = w.redactor.Cell(cell)
	rows := make([]RequestRow, len(records))
	for i := range records {
		rows[i] = w.redactor.rowFromRecord(&records[i])
	}

	path := filepath.Join(w.dir, CellsDir, key.fileID()+".parquet")
	err := writeFileAtomic(path, func(out io.Writer) error {
		return writeRequests(out, w.run, []CellInfo{cell}, [][]RequestRow{rows})
	})
	if err != nil {
		return fmt.Errorf("writing cell %s: %w", key, err)
	}
	if replace >= 0 {
		w.cells[replace] = cell
		w.rows[replace] = rows
	} else {
		w.cells = append(w.cells, cell)
		w.rows = append(w.rows, rows)
	}
	w.requestsCurrent = false

	// NOTE: requests.parquet is rewritten whole after every cell, so the cost
	// of a run's writes grows with the square of its cell count. That is
	// small for matrices of tens of cells.
	if err := w.writeAllRequests(); err != nil {
		return fmt.Errorf("writing cell %s: %w", key, err)
	}
	return nil
}

func (w *Writer) writeAllRequests() error {
	err := writeFileAtomic(filepath.Join(w.dir, RequestsFile), func(out io.Writer) error {
		return writeRequests(out, w.run, w.cells, w.rows)
	})
	if err != nil {
		return err
	}
	w.requestsCurrent = true
	return nil
}

// Close writes the final requests.parquet (unless the last WriteCell did),
// summary.parquet, summary.json and
// summary.csv, then removes the cells folder. The summaries are computed
// from the records as they read back from Parquet.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()

	if w.closed {
		return nil
	}
	w.closed = true

	if !w.requestsCurrent {
		if err := w.writeAllRequests(); err != nil {
			return fmt.Errorf("closing results directory: %w", err)
		}
	}
	summaries := summarize(w.cells, w.rows)
	if err := WriteSummaries(w.dir, w.run, w.cells, summaries); err != nil {
		return fmt.Errorf("closing results directory: %w", err)
	}
	if err := os.RemoveAll(filepath.Join(w.dir, CellsDir)); err != nil {
		return fmt.Errorf("closing results directory: removing the cells folder: %w", err)
	}
	return syncDir(w.dir)
}

// WriteSummaries writes summary.parquet, summary.json and summary.csv into
// dir, each through a temporary file and a rename.
func WriteSummaries(dir string, run RunInfo, cells []CellInfo, summaries []metrics.Summary) error {
	err := writeFileAtomic(filepath.Join(dir, SummaryFile), func(out io.Writer) error {
		return WriteSummaryParquet(out, summaries, run, cells)
	})
	if err != nil {
		return err
	}
	if err := WriteSummaryJSONFile(dir, summaries); err != nil {
		return err
	}
	return WriteSummaryCSVFile(dir, summaries)
}

// WriteSummaryJSONFile writes summary.json into dir.
func WriteSummaryJSONFile(dir string, summaries []metrics.Summary) error {
	return writeFileAtomic(filepath.Join(dir, SummaryJSON), func(out io.Writer) error {
		return WriteSummaryJSON(out, summaries)
	})
}

// WriteSummaryCSVFile writes summary.csv into dir.
func WriteSummaryCSVFile(dir string, summaries []metrics.Summary) error {
	return writeFileAtomic(filepath.Join(dir, SummaryCSV), func(out io.Writer) error {
		return WriteSummaryCSV(out, summaries)
	})
}

// WriteFile writes a file of the results directory, such as report.md,
// through a temporary file and a rename.
func WriteFile(path string, write func(w io.Writer) error) error {
	return writeFileAtomic(path, write)
}

// summarize computes one summary per cell from the rows converted back to
// records, so that it matches what Open and Run.Summaries compute.
func summarize(cells []CellInfo, rows [][]RequestRow) []metrics.Summary {
	summaries := make([]metrics.Summary, len(cells))
	for i, cell := range cells {
		summaries[i] = metrics.Summarize(cell.Framework, cell.Model, cell.Workload, recordsOf(rows[i]), cell.Options)
	}
	return summaries
}

func recordsOf(rows []RequestRow) []record.Record {
	records := make([]record.Record, len(rows))
	for i := range rows {
		records[i] = recordOf(&rows[i])
	}
	return records
}
