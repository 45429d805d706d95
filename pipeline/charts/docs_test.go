package charts

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var writeDocs = flag.String("docs", "", "write every chart of the 3×2×3 example run into this directory, and the examples of docs/charts")

// TestWriteDocsExamples writes the documentation's example charts when run
// with -docs DIR: all charts into DIR, and the four examples into
// docs/charts of the repository.
func TestWriteDocsExamples(t *testing.T) {
	if *writeDocs == "" {
		t.Skip("run with -docs DIR to write the example charts")
	}
	in := planInput()
	in.Timelines = []TimelineOf{{Model: "microsoft/phi-2", Workload: "large"}}
	paths, err := WriteAll(*writeDocs, in)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d files to %s", len(paths), *writeDocs)

	examples := []string{"throughput-medium", "latency-ttft-large", "scaling-large", "cost", "timeline-microsoft-phi-2-large"}
	docs := filepath.Join("..", "..", "docs", "charts")
	for _, name := range examples {
		for _, ext := range formats {
			data, err := os.ReadFile(filepath.Join(*writeDocs, name+"."+ext))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(docs, name+"."+ext), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
