package runner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/llmbench/llmbench-action/pipeline/results"
)

// completedCells returns the cells already complete in the results
// directory when resuming, else none.
func completedCells(opts Options) (map[results.CellKey]bool, error) {
	done := map[results.CellKey]bool{}
	if !opts.Resume {
		return done, nil
	}
	run, err := results.Open(opts.OutDir)
	if errors.Is(err, results.ErrNotFound) || errors.Is(err, results.ErrNotResults) || errors.Is(err, results.ErrEmptyRun) {
		// Nothing finished yet: resuming is a fresh start.
		return done, nil
	}
	if err != nil {
		return nil, fmt.Errorf("resuming from %s: %w", opts.OutDir, err)
	}
	for _, c := range run.Cells {
		if c.Info.Complete {
			done[c.Info.Key()] = true
		}
	}
	return done, nil
}

// openWriter creates the results directory, or reopens it when resuming.
func openWriter(opts Options, info results.RunInfo) (*results.Writer, error) {
	if opts.Resume && HoldsResults(opts.OutDir) {
		return results.Reopen(opts.OutDir, info)
	}
	return results.Create(opts.OutDir, info)
}

// HoldsResults reports whether dir contains the results of a run, finished
// or not.
func HoldsResults(dir string) bool {
	for _, name := range []string{results.RequestsFile, results.CellsDir} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}
