package ghcomment

import (
	"fmt"
	"strings"
)

// maxNoticeLines is the number of message lines a notice shows; the rest are
// counted.
const maxNoticeLines = 20

// Notice is a run that stopped before it had results, such as a rejected
// pull request or an invalid input, as the step summary shows it.
type Notice struct {
	// MatrixID names the matrix, as in Report; "default" or empty adds
	// nothing to the heading.
	MatrixID string
	// Title names the cause of the stop, e.g. "Fork pull request rejected".
	Title string
	// Message is the error text, one item per line. It is untrusted and
	// escaped like every other text of a report.
	Message string
	// Hints are the next steps, one list item each, in Markdown written by
	// the caller. They are trusted and not escaped.
	Hints []string
}

// RenderNotice renders the step summary of a run that stopped before it had
// results: a heading, a caution with the title, the message and the hints.
func RenderNotice(n Notice) string {
	var b strings.Builder
	title := "## LLM serving benchmark"
	if id := MarkerID(n.MatrixID); n.MatrixID != "" && id != "default" {
		title += ": matrix `" + id + "`"
	}
	b.WriteString(title + "\n\n")
	b.WriteString("> [!CAUTION]\n> " + escapeText(n.Title, maxTextRunes) + "\n\n")

	var lines []string
	for _, line := range strings.Split(n.Message, "\n") {
		if line = escapeText(line, maxMessageRunes); line != "" {
			lines = append(lines, line)
		}
	}
	for i, line := range lines {
		if i == maxNoticeLines {
			fmt.Fprintf(&b, "- %d more lines are in the job log.\n", len(lines)-maxNoticeLines)
			break
		}
		b.WriteString("- " + line + "\n")
	}
	if len(lines) > 0 {
		b.WriteString("\n")
	}

	if len(n.Hints) > 0 {
		b.WriteString("How to proceed:\n\n")
		for _, hint := range n.Hints {
			b.WriteString("- " + hint + "\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}
