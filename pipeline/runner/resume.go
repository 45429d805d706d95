package runner

import (
	"errors"
	"fmt"

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
	if errors.Is(err, results.ErrNotFound) {
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
	if opts.Resume {
		w, err := results.Reopen(opts.OutDir, info)
		if err == nil || !errors.Is(err, results.ErrNotFound) {
			return w, err
		}
	}
	return results.Create(opts.OutDir, info)
}
