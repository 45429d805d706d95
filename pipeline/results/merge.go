package results

import (
	"errors"
	"fmt"
)

// Merge joins the results directories of jobs that ran different cells into
// a new results directory out, with summaries. It rejects directories of
// different schema versions and a cell present in two directories.
//
// The merged run info is the first directory's, with the planned cells of
// all directories and the earliest start time. Each cell keeps its own
// image, runner and GPU in its CellInfo.
func Merge(dirs []string, out string) error {
	if len(dirs) == 0 {
		return errors.New("merging results: no results directories given; pass at least one")
	}

	versions := make([]string, len(dirs))
	for i, dir := range dirs {
		version, err := SchemaVersionOf(dir)
		if err != nil {
			return fmt.Errorf("merging results: %w", err)
		}
		versions[i] = version
		if version != versions[0] {
			return fmt.Errorf("merging results: %w: %s has schema version %s but %s has schema version %s; re-run the older job with the llmbench version of the newer one",
				ErrSchemaVersion, dirs[0], versions[0], dir, version)
		}
	}

	runs := make([]*Run, len(dirs))
	owner := map[CellKey]string{}
	for i, dir := range dirs {
		run, err := Open(dir)
		if err != nil {
			return fmt.Errorf("merging results: %w", err)
		}
		for _, c := range run.Cells {
			key := c.Info.Key()
			if first, ok := owner[key]; ok {
				return fmt.Errorf("merging results: %w: both %s and %s contain cell %s; remove it from one of them", ErrDuplicateCell, first, dir, key)
			}
			owner[key] = dir
		}
		runs[i] = run
	}

	merged := mergeRunInfo(runs)
	w, err := Create(out, merged)
	if err != nil {
		return fmt.Errorf("merging results: %w", err)
	}
	for _, run := range runs {
		for _, c := range run.Cells {
			if err := w.WriteCell(c.Info, c.Records); err != nil {
				return fmt.Errorf("merging results from %s: %w", run.Dir, err)
			}
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("merging results: %w", err)
	}
	return nil
}

// mergeRunInfo returns the first run's info with every run's planned cells
// and the earliest start time.
func mergeRunInfo(runs []*Run) RunInfo {
	merged := runs[0].Info
	merged.Planned = nil
	planned := map[CellKey]bool{}
	for _, run := range runs {
		for _, key := range run.Info.Planned {
			if !planned[key] {
				planned[key] = true
				merged.Planned = append(merged.Planned, key)
			}
		}
		started := run.Info.StartedAt
		if !started.IsZero() && (merged.StartedAt.IsZero() || started.Before(merged.StartedAt)) {
			merged.StartedAt = started
		}
	}
	return merged
}
