package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// document is a report laid out independently of its output format.
type document struct {
	title    string
	sections []section
}

// section is a titled part of the report: paragraphs, then tables, then
// bullet lines.
type section struct {
	title      string
	paragraphs []string
	tables     []table
	bullets    []string
}

// table is a titled table. The first labels columns hold names and are
// left-aligned, as are the columns listed in text; the others hold numbers
// and are right-aligned.
type table struct {
	title   string
	labels  int
	text    []int
	headers []string
	rows    [][]string
}

// leftAligned reports whether column i holds text.
func (t *table) leftAligned(i int) bool {
	if i < t.labels {
		return true
	}
	for _, c := range t.text {
		if c == i {
			return true
		}
	}
	return false
}

// renderMarkdown writes doc as GitHub-flavored Markdown.
func renderMarkdown(w io.Writer, doc document) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n", doc.title)
	for _, s := range doc.sections {
		fmt.Fprintf(&b, "\n## %s\n", s.title)
		for _, p := range s.paragraphs {
			fmt.Fprintf(&b, "\n%s\n", p)
		}
		for _, t := range s.tables {
			if t.title != "" {
				fmt.Fprintf(&b, "\n### %s\n", t.title)
			}
			b.WriteString("\n")
			writeMarkdownRow(&b, t.headers)
			align := make([]string, len(t.headers))
			for i := range align {
				align[i] = "---:"
				if t.leftAligned(i) {
					align[i] = "---"
				}
			}
			b.WriteString("|" + strings.Join(align, "|") + "|\n")
			for _, row := range t.rows {
				writeMarkdownRow(&b, row)
			}
		}
		if len(s.bullets) > 0 {
			b.WriteString("\n")
			for _, line := range s.bullets {
				fmt.Fprintf(&b, "- %s\n", line)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeMarkdownRow(b *strings.Builder, cells []string) {
	escaped := make([]string, len(cells))
	for i, c := range cells {
		escaped[i] = strings.ReplaceAll(c, "|", `\|`)
	}
	b.WriteString("| " + strings.Join(escaped, " | ") + " |\n")
}

// renderText writes doc as plain text with aligned columns, for terminals.
func renderText(w io.Writer, doc document) error {
	var b strings.Builder
	b.WriteString(doc.title + "\n")
	b.WriteString(strings.Repeat("=", utf8.RuneCountInString(doc.title)) + "\n")
	for _, s := range doc.sections {
		fmt.Fprintf(&b, "\n%s\n%s\n", s.title, strings.Repeat("-", utf8.RuneCountInString(s.title)))
		for _, p := range s.paragraphs {
			fmt.Fprintf(&b, "\n%s\n", stripMarkdown(p))
		}
		for _, t := range s.tables {
			if t.title != "" {
				fmt.Fprintf(&b, "\n%s\n", t.title)
			}
			b.WriteString("\n")
			writeTextTable(&b, t)
		}
		if len(s.bullets) > 0 {
			b.WriteString("\n")
			for _, line := range s.bullets {
				fmt.Fprintf(&b, "  %s\n", stripMarkdown(line))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeTextTable(b *strings.Builder, t table) {
	widths := make([]int, len(t.headers))
	for i, h := range t.headers {
		widths[i] = utf8.RuneCountInString(h)
	}
	for _, row := range t.rows {
		for i, c := range row {
			if i < len(widths) {
				widths[i] = max(widths[i], utf8.RuneCountInString(stripMarkdown(c)))
			}
		}
	}
	line := func(cells []string) {
		parts := make([]string, len(widths))
		for i := range widths {
			c := ""
			if i < len(cells) {
				c = stripMarkdown(cells[i])
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if t.leftAligned(i) {
				parts[i] = c + pad
			} else {
				parts[i] = pad + c
			}
		}
		b.WriteString("  " + strings.TrimRight(strings.Join(parts, "  "), " ") + "\n")
	}
	line(t.headers)
	rule := make([]string, len(widths))
	for i, n := range widths {
		rule[i] = strings.Repeat("-", n)
	}
	line(rule)
	for _, row := range t.rows {
		line(row)
	}
}

// stripMarkdown removes the inline Markdown the report uses (backticks and
// bold markers) for the plain text form.
func stripMarkdown(s string) string {
	return strings.NewReplacer("`", "", "**", "").Replace(s)
}
