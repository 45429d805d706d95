package matrix

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// checkGolden compares got with testdata/name, or rewrites the file with
// -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update and review the diff):\n%s", path, got)
	}
}

// indent makes golden JSON readable in diffs.
func indent(t *testing.T, data []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, data, "", "  "); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, data)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

func TestGitHubMatrixGolden(t *testing.T) {
	data, err := Default().GitHubMatrix()
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "github-cells.golden.json", indent(t, data))

	var parsed struct {
		Include []map[string]string `json:"include"`
	}
	if err := json.Unmarshal(data, &parsed); err != nil {
		t.Fatal(err)
	}
	if len(parsed.Include) != 18 {
		t.Errorf("got %d jobs, want 18", len(parsed.Include))
	}
	first := parsed.Include[0]
	if first["cell"] != "vllm/opt-125m/small" || first["model"] != "facebook/opt-125m" || first["file_name"] != "vllm_opt-125m_small" {
		t.Errorf("first job = %v", first)
	}
}

func TestGitHubGroupMatrixGolden(t *testing.T) {
	data, err := Default().GitHubGroupMatrix()
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "github-groups.golden.json", indent(t, data))
}

func TestGitHubGroupsOfSelection(t *testing.T) {
	cells, err := Select(Default().Cells(), "//large")
	if err != nil {
		t.Fatal(err)
	}

	data, err := GitHubGroups(cells)
	if err != nil {
		t.Fatal(err)
	}

	var parsed struct {
		Include []struct {
			Group string   `json:"group"`
			Cells []string `json:"cells"`
		} `json:"include"`
	}
	if err := json.Unmarshal(data, &parsed); err != nil {
		t.Fatal(err)
	}
	if len(parsed.Include) != 6 {
		t.Fatalf("got %d groups, want 6", len(parsed.Include))
	}
	for _, g := range parsed.Include {
		if len(g.Cells) != 1 || g.Cells[0] != g.Group+"/large" {
			t.Errorf("group %s cells = %v, want just its large cell", g.Group, g.Cells)
		}
	}
}

func TestGitHubEmptyAndTooLarge(t *testing.T) {
	if _, err := GitHubCells(nil); err == nil {
		t.Error("GitHubCells(nil) succeeded; GitHub rejects an empty matrix")
	}
	if _, err := GitHubGroups(nil); err == nil {
		t.Error("GitHubGroups(nil) succeeded; GitHub rejects an empty matrix")
	}

	cell := Default().Cells()[0]
	many := make([]Cell, MaxGitHubJobs+1)
	for i := range many {
		many[i] = cell
	}
	_, err := GitHubCells(many)
	if err == nil || !strings.Contains(err.Error(), "257 cells exceed the 256 jobs") {
		t.Errorf("GitHubCells of 257 cells: error %v", err)
	}
}

func TestGitHubOnlySelectsExactly(t *testing.T) {
	m, err := Parse([]byte("models: [org/opt-125m, org/opt-125m-v2, Qwen/Qwen2-1.5B]\nexclude: [{framework: sglang, workload: small}]\n"), "m.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cells := m.Cells()

	cellJSON, err := GitHubCells(cells)
	if err != nil {
		t.Fatal(err)
	}
	groupJSON, err := GitHubGroups(cells)
	if err != nil {
		t.Fatal(err)
	}

	var byCell struct {
		Include []struct{ Cell, Only string } `json:"include"`
	}
	if err := json.Unmarshal(cellJSON, &byCell); err != nil {
		t.Fatal(err)
	}
	for _, entry := range byCell.Include {
		got, err := Select(cells, entry.Only)
		if err != nil {
			t.Fatalf("Select(%q): %v", entry.Only, err)
		}
		if ids := cellIDs(got); len(ids) != 1 || ids[0] != entry.Cell {
			t.Errorf("only %q selects %v, want just %s", entry.Only, ids, entry.Cell)
		}
	}

	var byGroup struct {
		Include []struct {
			Only  string
			Cells []string
		} `json:"include"`
	}
	if err := json.Unmarshal(groupJSON, &byGroup); err != nil {
		t.Fatal(err)
	}
	for _, entry := range byGroup.Include {
		got, err := Select(cells, entry.Only)
		if err != nil {
			t.Fatalf("Select(%q): %v", entry.Only, err)
		}
		if ids := cellIDs(got); strings.Join(ids, " ") != strings.Join(entry.Cells, " ") {
			t.Errorf("only %q selects %v, want %v", entry.Only, ids, entry.Cells)
		}
	}
}
