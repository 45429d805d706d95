package charts

import (
	"image/color"
	"slices"
)

// palette is the Okabe-Ito palette, distinguishable under the common forms
// of colour blindness (Okabe and Ito, "Color Universal Design", 2008),
// followed by a grey for a ninth framework.
var palette = []color.RGBA{
	{0x00, 0x72, 0xB2, 0xFF}, // blue
	{0xE6, 0x9F, 0x00, 0xFF}, // orange
	{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	{0x00, 0x00, 0x00, 0xFF}, // black
	{0xF0, 0xE4, 0x42, 0xFF}, // yellow
	{0x99, 0x99, 0x99, 0xFF}, // grey
}

// knownFrameworks fixes the colour of each framework llmbench supports, so a
// framework keeps its colour across runs whatever else ran beside it.
var knownFrameworks = map[string]int{
	"vllm":     0,
	"sglang":   1,
	"tgi":      2,
	"llamacpp": 3,
	"trtllm":   4,
	"ollama":   5,
}

// unknownOrder is the order in which frameworks without a fixed colour take
// palette indexes: first those no known framework owns, then those of known
// frameworks absent from the run, yellow last because it is the hardest to
// see on white.
var unknownOrder = []int{6, 8, 0, 1, 2, 3, 4, 5, 7}

// assignColors returns a palette index per framework: the fixed index for
// known frameworks, then free indexes to the others in sorted name order.
// With more frameworks than colours, colours repeat.
func assignColors(frameworks []string) map[string]int {
	out := map[string]int{}
	used := map[int]bool{}
	var unknown []string
	for _, f := range frameworks {
		if i, ok := knownFrameworks[f]; ok {
			out[f] = i
			used[i] = true
			continue
		}
		unknown = append(unknown, f)
	}
	slices.Sort(unknown)

	var free []int
	for _, i := range unknownOrder {
		if !used[i] {
			free = append(free, i)
		}
	}
	for n, f := range unknown {
		if n < len(free) {
			out[f] = free[n]
			continue
		}
		// NOTE: beyond the palette's nine colours, two frameworks share one.
		out[f] = unknownOrder[n%len(unknownOrder)]
	}
	return out
}

// colorOf returns the colour of framework in run.
func (run *runData) colorOf(framework string) color.RGBA {
	return palette[run.colors[framework]%len(palette)]
}
