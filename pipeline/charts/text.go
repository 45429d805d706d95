package charts

import (
	"fmt"
	"hash/fnv"
	"image/color"
	"math"
	"strings"
	"unicode/utf8"

	stdfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Font sizes in points.
const (
	titleSize   = 13
	headerSize  = 10
	axisSize    = 10
	tickSize    = 9
	noteSize    = 9
	captionSize = 8
	valueSize   = 8
)

var (
	textColor  = color.RGBA{0x22, 0x22, 0x22, 0xFF}
	mutedColor = color.RGBA{0x55, 0x55, 0x55, 0xFF}
	gridColor  = color.RGBA{0xDD, 0xDD, 0xDD, 0xFF}
)

// textStyle returns a Liberation Sans style of size points, aligned left
// and at the bottom.
func textStyle(size float64, bold bool) text.Style {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: vg.Points(size)}
	if bold {
		f.Weight = stdfont.WeightBold
	}
	return text.Style{
		Color:   textColor,
		Font:    f,
		XAlign:  draw.XLeft,
		YAlign:  draw.YBottom,
		Handler: plot.DefaultTextHandler,
	}
}

// textWidth returns the width of the widest line of s.
func textWidth(sty text.Style, s string) vg.Length {
	return sty.Width(s)
}

// ellipsis replaces the middle of a shortened label.
const ellipsis = "…"

// shortenMiddle returns s, or s with its middle replaced by an ellipsis so
// that it fits in maxWidth. It keeps as many runes as fit, one more at the
// start than at the end when the count is odd.
func shortenMiddle(sty text.Style, s string, maxWidth vg.Length) string {
	if textWidth(sty, s) <= maxWidth {
		return s
	}
	runes := []rune(s)

	best := ellipsis
	lo, hi := 0, len(runes)-1
	for lo <= hi {
		keep := (lo + hi) / 2
		head := (keep + 1) / 2
		tail := keep - head
		candidate := string(runes[:head]) + ellipsis + string(runes[len(runes)-tail:])
		if textWidth(sty, candidate) <= maxWidth {
			best = candidate
			lo = keep + 1
		} else {
			hi = keep - 1
		}
	}
	return best
}

// wrapLabel breaks s into at most maxLines lines no wider than maxWidth,
// breaking after '/', '-', '_', '.', ':' or a space. Text that still does not
// fit is shortened in the middle of the last line, so a label keeps its
// start and its distinguishing end. The result joins the lines with "\n".
func wrapLabel(sty text.Style, s string, maxWidth vg.Length, maxLines int) string {
	if textWidth(sty, s) <= maxWidth || maxLines <= 1 {
		return shortenMiddle(sty, s, maxWidth)
	}

	var lines []string
	line := ""
	for _, tok := range breakTokens(s) {
		switch {
		case line == "":
			line = tok
		case textWidth(sty, line+tok) <= maxWidth:
			line += tok
		default:
			lines = append(lines, strings.TrimRight(line, " "))
			line = tok
		}
	}
	lines = append(lines, strings.TrimRight(line, " "))

	if len(lines) > maxLines {
		rest := strings.Join(lines[maxLines-1:], "")
		lines = append(lines[:maxLines-1], rest)
	}
	for i, l := range lines {
		lines[i] = shortenMiddle(sty, l, maxWidth)
	}
	return strings.Join(lines, "\n")
}

// breakTokens splits s after each break character.
func breakTokens(s string) []string {
	var tokens []string
	start := 0
	for i, r := range s {
		if strings.ContainsRune("/-_.: ", r) {
			end := i + utf8.RuneLen(r)
			tokens = append(tokens, s[start:end])
			start = end
		}
	}
	if start < len(s) {
		tokens = append(tokens, s[start:])
	}
	return tokens
}

// wrapWords breaks a sentence into lines no wider than maxWidth at spaces;
// a word wider than maxWidth is shortened in the middle.
func wrapWords(sty text.Style, s string, maxWidth vg.Length) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case textWidth(sty, line+" "+word) <= maxWidth:
			line += " " + word
		default:
			lines = append(lines, shortenMiddle(sty, line, maxWidth))
			line = word
		}
	}
	if line != "" {
		lines = append(lines, shortenMiddle(sty, line, maxWidth))
	}
	return lines
}

// formatValue formats v with three significant digits and a k or M suffix
// above 10⁴, e.g. 0.523, 12.3, 1843, 18.4k.
func formatValue(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e7:
		return trimZeros(fmt.Sprintf("%.3g", v/1e6)) + "M"
	case a >= 1e4:
		return trimZeros(fmt.Sprintf("%.3g", v/1e3)) + "k"
	case a >= 1000:
		return fmt.Sprintf("%.0f", v)
	case a == 0:
		return "0"
	}
	return trimZeros(fmt.Sprintf("%.3g", v))
}

func trimZeros(s string) string {
	if strings.ContainsAny(s, "e") || !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// formatParams formats a parameter count: 125M, 1.5B, 70B.
func formatParams(p float64) string {
	switch {
	case p >= 1e12:
		return trimZeros(fmt.Sprintf("%.3g", p/1e12)) + "T"
	case p >= 1e9:
		return trimZeros(fmt.Sprintf("%.3g", p/1e9)) + "B"
	case p >= 1e6:
		return trimZeros(fmt.Sprintf("%.3g", p/1e6)) + "M"
	case p >= 1e3:
		return trimZeros(fmt.Sprintf("%.3g", p/1e3)) + "k"
	}
	return trimZeros(fmt.Sprintf("%.3g", p))
}

// maxSlugLen is the longest slug part kept before a hash is appended.
const maxSlugLen = 48

// slug turns a name into a file-name part of lowercase letters, digits and
// single dashes. Long names are cut and get a hash of the full name, so two
// long names sharing a prefix still differ.
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimSuffix(b.String(), "-")
	if s == "" {
		return "x" + shortHash(name)
	}
	if len(s) > maxSlugLen {
		s = strings.TrimSuffix(s[:maxSlugLen], "-") + "-" + shortHash(name)
	}
	return s
}

// shortHash returns 8 hex digits of the FNV-1a hash of s.
func shortHash(s string) string {
	h := fnv.New32a()
	h.Write([]byte(s))
	return fmt.Sprintf("%08x", h.Sum32())
}

// shortModel returns a model id without its organisation prefix, e.g.
// "opt-125m" for "facebook/opt-125m".
func shortModel(model string) string {
	if i := strings.LastIndex(model, "/"); i >= 0 && i < len(model)-1 {
		return model[i+1:]
	}
	return model
}
