package ghcomment

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// writeChart draws the output throughput of a workload's cells as a Mermaid
// xychart-beta bar chart, at most maxBars bars: the cells with the highest
// throughput, kept in table order. Cells without successful requests are not
// drawn, and a line under the chart notes them.
func writeChart(b *strings.Builder, w workloadView, maxBars int) {
	var drawable []int
	for i, rw := range w.rows {
		if rw.throughput() != nil {
			drawable = append(drawable, i)
		}
	}
	if len(drawable) == 0 {
		return
	}

	shown := drawable
	if len(shown) > maxBars {
		byThroughput := append([]int(nil), drawable...)
		sort.SliceStable(byThroughput, func(a, c int) bool {
			return *w.rows[byThroughput[a]].throughput() > *w.rows[byThroughput[c]].throughput()
		})
		shown = byThroughput[:maxBars]
		sort.Ints(shown)
	}

	labels := make([]string, 0, len(shown))
	values := make([]string, 0, len(shown))
	top := 0.0
	for _, i := range shown {
		rw := w.rows[i]
		label := mermaidLabel(shortModel(rw.model) + " " + rw.framework)
		labels = append(labels, `"`+label+`"`)
		v := *rw.throughput()
		values = append(values, strconv.FormatFloat(v, 'f', 1, 64))
		top = math.Max(top, v)
	}

	b.WriteString("```mermaid\nxychart-beta\n")
	fmt.Fprintf(b, "    title \"Output tokens/s, workload %s\"\n", mermaidLabel(w.name))
	b.WriteString("    x-axis [" + strings.Join(labels, ", ") + "]\n")
	fmt.Fprintf(b, "    y-axis \"tokens/s\" 0 --> %s\n", strconv.FormatFloat(axisTop(top), 'f', -1, 64))
	b.WriteString("    bar [" + strings.Join(values, ", ") + "]\n")
	b.WriteString("```\n\n")

	var notes []string
	if len(shown) < len(drawable) {
		notes = append(notes, fmt.Sprintf("The chart shows the %d cells with the highest throughput of %d.", len(shown), len(drawable)))
	}
	if missing := len(w.rows) - len(drawable); missing > 0 {
		notes = append(notes, plural(missing, "cell", "cells")+" without successful requests not drawn.")
	}
	if len(notes) > 0 {
		b.WriteString("_" + strings.Join(notes, " ") + "_\n\n")
	}
}

// axisTop returns a round upper bound for the y axis at least 10% above v: the
// next of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 or 10 times a power of ten.
func axisTop(v float64) float64 {
	if v <= 0 {
		return 1
	}
	target := v * 1.1
	magnitude := math.Pow(10, math.Floor(math.Log10(target)))
	for _, step := range []float64{1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10} {
		if top := step * magnitude; top >= target {
			return top
		}
	}
	return 10 * magnitude
}
