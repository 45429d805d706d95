package charts

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Groups of slots: group g spans [g-groupSpan/2, g+groupSpan/2] on a nominal
// axis, split evenly into one slot per framework.
const groupSpan = 0.8

// slotCenter returns the axis position of slot s of k in group g.
func slotCenter(g, s, k int) float64 {
	return float64(g) - groupSpan/2 + (float64(s)+0.5)*groupSpan/float64(k)
}

// slotWidth returns the width of one of k slots in axis units.
func slotWidth(k int) float64 {
	return groupSpan / float64(k)
}

// rotatedLabelStyle is for labels that run upwards from their point.
func rotatedLabelStyle(size float64) draw.TextStyle {
	sty := textStyle(size, false)
	sty.Color = mutedColor
	sty.Rotation = math.Pi / 2
	sty.XAlign = draw.XLeft
	sty.YAlign = draw.YCenter
	return sty
}

// barSlot is one framework's bar in a group.
type barSlot struct {
	value float64
	ok    bool
	// label is drawn above the bar when ok, or upright in place of the bar
	// ("all 50 failed") when not.
	label string
}

// groupedBars draws vertical bars, one group per model and one slot per
// framework.
type groupedBars struct {
	slots  [][]barSlot // [group][slot]
	colors []color.Color
}

func (b *groupedBars) maxValue() float64 {
	m := 0.0
	for _, g := range b.slots {
		for _, s := range g {
			if s.ok {
				m = max(m, s.value)
			}
		}
	}
	return m
}

// DataRange leaves room above the tallest bar for its value label.
func (b *groupedBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	top := b.maxValue() * 1.15
	if top == 0 {
		top = 1
	}
	return -0.5, float64(len(b.slots)) - 0.5, 0, top
}

func (b *groupedBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	k := len(b.colors)
	half := slotWidth(k) * 0.45
	outline := draw.LineStyle{Color: color.RGBA{0x33, 0x33, 0x33, 0xFF}, Width: vg.Points(0.5)}
	valueStyle := textStyle(valueSize, false)
	valueStyle.XAlign = draw.XCenter

	for g, group := range b.slots {
		for s, slot := range group {
			x := slotCenter(g, s, k)
			x0, x1 := trX(x-half), trX(x+half)
			y0 := trY(0)
			if !slot.ok {
				if slot.label != "" {
					c.FillText(rotatedLabelStyle(valueSize), vg.Point{X: trX(x), Y: y0 + vg.Points(3)}, slot.label)
				}
				continue
			}

			y1 := trY(slot.value)
			rect := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
			c.FillPolygon(b.colors[s], c.ClipPolygonY(rect))
			c.StrokeLines(outline, c.ClipLinesY(append(rect, rect[0]))...)
			if slot.label == "" {
				continue
			}
			if valueStyle.Width(slot.label) <= x1-x0+vg.Points(4) {
				c.FillText(valueStyle, vg.Point{X: trX(x), Y: y1 + vg.Points(2)}, slot.label)
			} else {
				sty := rotatedLabelStyle(valueSize)
				sty.Color = textColor
				c.FillText(sty, vg.Point{X: trX(x), Y: y1 + vg.Points(2)}, slot.label)
			}
		}
	}
}

// boxStats are the percentiles of one cell's latencies in milliseconds.
type boxStats struct {
	p10, p25, p50, p75, p90, p99 float64
	n                            int
}

// boxSlot is one framework's box in a group.
type boxSlot struct {
	stats *boxStats
	// label is drawn above the box ("3 of 50 failed") when stats is set, or
	// upright in place of the box ("all 50 failed") when not.
	label string
}

// percentileBoxes draws one box per cell: the box spans p25 to p75, a line
// marks p50, whiskers reach p10 and p90, and a diamond marks p99.
type percentileBoxes struct {
	slots  [][]boxSlot // [group][slot]
	colors []color.Color
	// top is the upper end of the y axis in data units.
	top float64
}

func (b *percentileBoxes) DataRange() (xmin, xmax, ymin, ymax float64) {
	return -0.5, float64(len(b.slots)) - 0.5, 0, b.top
}

// newPercentileBoxes returns boxes with a y range that leaves room above
// the highest p99 for a failure label of labelLen points, on a plot area
// about plotHeight points tall.
func newPercentileBoxes(slots [][]boxSlot, colors []color.Color, labelLen, plotHeight vg.Length) *percentileBoxes {
	top := 0.0
	labelled := false
	for _, g := range slots {
		for _, s := range g {
			if s.stats != nil {
				top = max(top, s.stats.p99)
				labelled = labelled || s.label != ""
			}
		}
	}
	switch {
	case top == 0:
		top = 1
	case labelled && plotHeight > 2*labelLen:
		top /= 1 - float64((labelLen+vg.Points(10))/plotHeight)
	default:
		top *= 1.05
	}
	return &percentileBoxes{slots: slots, colors: colors, top: top}
}

func (b *percentileBoxes) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	k := len(b.colors)
	half := slotWidth(k) * 0.35

	for g, group := range b.slots {
		for s, slot := range group {
			x := slotCenter(g, s, k)
			if slot.stats == nil {
				if slot.label != "" {
					c.FillText(rotatedLabelStyle(valueSize), vg.Point{X: trX(x), Y: trY(0) + vg.Points(3)}, slot.label)
				}
				continue
			}
			drawBox(c, trX, trY, x, half, slot.stats, b.colors[s])
			if slot.label != "" {
				c.FillText(rotatedLabelStyle(valueSize), vg.Point{X: trX(x), Y: trY(slot.stats.p99) + vg.Points(7)}, slot.label)
			}
		}
	}
}

func drawBox(c draw.Canvas, trX, trY func(float64) vg.Length, x, half float64, st *boxStats, col color.Color) {
	dark := color.RGBA{0x22, 0x22, 0x22, 0xFF}
	whisker := draw.LineStyle{Color: dark, Width: vg.Points(0.8)}
	cx, x0, x1 := trX(x), trX(x-half), trX(x+half)
	cap0, cap1 := trX(x-half/2), trX(x+half/2)

	c.StrokeLine2(whisker, cx, trY(st.p10), cx, trY(st.p25))
	c.StrokeLine2(whisker, cx, trY(st.p75), cx, trY(st.p90))
	c.StrokeLine2(whisker, cap0, trY(st.p10), cap1, trY(st.p10))
	c.StrokeLine2(whisker, cap0, trY(st.p90), cap1, trY(st.p90))

	rect := []vg.Point{{X: x0, Y: trY(st.p25)}, {X: x1, Y: trY(st.p25)}, {X: x1, Y: trY(st.p75)}, {X: x0, Y: trY(st.p75)}}
	c.FillPolygon(tint(col), rect)
	c.StrokeLines(draw.LineStyle{Color: col, Width: vg.Points(1.2)}, append(rect, rect[0]))
	c.StrokeLine2(draw.LineStyle{Color: dark, Width: vg.Points(2)}, x0, trY(st.p50), x1, trY(st.p50))

	r := vg.Points(4)
	y99 := trY(st.p99)
	diamond := []vg.Point{{X: cx, Y: y99 - r}, {X: cx + r, Y: y99}, {X: cx, Y: y99 + r}, {X: cx - r, Y: y99}}
	c.FillPolygon(col, diamond)
	c.StrokeLines(draw.LineStyle{Color: dark, Width: vg.Points(0.5)}, append(diamond, diamond[0]))
}

// tint mixes col with white, for box fills that keep a dark median visible.
func tint(col color.Color) color.Color {
	r, g, b, _ := col.RGBA()
	mix := func(v uint32) uint8 { return uint8((v>>8)*45/100 + 255*55/100) }
	return color.RGBA{mix(r), mix(g), mix(b), 0xFF}
}

// pointLabels draws text beside data points, offset right and up.
type pointLabels struct {
	xs, ys []float64
	labels []string
}

func (l *pointLabels) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	sty := textStyle(valueSize, false)
	sty.Color = mutedColor
	for i, s := range l.labels {
		c.FillText(sty, vg.Point{X: trX(l.xs[i]) + vg.Points(5), Y: trY(l.ys[i]) + vg.Points(3)}, s)
	}
}

// gridLines returns light grid lines at the major ticks; vertical lines only
// when vertical is set.
func gridLines(vertical bool) *plotter.Grid {
	g := plotter.NewGrid()
	g.Horizontal = draw.LineStyle{Color: gridColor, Width: vg.Points(0.5)}
	g.Vertical = draw.LineStyle{}
	if vertical {
		g.Vertical = g.Horizontal
	}
	return g
}
