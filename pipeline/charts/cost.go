package charts

import (
	"cmp"
	"fmt"
	"image/color"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Cost chart geometry in points.
const (
	costRowHeight  = 20
	costLabelWidth = 250
	costBarsWidth  = 330
)

// costRow is one cell's bar in the cost chart.
type costRow struct {
	key   cellKey
	cost  float64
	ok    bool
	label string
}

// costFigure draws the price of 1M output tokens per cell, cheapest first.
// It returns nil when the run has no price.
func costFigure(run *runData) *figure {
	price := run.info.PricePerHourUSD
	if price == 0 {
		return nil
	}

	var rows []costRow
	for _, wl := range run.workloads {
		for _, m := range run.models {
			for _, f := range run.frameworks {
				s := run.summary(f, m, wl)
				if s == nil {
					continue
				}
				row := costRow{key: cellKey{f, m, wl}, label: failureLabel(s)}
				switch {
				case row.label != "":
				case s.CostPer1MOutputTokensUSD != nil:
					row.cost, row.ok = *s.CostPer1MOutputTokensUSD, true
				case s.OutputTokenThroughput != nil && *s.OutputTokenThroughput > 0:
					row.cost, row.ok = price/(*s.OutputTokenThroughput*3600)*1e6, true
				default:
					row.label = "no output tokens"
				}
				rows = append(rows, row)
			}
		}
	}
	// Cells without a cost go last; the sort is stable, so ties keep the
	// workload, model, framework order.
	slices.SortStableFunc(rows, func(a, b costRow) int {
		switch {
		case a.ok && b.ok:
			return cmp.Compare(a.cost, b.cost)
		case a.ok:
			return -1
		case b.ok:
			return 1
		}
		return 0
	})

	p := newPanel("US dollars per 1M output tokens", "")
	p.Add(gridLines(true))
	labelStyle := p.Y.Tick.Label
	ticks := make([]plot.Tick, len(rows))
	bars := &hbars{}
	top := 0.0
	for i, r := range rows {
		y := float64(len(rows) - 1 - i)
		name := fmt.Sprintf("%s · %s · %s", r.key.framework, run.displayModel(r.key.model), r.key.workload)
		ticks[i] = plot.Tick{Value: y, Label: shortenMiddle(labelStyle, name, costLabelWidth)}
		bar := hbar{y: y, value: r.cost, ok: r.ok, color: run.colorOf(r.key.framework), label: r.label}
		if r.ok {
			bar.label = fmt.Sprintf("$%s", formatValue(r.cost))
			top = max(top, r.cost)
		}
		bars.bars = append(bars.bars, bar)
	}
	p.Add(bars)
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Length = 0
	p.Y.Min, p.Y.Max = -0.6, float64(len(rows))-0.4
	p.X.Min, p.X.Max = 0, max(top*1.2, 0.01)

	hw := run.info.InstanceType
	if hw == "" {
		hw = "the benchmark hardware"
	}
	return &figure{
		name:     "cost",
		title:    "Cost per 1M output tokens by cell, cheapest first",
		subtitle: fmt.Sprintf("%s at $%.3f per hour; cost = price per hour ÷ output tokens per hour × 1,000,000. Lower is better.", hw, price),
		legend:   run.legendFor(run.frameworks, false),
		panels:   []*plot.Plot{p},
		cols:     1,
		notes: []string{
			"Cells are framework · model · workload. Failed requests produce no tokens but take server time, so failures raise the cost.",
		},
		panelWidth:  costLabelWidth + costBarsWidth,
		panelHeight: vg.Length(len(rows))*costRowHeight + 60,
		caption:     run.caption(),
	}
}

// hbar is one horizontal bar.
type hbar struct {
	y, value float64
	ok       bool
	color    color.Color
	// label is drawn after the bar's end, or at the axis when !ok.
	label string
}

// hbars draws horizontal bars from x = 0.
type hbars struct {
	bars []hbar
}

func (h *hbars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	half := vg.Points(costRowHeight * 0.35)
	sty := textStyle(valueSize, false)
	sty.YAlign = draw.YCenter
	outline := draw.LineStyle{Color: color.RGBA{0x33, 0x33, 0x33, 0xFF}, Width: vg.Points(0.5)}

	for _, b := range h.bars {
		y := trY(b.y)
		x0 := trX(0)
		if !b.ok {
			muted := sty
			muted.Color = mutedColor
			c.FillText(muted, vg.Point{X: x0 + vg.Points(3), Y: y}, b.label)
			continue
		}
		x1 := trX(b.value)
		rect := []vg.Point{{X: x0, Y: y - half}, {X: x1, Y: y - half}, {X: x1, Y: y + half}, {X: x0, Y: y + half}}
		c.FillPolygon(b.color, rect)
		c.StrokeLines(outline, append(rect, rect[0]))
		c.FillText(sty, vg.Point{X: x1 + vg.Points(3), Y: y}, b.label)
	}
}
