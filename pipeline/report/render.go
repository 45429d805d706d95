package report

import (
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// document is a report laid out independently of its output format.
type document struct {
	title    string
	sections []section
}

// section is a titled part of the report: paragraphs, then tables, then
// bullet lines, then images.
type section struct {
	title      string
	paragraphs []string
	tables     []table
	bullets    []string
	images     []image
}

// image is a chart file the report links by its path relative to report.md.
// Markdown shows a picture inline and links any other file; plain text
// lists the path.
type image struct {
	name string
	path string
}

// table is a titled table. The first labels columns contain names and are
// left-aligned, as are the columns listed in text; the others contain
// numbers and are right-aligned. A table without headers prints only its
// title and legend.
type table struct {
	title   string
	labels  int
	text    []int
	headers []string
	rows    [][]string
	// legend holds lines printed under the table that explain its symbols.
	legend []string
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
			if len(t.headers) > 0 {
				b.WriteString("\n")
				writeMarkdownTable(&b, t)
			}
			for _, line := range t.legend {
				fmt.Fprintf(&b, "\n%s\n", line)
			}
		}
		if len(s.bullets) > 0 {
			b.WriteString("\n")
			for _, line := range s.bullets {
				fmt.Fprintf(&b, "- %s\n", line)
			}
		}
		for _, img := range s.images {
			mark := "!"
			if !isPicture(img.path) {
				mark = ""
			}
			fmt.Fprintf(&b, "\n%s[%s](%s)\n", mark, markdownText(img.name), markdownPath(img.path))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeMarkdownTable(b *strings.Builder, t table) {
	writeMarkdownRow(b, t.headers)
	align := make([]string, len(t.headers))
	for i := range align {
		align[i] = "---:"
		if t.leftAligned(i) {
			align[i] = "---"
		}
	}
	b.WriteString("|" + strings.Join(align, "|") + "|\n")
	for _, row := range t.rows {
		writeMarkdownRow(b, row)
	}
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
			if len(t.headers) > 0 {
				b.WriteString("\n")
				writeTextTable(&b, t)
			}
			for _, line := range t.legend {
				fmt.Fprintf(&b, "\n%s\n", stripMarkdown(line))
			}
		}
		if len(s.bullets) > 0 {
			b.WriteString("\n")
			for _, line := range s.bullets {
				fmt.Fprintf(&b, "  %s\n", stripMarkdown(line))
			}
		}
		if len(s.images) > 0 {
			b.WriteString("\n")
			for _, img := range s.images {
				fmt.Fprintf(&b, "  %s: %s\n", img.name, img.path)
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

// isPicture reports whether Markdown viewers show the file as an image.
func isPicture(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png", ".svg", ".jpg", ".jpeg", ".gif", ".webp":
		return true
	}
	return false
}

// markdownText escapes the characters that would end or format the text of
// a Markdown link.
func markdownText(s string) string {
	return strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`, "*", `\*`, "_", `\_`, "`", "\\`").Replace(s)
}

// markdownPath turns a relative file path into a Markdown link target:
// forward slashes, and percent-encoding for spaces, parentheses and other
// characters that would end the target.
func markdownPath(path string) string {
	return (&url.URL{Path: filepath.ToSlash(path)}).EscapedPath()
}

// stripMarkdown removes the inline Markdown the report uses (backticks and
// bold markers) for the plain text form.
func stripMarkdown(s string) string {
	return strings.NewReplacer("`", "", "**", "").Replace(s)
}
