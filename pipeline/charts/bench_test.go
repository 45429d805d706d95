package charts

import (
	"io"
	"testing"
)

// BenchmarkWriteAll draws every chart of the plan's 3 models × 2 frameworks
// × 3 workloads (18 cells, 10/50/100 requests each) as PNG and SVG files.
func BenchmarkWriteAll(b *testing.B) {
	in := planInput()
	dir := b.TempDir()
	b.ResetTimer()
	for b.Loop() {
		if _, err := WriteAll(dir, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRender splits the time of BenchmarkWriteAll by format, without
// file writes.
func BenchmarkRender(b *testing.B) {
	in := planInput()
	for _, format := range formats {
		b.Run(format, func(b *testing.B) {
			for b.Loop() {
				figures, err := buildFigures(in)
				if err != nil {
					b.Fatal(err)
				}
				for _, fig := range figures {
					canvas, err := fig.render(format)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := canvas.WriteTo(io.Discard); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
