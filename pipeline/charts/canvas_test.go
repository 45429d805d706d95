package charts

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"testing"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// affine is a 2-D affine transform: x' = a·x + c·y + e, y' = b·x + d·y + f.
type affine struct{ a, b, c, d, e, f float64 }

func (m affine) apply(x, y float64) (float64, float64) {
	return m.a*x + m.c*y + m.e, m.b*x + m.d*y + m.f
}

func (m affine) then(n affine) affine {
	// Applies n first, then m.
	return affine{
		a: m.a*n.a + m.c*n.b, b: m.b*n.a + m.d*n.b,
		c: m.a*n.c + m.c*n.d, d: m.b*n.c + m.d*n.d,
		e: m.a*n.e + m.c*n.f + m.e, f: m.b*n.e + m.d*n.f + m.f,
	}
}

// box is an axis-aligned rectangle on the page, in points.
type box struct{ x0, y0, x1, y1 float64 }

func (b box) overlaps(o box, tolerance float64) bool {
	return b.x0+tolerance < o.x1 && o.x0+tolerance < b.x1 && b.y0+tolerance < o.y1 && o.y0+tolerance < b.y1
}

// drawnText is one string drawn on the page with its bounding box.
type drawnText struct {
	text string
	box  box
}

// drawnFill is one filled path with its colour and bounding box.
type drawnFill struct {
	color color.Color
	box   box
}

// traceCanvas is a vg.Canvas that records where text and fills land on the
// page, following the transforms gonum applies for rotated text.
type traceCanvas struct {
	w, h  vg.Length
	stack []affine
	color color.Color
	texts []drawnText
	fills []drawnFill
}

func newTraceCanvas(w, h vg.Length) *traceCanvas {
	return &traceCanvas{w: w, h: h, stack: []affine{{a: 1, d: 1}}}
}

func (c *traceCanvas) top() *affine { return &c.stack[len(c.stack)-1] }

func (c *traceCanvas) Size() (vg.Length, vg.Length)        { return c.w, c.h }
func (c *traceCanvas) SetLineWidth(vg.Length)              {}
func (c *traceCanvas) SetLineDash([]vg.Length, vg.Length)  {}
func (c *traceCanvas) SetColor(col color.Color)            { c.color = col }
func (c *traceCanvas) Stroke(vg.Path)                      {}
func (c *traceCanvas) DrawImage(vg.Rectangle, image.Image) {}
func (c *traceCanvas) Push()                               { c.stack = append(c.stack, *c.top()) }
func (c *traceCanvas) Pop()                                { c.stack = c.stack[:len(c.stack)-1] }

func (c *traceCanvas) Rotate(rad float64) {
	sin, cos := math.Sincos(rad)
	*c.top() = c.top().then(affine{a: cos, b: sin, c: -sin, d: cos})
}

func (c *traceCanvas) Translate(pt vg.Point) {
	*c.top() = c.top().then(affine{a: 1, d: 1, e: pt.X.Points(), f: pt.Y.Points()})
}

func (c *traceCanvas) Scale(x, y float64) {
	*c.top() = c.top().then(affine{a: x, d: y})
}

func (c *traceCanvas) bounds(points [][2]float64) box {
	b := box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, p := range points {
		x, y := c.top().apply(p[0], p[1])
		b.x0, b.y0 = min(b.x0, x), min(b.y0, y)
		b.x1, b.y1 = max(b.x1, x), max(b.y1, y)
	}
	return b
}

func (c *traceCanvas) Fill(path vg.Path) {
	var points [][2]float64
	for _, comp := range path {
		if comp.Type == vg.MoveComp || comp.Type == vg.LineComp {
			points = append(points, [2]float64{comp.Pos.X.Points(), comp.Pos.Y.Points()})
		}
	}
	if len(points) > 0 {
		c.fills = append(c.fills, drawnFill{color: c.color, box: c.bounds(points)})
	}
}

func (c *traceCanvas) FillString(f font.Face, pt vg.Point, s string) {
	// The box spans descenders to cap height, so the lines of a wrapped
	// label, spaced by the font size, do not count as overlapping.
	size := f.Font.Size.Points()
	x0, y0 := pt.X.Points(), pt.Y.Points()-0.2*size
	x1, y1 := pt.X.Points()+f.Width(s).Points(), pt.Y.Points()+0.75*size
	c.texts = append(c.texts, drawnText{text: s, box: c.bounds([][2]float64{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}})})
}

// trace renders fig onto a traceCanvas.
func trace(t *testing.T, fig *figure) *traceCanvas {
	t.Helper()
	l := fig.measure()
	c := newTraceCanvas(l.width, l.height)
	fig.draw(draw.New(c), l)
	return c
}

// checkTextLayout fails the test when two strings of fig overlap or a
// string leaves the page.
func checkTextLayout(t *testing.T, fig *figure) {
	t.Helper()
	for _, p := range textProblems(t, fig) {
		t.Error(p)
	}
}

// textProblems lists the strings of fig that overlap or leave the page.
func textProblems(t *testing.T, fig *figure) []string {
	t.Helper()
	c := trace(t, fig)
	w, h := c.w.Points(), c.h.Points()
	var problems []string
	for i, a := range c.texts {
		if a.box.x0 < -0.5 || a.box.y0 < -0.5 || a.box.x1 > w+0.5 || a.box.y1 > h+0.5 {
			problems = append(problems, fmt.Sprintf("%s: text %q at %v leaves the %.0f×%.0f page", fig.name, a.text, fmtBox(a.box), w, h))
		}
		for _, b := range c.texts[i+1:] {
			if a.box.overlaps(b.box, 0.5) {
				problems = append(problems, fmt.Sprintf("%s: text %q at %v overlaps %q at %v", fig.name, a.text, fmtBox(a.box), b.text, fmtBox(b.box)))
			}
		}
	}
	return problems
}

func fmtBox(b box) string {
	return fmt.Sprintf("(%.1f,%.1f)-(%.1f,%.1f)", b.x0, b.y0, b.x1, b.y1)
}
