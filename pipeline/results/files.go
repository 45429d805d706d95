package results

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/parquet-go/parquet-go"
)

// Names of the files and folders of a results directory.
const (
	RequestsFile = "requests.parquet"
	SummaryFile  = "summary.parquet"
	SummaryJSON  = "summary.json"
	SummaryCSV   = "summary.csv"
	ReportFile   = "report.md"
	ChartsDir    = "charts"
	EventsFile   = "events.jsonl"
	// CellsDir holds one Parquet file per finished cell while a run is in
	// progress, and run.json, the redacted RunInfo. Close removes it once
	// requests.parquet holds every cell.
	CellsDir = "cells"
	runFile  = "run.json"
)

// fileMode is the permission of every file written into a results
// directory: readable by everyone, like files that os.Create makes under
// the usual umask 022. os.CreateTemp makes 0600 files, which would hide the
// results from other users of a runner and from upload steps running as
// another user.
const fileMode = 0o644

// testHookBeforeRename, when set by a test, runs after a file's temporary
// copy is written and synced, before the rename.
var testHookBeforeRename func(path string)

// writeFileAtomic writes path with mode fileMode through a temporary file
// in the same folder: write, fsync, close, rename, then fsync of the folder.
// A crash at any point leaves either the old file or the new one, never a
// partial file.
func writeFileAtomic(path string, write func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()

	if err := tmp.Chmod(fileMode); err != nil {
		return fmt.Errorf("writing %s: setting mode %o: %w", path, fileMode, err)
	}

	buffered := bufio.NewWriterSize(tmp, 1<<20)
	if err := write(buffered); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := buffered.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", path, err)
	}
	if testHookBeforeRename != nil {
		testHookBeforeRename(path)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("renaming %s into place: %w", path, err)
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("syncing folder %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing folder %s: %w", dir, err)
	}
	return nil
}

// writeRequests writes rows of one or more cells as requests.parquet (or a
// cell file) with the run's metadata.
func writeRequests(w io.Writer, run RunInfo, cells []CellInfo, rows [][]RequestRow) error {
	meta, err := metadata(FileKindRequests, run, cells)
	if err != nil {
		return err
	}
	options := []parquet.WriterOption{
		parquet.Compression(&parquet.Zstd),
		parquet.CreatedBy("llmbench", run.ToolVersion, ""),
	}
	for _, kv := range meta {
		options = append(options, parquet.KeyValueMetadata(kv[0], kv[1]))
	}
	pw := parquet.NewGenericWriter[RequestRow](w, options...)
	for _, cellRows := range rows {
		if _, err := pw.Write(cellRows); err != nil {
			return fmt.Errorf("writing request rows: %w", err)
		}
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("finishing Parquet file: %w", err)
	}
	return nil
}
