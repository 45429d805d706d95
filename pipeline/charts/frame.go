package charts

import (
	"bufio"
	"fmt"
	"image/color"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// pngDPI is the resolution of PNG files: 1 point is 1.5 pixels.
const pngDPI = 108

// Layout lengths in points.
const (
	margin       = 12
	minWidth     = 480
	blockGap     = 6
	swatchSize   = 10
	legendGap    = 14
	lineThumbLen = 18
	panelGap     = 16
)

// legendEntry is one framework in a figure's legend.
type legendEntry struct {
	label string
	color color.Color
	// line draws the thumbnail as a line with a dot instead of a square.
	line bool
}

// figure is one chart: a header (title, subtitle, legend), a grid of
// panels, and a footer (notes, caption). The legend sits in the header, so
// it never covers data.
type figure struct {
	// name is the file name without extension; assignNames makes it unique.
	name     string
	title    string
	subtitle string
	legend   []legendEntry
	panels   []*plot.Plot
	// cols is the number of panel columns; panels fill rows left to right.
	cols        int
	panelWidth  vg.Length
	panelHeight vg.Length
	notes       []string
	caption     string
}

// layout holds a figure's measured blocks.
type layout struct {
	width, height vg.Length
	title         []string
	subtitle      []string
	legendRows    [][]legendEntry
	notes         []string
	caption       []string
}

func (f *figure) rows() int {
	cols := max(f.cols, 1)
	return (len(f.panels) + cols - 1) / cols
}

// measure wraps the figure's text to its width and returns its size.
func (f *figure) measure() layout {
	var l layout
	cols := max(f.cols, 1)
	l.width = max(vg.Length(minWidth), vg.Length(cols)*f.panelWidth+2*margin)
	content := l.width - 2*margin

	l.title = wrapWords(textStyle(titleSize, true), f.title, content)
	l.subtitle = wrapWords(textStyle(headerSize, false), f.subtitle, content)
	l.legendRows = flowLegend(f.legend, content)
	for _, n := range f.notes {
		l.notes = append(l.notes, wrapWords(textStyle(noteSize, false), n, content)...)
	}
	l.caption = wrapWords(textStyle(captionSize, false), f.caption, content)

	l.height = 2*margin + l.headerHeight() + blockGap +
		vg.Length(f.rows())*f.panelHeight + blockGap + l.footerHeight()
	return l
}

func lineHeight(size float64) vg.Length {
	return vg.Points(size * 1.3)
}

func (l *layout) headerHeight() vg.Length {
	h := vg.Length(len(l.title)) * lineHeight(titleSize)
	h += vg.Length(len(l.subtitle)) * lineHeight(headerSize)
	if len(l.legendRows) > 0 {
		h += blockGap + vg.Length(len(l.legendRows))*lineHeight(headerSize)
	}
	return h
}

func (l *layout) footerHeight() vg.Length {
	return vg.Length(len(l.notes))*lineHeight(noteSize) + vg.Length(len(l.caption))*lineHeight(captionSize)
}

// flowLegend places legend entries left to right, starting a new row when
// the next entry would pass width.
func flowLegend(entries []legendEntry, width vg.Length) [][]legendEntry {
	sty := textStyle(headerSize, false)
	var rows [][]legendEntry
	var row []legendEntry
	x := vg.Length(0)
	for _, e := range entries {
		w := legendEntryWidth(sty.Width(e.label))
		if len(row) > 0 && x+w > width {
			rows = append(rows, row)
			row, x = nil, 0
		}
		row = append(row, e)
		x += w + legendGap
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return rows
}

func legendEntryWidth(labelWidth vg.Length) vg.Length {
	return lineThumbLen + 4 + labelWidth
}

// draw renders the figure onto c, which must have the size measure returned.
func (f *figure) draw(c draw.Canvas, l layout) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())

	x := c.Min.X + margin
	y := c.Max.Y - margin
	y = drawLines(c, textStyle(titleSize, true), x, y, l.title, lineHeight(titleSize))
	sub := textStyle(headerSize, false)
	sub.Color = mutedColor
	y = drawLines(c, sub, x, y, l.subtitle, lineHeight(headerSize))
	if len(l.legendRows) > 0 {
		y -= blockGap
		for _, row := range l.legendRows {
			y -= lineHeight(headerSize)
			drawLegendRow(c, x, y, row)
		}
	}
	y -= blockGap

	f.drawPanels(c, x, y)

	y = c.Min.Y + margin + l.footerHeight()
	note := textStyle(noteSize, false)
	y = drawLines(c, note, x, y, l.notes, lineHeight(noteSize))
	caption := textStyle(captionSize, false)
	caption.Color = mutedColor
	drawLines(c, caption, x, y, l.caption, lineHeight(captionSize))
}

// drawPanels draws the panels in a grid below top, aligning the axes of
// panels in the same row or column.
func (f *figure) drawPanels(c draw.Canvas, left, top vg.Length) {
	cols, rows := max(f.cols, 1), f.rows()
	grid := make([][]*plot.Plot, rows)
	for r := range grid {
		grid[r] = make([]*plot.Plot, cols)
	}
	for i, p := range f.panels {
		grid[i/cols][i%cols] = p
	}

	area := draw.Canvas{
		Canvas: c.Canvas,
		Rectangle: vg.Rectangle{
			Min: vg.Point{X: left, Y: top - vg.Length(rows)*f.panelHeight},
			Max: vg.Point{X: left + vg.Length(cols)*f.panelWidth, Y: top},
		},
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: panelGap, PadY: panelGap, PadRight: vg.Points(8)}
	canvases := plot.Align(grid, tiles, area)
	for r, row := range grid {
		for col, p := range row {
			if p != nil {
				p.Draw(canvases[r][col])
			}
		}
	}
}

// drawLines draws lines top-down from y, the top of the first line, and
// returns the bottom of the last.
func drawLines(c draw.Canvas, sty draw.TextStyle, x, y vg.Length, lines []string, height vg.Length) vg.Length {
	descent := sty.FontExtents().Descent
	for _, line := range lines {
		y -= height
		c.FillText(sty, vg.Point{X: x, Y: y + descent}, line)
	}
	return y
}

func drawLegendRow(c draw.Canvas, x, y vg.Length, row []legendEntry) {
	sty := textStyle(headerSize, false)
	descent := sty.FontExtents().Descent
	mid := y + descent + sty.FontExtents().Ascent/2 - vg.Points(1)
	for _, e := range row {
		if e.line {
			c.StrokeLine2(draw.LineStyle{Color: e.color, Width: vg.Points(2)}, x, mid, x+lineThumbLen, mid)
			c.DrawGlyph(draw.GlyphStyle{Color: e.color, Radius: vg.Points(3), Shape: draw.CircleGlyph{}},
				vg.Point{X: x + lineThumbLen/2, Y: mid})
		} else {
			sq := vg.Rectangle{
				Min: vg.Point{X: x + (lineThumbLen-swatchSize)/2, Y: mid - swatchSize/2},
				Max: vg.Point{X: x + (lineThumbLen+swatchSize)/2, Y: mid + swatchSize/2},
			}
			c.SetColor(e.color)
			c.Fill(sq.Path())
		}
		c.FillText(sty, vg.Point{X: x + lineThumbLen + 4, Y: y + descent}, e.label)
		x += legendEntryWidth(sty.Width(e.label)) + legendGap
	}
}

// render draws the figure on a fresh canvas of format "png" or "svg".
func (f *figure) render(format string) (canvas vg.CanvasWriterTo, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("drawing chart %s: %v", f.name, r)
		}
	}()

	l := f.measure()
	switch format {
	case "svg":
		canvas = vgsvg.New(l.width, l.height)
	case "png":
		canvas = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(l.width, l.height), vgimg.UseDPI(pngDPI))}
	default:
		return nil, fmt.Errorf("drawing chart %s: unknown format %q; use png or svg", f.name, format)
	}
	f.draw(draw.New(canvas), l)
	return canvas, nil
}

// writeFigure renders fig in format to path.
func writeFigure(path string, fig *figure, format string) error {
	canvas, err := fig.render(format)
	if err != nil {
		return err
	}

	file, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("writing chart: %w", err)
	}
	w := bufio.NewWriter(file)
	if _, err := canvas.WriteTo(w); err != nil {
		file.Close()
		return fmt.Errorf("writing chart %s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		file.Close()
		return fmt.Errorf("writing chart %s: %w", path, err)
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("writing chart %s: %w", path, err)
	}
	return nil
}

// assignNames makes figure names unique by appending -2, -3, ... to repeats.
func assignNames(figures []*figure) error {
	seen := map[string]int{}
	for _, f := range figures {
		if f.name == "" {
			return fmt.Errorf("chart %q has no file name", f.title)
		}
		seen[f.name]++
		if n := seen[f.name]; n > 1 {
			f.name = fmt.Sprintf("%s-%d", f.name, n)
		}
	}
	return nil
}

// newPanel returns a plot with the package's fonts and a light grid, for
// one panel of a figure.
func newPanel(xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.BackgroundColor = nil

	p.Title.TextStyle = textStyle(axisSize, true)
	p.Title.TextStyle.XAlign = draw.XCenter
	p.Title.TextStyle.YAlign = draw.YTop
	p.Title.Padding = vg.Points(6)

	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle = textStyle(axisSize, false)
		a.Label.TextStyle.XAlign = draw.XCenter
		a.Label.Padding = vg.Points(4)
		a.Tick.Label.Font = textStyle(tickSize, false).Font
		a.Tick.Label.Color = textColor
		a.Tick.Length = vg.Points(4)
		a.Padding = vg.Points(2)
	}
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Y.Tick.Marker = niceTicks{}
	p.X.Tick.Marker = niceTicks{}
	return p
}
