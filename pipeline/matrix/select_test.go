package matrix

import (
	"slices"
	"strings"
	"testing"
)

func TestSelect(t *testing.T) {
	cells := Default().Cells()
	tests := []struct {
		pattern string
		want    []string
	}{
		{"vllm/opt-125m/small", []string{"vllm/opt-125m/small"}},
		{"sglang/phi-2", []string{"sglang/phi-2/small", "sglang/phi-2/medium", "sglang/phi-2/large"}},
		{"//large", []string{"vllm/opt-125m/large", "vllm/Qwen2-1.5B/large", "vllm/phi-2/large", "sglang/opt-125m/large", "sglang/Qwen2-1.5B/large", "sglang/phi-2/large"}},
		{"/opt/^(small|large)$", []string{"vllm/opt-125m/small", "vllm/opt-125m/large", "sglang/opt-125m/small", "sglang/opt-125m/large"}},
		{"sglang/*-1.5B/m*", []string{"sglang/Qwen2-1.5B/medium"}},
		{"vllm/Qwen", []string{"vllm/Qwen2-1.5B/small", "vllm/Qwen2-1.5B/medium", "vllm/Qwen2-1.5B/large"}},
		{"^vl/phi", []string{"vllm/phi-2/small", "vllm/phi-2/medium", "vllm/phi-2/large"}},
		{"opt-*", nil}, // a glob matches the whole framework name
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			got, err := Select(cells, tt.pattern)
			if tt.want == nil {
				if err == nil {
					t.Fatalf("Select(%q) = %v, want an error", tt.pattern, cellIDs(got))
				}
				return
			}
			if err != nil {
				t.Fatalf("Select(%q): %v", tt.pattern, err)
			}
			if !slices.Equal(cellIDs(got), tt.want) {
				t.Errorf("Select(%q) = %v, want %v", tt.pattern, cellIDs(got), tt.want)
			}
		})
	}
}

func TestSelectEmptyPatternSelectsAll(t *testing.T) {
	cells := Default().Cells()
	got, err := Select(cells, "")
	if err != nil || len(got) != len(cells) {
		t.Errorf("Select(\"\") = %d cells, %v; want all %d", len(got), err, len(cells))
	}
}

func TestSelectErrors(t *testing.T) {
	cells := Default().Cells()
	tests := []struct {
		pattern string
		want    string
	}{
		{"tgi", `pattern "tgi" matches no cell; the cells are vllm/opt-125m/small, vllm/opt-125m/medium, `},
		{"a/b/c/d", `pattern "a/b/c/d" has 4 parts; use at most 3: framework/model/workload`},
		{"vllm/(opt", "pattern \"vllm/(opt\": invalid regular expression \"(opt\": error parsing regexp: missing closing ): `(opt`"},
		{"vllm/[opt", `pattern "vllm/[opt": invalid glob "[opt": syntax error in pattern`},
	}
	for _, tt := range tests {
		_, err := Select(cells, tt.pattern)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Select(%q) error:\n got %v\nwant prefix %s", tt.pattern, err, tt.want)
		}
	}
}
