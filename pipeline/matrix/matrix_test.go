package matrix

import (
	"slices"
	"strings"
	"testing"
)

func cellIDs(cells []Cell) []string {
	ids := make([]string, len(cells))
	for i, c := range cells {
		ids[i] = c.ID
	}
	return ids
}

func TestDefaultCellsAndGroups(t *testing.T) {
	m := Default()

	cells := m.Cells()
	groups := m.Groups()

	if len(cells) != 18 {
		t.Errorf("default matrix has %d cells, want 18", len(cells))
	}
	if len(groups) != 6 {
		t.Errorf("default matrix has %d groups, want 6", len(groups))
	}
	wantFirst := []string{
		"vllm/opt-125m/small", "vllm/opt-125m/medium", "vllm/opt-125m/large",
		"vllm/Qwen2-1.5B/small", "vllm/Qwen2-1.5B/medium", "vllm/Qwen2-1.5B/large",
		"vllm/phi-2/small",
	}
	if got := cellIDs(cells)[:len(wantFirst)]; !slices.Equal(got, wantFirst) {
		t.Errorf("first cells = %v, want %v", got, wantFirst)
	}
	if last := cells[len(cells)-1].ID; last != "sglang/phi-2/large" {
		t.Errorf("last cell = %q, want sglang/phi-2/large", last)
	}
	for _, g := range groups {
		if len(g.Cells) != 3 {
			t.Errorf("group %s has %d cells, want 3", g.ID, len(g.Cells))
		}
	}
	if groups[1].ID != "vllm/Qwen2-1.5B" || groups[1].Model.ID != "Qwen/Qwen2-1.5B" {
		t.Errorf("second group = %s serving %s, want vllm/Qwen2-1.5B serving Qwen/Qwen2-1.5B", groups[1].ID, groups[1].Model.ID)
	}
	if m.Source != DefaultSource || m.Hash != "" {
		t.Errorf("Source, Hash = %q, %q; want %q and empty", m.Source, m.Hash, DefaultSource)
	}
}

func TestDefaultWorkloadsFromPlan(t *testing.T) {
	want := map[string][2]int{"small": {10, 64}, "medium": {50, 128}, "large": {100, 256}}
	for _, c := range Default().Cells() {
		w := want[c.Workload.Name]
		if c.Workload.NumRequests != w[0] || c.Workload.MaxTokens != w[1] {
			t.Errorf("%s: %d requests of %d tokens, want %d of %d",
				c.ID, c.Workload.NumRequests, c.Workload.MaxTokens, w[0], w[1])
		}
	}
}

func TestDefaultModelParams(t *testing.T) {
	want := map[string]float64{"facebook/opt-125m": 125e6, "Qwen/Qwen2-1.5B": 1.5e9, "microsoft/phi-2": 2.7e9}
	for _, m := range Default().Models {
		if m.Params != want[m.ID] {
			t.Errorf("%s params = %v, want %v", m.ID, m.Params, want[m.ID])
		}
	}
}

func TestDefaultIsIndependentCopy(t *testing.T) {
	m := Default()
	m.Models[0].ID = "changed/model"
	m.Frameworks[0].Name = "changed"

	again := Default()

	if again.Models[0].ID != "facebook/opt-125m" || again.Frameworks[0].Name != "vllm" {
		t.Errorf("changing one Default() changed the next: %s, %s", again.Models[0].ID, again.Frameworks[0].Name)
	}
}

func TestCellFileName(t *testing.T) {
	c, err := Default().Cell("vllm/opt-125m/medium")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.FileName(); got != "vllm_opt-125m_medium" {
		t.Errorf("FileName = %q, want vllm_opt-125m_medium", got)
	}
	if c.GroupID != "vllm/opt-125m" {
		t.Errorf("GroupID = %q, want vllm/opt-125m", c.GroupID)
	}
}

func TestCellLookup(t *testing.T) {
	m := Default()

	byFile, err := m.Cell("sglang_phi-2_small")
	if err != nil {
		t.Fatalf("Cell by file name: %v", err)
	}
	if byFile.ID != "sglang/phi-2/small" {
		t.Errorf("Cell by file name = %s, want sglang/phi-2/small", byFile.ID)
	}

	_, err = m.Cell("vllm/opt-125m/huge")
	if err == nil {
		t.Fatal("Cell of an unknown ID succeeded")
	}
	if !strings.HasPrefix(err.Error(), `no cell "vllm/opt-125m/huge" in matrix default: cells are vllm/opt-125m/small, `) {
		t.Errorf("error = %q", err)
	}
}

func TestModelNamesCollision(t *testing.T) {
	models := []Model{{ID: "org-a/llama"}, {ID: "org-b/llama"}, {ID: "facebook/opt-125m"}, {ID: "gpt2"}}

	got := ModelNames(models)

	want := []string{"org-a--llama", "org-b--llama", "opt-125m", "gpt2"}
	if !slices.Equal(got, want) {
		t.Errorf("ModelNames = %v, want %v", got, want)
	}
}

func TestGPURequest(t *testing.T) {
	tests := []struct {
		gpus    string
		count   int
		devices []string
	}{
		{"all", -1, nil},
		{"", -1, nil},
		{"none", 0, nil},
		{"2", 2, nil},
		{"device=0,1", 0, []string{"0", "1"}},
	}
	for _, tt := range tests {
		count, devices := Framework{GPUs: tt.gpus}.GPURequest()
		if count != tt.count || !slices.Equal(devices, tt.devices) {
			t.Errorf("GPURequest(%q) = %d, %v; want %d, %v", tt.gpus, count, devices, tt.count, tt.devices)
		}
	}
}

func TestExcludeAndOverrideOnBuiltMatrix(t *testing.T) {
	m := Default()
	m.Excludes = []Match{{Framework: "sglang", Model: "phi-2"}}
	large := 512
	m.Overrides = []Override{
		{Match: Match{Workload: "large"}, Set: Patch{MaxTokens: &large}},
	}

	cells := m.Cells()

	if len(cells) != 15 {
		t.Errorf("got %d cells, want 15", len(cells))
	}
	for _, c := range cells {
		if c.GroupID == "sglang/phi-2" {
			t.Errorf("excluded cell %s is listed", c.ID)
		}
		wantTokens := map[string]int{"small": 64, "medium": 128, "large": 512}[c.Workload.Name]
		if c.Workload.MaxTokens != wantTokens {
			t.Errorf("%s max tokens = %d, want %d", c.ID, c.Workload.MaxTokens, wantTokens)
		}
	}
	if m.Workloads[2].MaxTokens != 256 {
		t.Errorf("override changed the matrix's own workload: max tokens %d", m.Workloads[2].MaxTokens)
	}
}
