package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
	"github.com/llmbench/llmbench-action/pipeline/record"
)

// Errors returned by Open and Merge, wrapped with the path involved.
var (
	ErrNotFound      = errors.New("results directory not found")
	ErrNotResults    = errors.New("not a results directory")
	ErrEmptyRun      = errors.New("empty run")
	ErrCorrupt       = errors.New("truncated or corrupt Parquet file")
	ErrSchemaVersion = errors.New("unsupported schema version")
	ErrDuplicateCell = errors.New("duplicate cell")
)

// Cell is one cell of a run with its records, warm-up included, in the
// order they were written.
type Cell struct {
	Info    CellInfo
	Records []record.Record
}

// Run is a results directory read back.
type Run struct {
	Dir  string
	Info RunInfo
	// Cells holds the finished cells in the order they were written.
	Cells []Cell
	// Missing lists the planned cells without results, in plan order.
	Missing []CellKey
	// Recovered is true when some cells were read from the cells folder
	// because the run stopped before it closed the directory.
	Recovered bool
}

// Summaries computes one summary per cell with metrics.Summarize and the
// cell's stored options.
func (r *Run) Summaries() []metrics.Summary {
	summaries := make([]metrics.Summary, len(r.Cells))
	for i, c := range r.Cells {
		summaries[i] = metrics.Summarize(c.Info.Framework, c.Info.Model, c.Info.Workload, c.Records, c.Info.Options)
	}
	return summaries
}

// CellInfos returns the info of every cell, in order.
func (r *Run) CellInfos() []CellInfo {
	infos := make([]CellInfo, len(r.Cells))
	for i, c := range r.Cells {
		infos[i] = c.Info
	}
	return infos
}

// Records returns the records of every cell, in order.
func (r *Run) Records() []record.Record {
	var all []record.Record
	for _, c := range r.Cells {
		all = append(all, c.Records...)
	}
	return all
}

// Incomplete lists the cells that did not run to their end.
func (r *Run) Incomplete() []CellKey {
	var keys []CellKey
	for _, c := range r.Cells {
		if !c.Info.Complete {
			keys = append(keys, c.Info.Key())
		}
	}
	return keys
}

// Open reads a results directory: requests.parquet, plus the cells a killed
// run left in the cells folder that requests.parquet does not hold yet.
func Open(dir string) (*Run, error) {
	info, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s does not exist; pass the output directory of an llmbench run", ErrNotFound, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("opening results directory %s: %w", dir, err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%w: %s is a file; pass the output directory of an llmbench run", ErrNotResults, dir)
	}

	run := &Run{Dir: dir}
	seen := map[CellKey]bool{}
	requestsPath := filepath.Join(dir, RequestsFile)
	cellsPath := filepath.Join(dir, CellsDir)
	hasRequests := exists(requestsPath)
	hasCells := exists(cellsPath)
	if !hasRequests && !hasCells {
		return nil, fmt.Errorf("%w: %s contains neither %s nor a %s folder; pass the output directory of an llmbench run", ErrNotResults, dir, RequestsFile, CellsDir)
	}

	if hasRequests {
		f, err := readFile(requestsPath)
		if err != nil {
			return nil, err
		}
		run.Info = f.run
		for _, c := range f.cells {
			run.Cells = append(run.Cells, c)
			seen[c.Info.Key()] = true
		}
	}
	if hasCells {
		if err := run.readCellsFolder(cellsPath, !hasRequests, seen); err != nil {
			return nil, err
		}
	}

	if len(run.Cells) == 0 {
		return nil, fmt.Errorf("%w: %s contains no finished cell; the run stopped before its first cell finished, so re-run it", ErrEmptyRun, dir)
	}
	for _, key := range run.Info.Planned {
		if !seen[key] {
			run.Missing = append(run.Missing, key)
		}
	}
	return run, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// readCellsFolder adds the cell files not in seen, in file name order. When
// readRunInfo is set the run info comes from run.json.
func (r *Run) readCellsFolder(path string, readRunInfo bool, seen map[CellKey]bool) error {
	if readRunInfo {
		data, err := os.ReadFile(filepath.Join(path, runFile))
		if err != nil {
			return fmt.Errorf("%w: reading the run info: %w", ErrNotResults, err)
		}
		if err := json.Unmarshal(data, &r.Info); err != nil {
			return fmt.Errorf("%w: %s: %v; re-run the benchmark or remove the file", ErrCorrupt, filepath.Join(path, runFile), err)
		}
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	var found []Cell
	for _, entry := range entries {
		name := entry.Name()
		if entry.IsDir() || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".parquet") {
			continue
		}
		f, err := readFile(filepath.Join(path, name))
		if err != nil {
			return err
		}
		for _, c := range f.cells {
			if seen[c.Info.Key()] {
				continue
			}
			seen[c.Info.Key()] = true
			found = append(found, c)
		}
	}
	if len(found) == 0 {
		return nil
	}

	// Cell files carry no write order, so recovered cells follow the plan's
	// order, then file name order.
	position := map[CellKey]int{}
	for i, key := range r.Info.Planned {
		position[key] = i
	}
	sort.SliceStable(found, func(i, j int) bool {
		pi, iPlanned := position[found[i].Info.Key()]
		pj, jPlanned := position[found[j].Info.Key()]
		if iPlanned != jPlanned {
			return iPlanned
		}
		return pi < pj
	})
	r.Cells = append(r.Cells, found...)
	r.Recovered = true
	return nil
}

// parquetFile is the content of one Parquet file of a results directory.
type parquetFile struct {
	run   RunInfo
	cells []Cell
}

// readFile reads requests.parquet or a cell file.
func readFile(path string) (*parquetFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	stat, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	pf, err := openParquet(f, stat.Size())
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v; re-run the benchmark or remove the file", ErrCorrupt, path, err)
	}
	if err := checkSchemaVersion(pf, path); err != nil {
		return nil, err
	}
	if err := checkRequestsFile(pf, path); err != nil {
		return nil, err
	}

	out := &parquetFile{}
	runJSON, _ := pf.Lookup(MetaRun)
	if err := json.Unmarshal([]byte(runJSON), &out.run); err != nil {
		return nil, fmt.Errorf("%w: %s: metadata %s: %v; re-run the benchmark or remove the file", ErrCorrupt, path, MetaRun, err)
	}
	var infos []CellInfo
	cellsJSON, _ := pf.Lookup(MetaCells)
	if err := json.Unmarshal([]byte(cellsJSON), &infos); err != nil {
		return nil, fmt.Errorf("%w: %s: metadata %s: %v; re-run the benchmark or remove the file", ErrCorrupt, path, MetaCells, err)
	}

	rows, err := readRows(pf)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v; re-run the benchmark or remove the file", ErrCorrupt, path, err)
	}
	index := map[CellKey]int{}
	out.cells = make([]Cell, len(infos))
	for i, info := range infos {
		index[info.Key()] = i
		out.cells[i].Info = info
	}
	for i := range rows {
		key := CellKey{Framework: rows[i].Framework, Model: rows[i].Model, Workload: rows[i].Workload}
		c, ok := index[key]
		if !ok {
			return nil, fmt.Errorf("%w: %s: row %d belongs to cell %s, which the file's metadata does not list", ErrCorrupt, path, i, key)
		}
		out.cells[c].Records = append(out.cells[c].Records, recordOf(&rows[i]))
	}
	return out, nil
}

// openParquet opens a Parquet file, turning a panic of the decoder on a
// damaged file into an error.
func openParquet(r io.ReaderAt, size int64) (pf *parquet.File, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("decoding the file footer: %v", p)
		}
	}()
	return parquet.OpenFile(r, size)
}

// checkSchemaVersion rejects a file without llmbench metadata or written in
// another schema version.
func checkSchemaVersion(pf *parquet.File, path string) error {
	version, ok := pf.Lookup(MetaSchemaVersion)
	if !ok {
		return fmt.Errorf("%w: %s has no %s metadata, so llmbench did not write it", ErrNotResults, path, MetaSchemaVersion)
	}
	if version != SchemaVersion {
		writer, _ := pf.Lookup(MetaToolVersion)
		if writer == "" {
			writer = "unknown"
		}
		return fmt.Errorf("%w: %s has schema version %s (written by llmbench %s); this llmbench reads schema version %s, so read it with llmbench %s",
			ErrSchemaVersion, path, version, writer, SchemaVersion, writer)
	}
	return nil
}

// requestColumns lists the top-level columns of requests.parquet in schema
// version 1. The row reader fills a missing column with zero values, so a
// file without one of them would read back as wrong records.
// NOTE: a column added without a SchemaVersion change must be left out of
// this check, or files written before it existed are rejected.
var requestColumns = func() []string {
	var names []string
	for _, field := range parquet.SchemaOf(RequestRow{}).Fields() {
		names = append(names, field.Name())
	}
	return names
}()

// maxListedColumns caps the missing columns an error message names.
const maxListedColumns = 5

// checkRequestsFile rejects a file that llmbench wrote but that does not
// hold requests, such as summary.parquet copied over requests.parquet.
func checkRequestsFile(pf *parquet.File, path string) error {
	if kind, ok := pf.Lookup(MetaFileKind); ok && kind != FileKindRequests {
		return fmt.Errorf("%w: %s is a %s file (metadata %s=%q), not a requests file with one row per request; "+
			"restore the %s of the run or re-run the benchmark",
			ErrNotResults, path, kind, MetaFileKind, kind, RequestsFile)
	}

	present := map[string]bool{}
	for _, field := range pf.Schema().Fields() {
		present[field.Name()] = true
	}
	var missing []string
	for _, name := range requestColumns {
		if !present[name] {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	listed := strings.Join(missing[:min(len(missing), maxListedColumns)], ", ")
	if len(missing) > maxListedColumns {
		listed += fmt.Sprintf(" and %d more", len(missing)-maxListedColumns)
	}
	return fmt.Errorf("%w: %s is not a requests file with one row per request: it lacks %d of the %d request columns (%s); "+
		"restore the %s of the run or re-run the benchmark",
		ErrNotResults, path, len(missing), len(requestColumns), listed, RequestsFile)
}

// readRows reads every row of every row group, turning a panic of the
// decoder on a damaged page into an error.
func readRows(pf *parquet.File) (rows []RequestRow, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("decoding rows: %v", p)
		}
	}()
	rows = make([]RequestRow, 0, pf.NumRows())
	buf := make([]RequestRow, 1024)
	for _, rg := range pf.RowGroups() {
		reader := parquet.NewGenericRowGroupReader[RequestRow](rg)
		for {
			n, err := reader.Read(buf)
			rows = append(rows, buf[:n]...)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				reader.Close()
				return nil, fmt.Errorf("decoding rows: %w", err)
			}
		}
		if err := reader.Close(); err != nil {
			return nil, fmt.Errorf("decoding rows: %w", err)
		}
	}
	if int64(len(rows)) != pf.NumRows() {
		return nil, fmt.Errorf("decoded %d rows, but the file footer records %d", len(rows), pf.NumRows())
	}
	return rows, nil
}

// SchemaVersionOf returns the schema version of the results directory dir,
// read from the metadata of requests.parquet or of its first cell file.
func SchemaVersionOf(dir string) (string, error) {
	paths := []string{filepath.Join(dir, RequestsFile)}
	if matches, err := filepath.Glob(filepath.Join(dir, CellsDir, "*.parquet")); err == nil {
		sort.Strings(matches)
		paths = append(paths, matches...)
	}
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		stat, err := f.Stat()
		if err != nil {
			f.Close()
			return "", fmt.Errorf("reading %s: %w", path, err)
		}
		pf, err := openParquet(f, stat.Size())
		if err != nil {
			f.Close()
			return "", fmt.Errorf("%w: %s: %v; re-run the benchmark or remove the file", ErrCorrupt, path, err)
		}
		version, _ := pf.Lookup(MetaSchemaVersion)
		f.Close()
		return version, nil
	}
	if !exists(dir) {
		return "", fmt.Errorf("%w: %s does not exist; pass the output directory of an llmbench run", ErrNotFound, dir)
	}
	return "", fmt.Errorf("%w: %s contains no Parquet file", ErrNotResults, dir)
}
