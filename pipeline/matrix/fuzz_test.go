package matrix

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that no input makes Parse panic, and that every matrix it
// accepts has cells with unique IDs.
func FuzzParse(f *testing.F) {
	example, err := os.ReadFile(filepath.Join("testdata", "example.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Add([]byte("models: [gpt2]\n"))
	f.Add([]byte("frameworks: [{name: vllm, gpus: 2}]\nexclude: [{workload: small}]\n"))
	f.Add([]byte("overrides:\n  - match: {model: phi-2}\n    set: {request_rate: inf, timeout: 1m}\n"))
	f.Add([]byte("a: &x [*x]\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data, filepath.Join("testdata", "fuzz.yaml"))
		if err != nil {
			return
		}
		seen := make(map[string]bool)
		for _, c := range m.Cells() {
			if seen[c.ID] {
				t.Fatalf("duplicate cell ID %s", c.ID)
			}
			seen[c.ID] = true
		}
		if len(seen) == 0 {
			t.Fatal("Parse accepted a matrix without cells")
		}
	})
}
