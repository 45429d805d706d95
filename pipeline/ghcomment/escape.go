package ghcomment

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxTextRunes is the default length, in runes, of untrusted text in a table
// cell or a heading; longer text is cut with an ellipsis.
const maxTextRunes = 120

// maxMessageRunes is the length, in runes, of an error message or warning.
const maxMessageRunes = 500

// zeroWidthSpace is inserted after "@" and inside "://" so that GitHub neither
// mentions a user or team nor turns text into a link. It is written as an
// entity so the golden files show it.
const zeroWidthSpace = "&#8203;"

// markdownEntities replaces every character that Markdown or HTML gives a
// meaning with its numeric or named entity. Entities are plain text both in
// Markdown (tables, emphasis, links) and inside HTML blocks such as
// <summary>, where backslash escapes do not apply.
var markdownEntities = strings.NewReplacer(
	"&", "&amp;",
	"<", "&lt;",
	">", "&gt;",
	`"`, "&quot;",
	"'", "&#39;",
	"|", "&#124;",
	"`", "&#96;",
	"[", "&#91;",
	"]", "&#93;",
	"(", "&#40;",
	")", "&#41;",
	`\`, "&#92;",
	"*", "&#42;",
	"_", "&#95;",
	"~", "&#126;",
	"!", "&#33;",
	"$", "&#36;",
	"@", "@"+zeroWidthSpace,
	"://", ":"+zeroWidthSpace+"//",
)

// escapeText makes untrusted text safe to place anywhere in the comment except
// code spans and fenced blocks: control characters and line breaks become
// spaces, text longer than maxRunes is cut, and Markdown and HTML syntax is
// replaced with entities.
func escapeText(s string, maxRunes int) string {
	s = flattenText(s)
	s = truncateRunes(s, maxRunes)
	return markdownEntities.Replace(s)
}

// flattenText replaces line breaks, tabs and other control or format
// characters (including bidirectional overrides) with spaces, fixes invalid
// UTF-8 and trims the result.
func flattenText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			b.WriteByte(' ')
			continue
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

// truncateRunes cuts s to at most maxRunes runes, ending with "…" when cut.
func truncateRunes(s string, maxRunes int) string {
	if maxRunes <= 0 || utf8.RuneCountInString(s) <= maxRunes {
		return s
	}
	runes := []rune(s)
	return string(runes[:maxRunes-1]) + "…"
}

// mermaidLabel makes untrusted text safe inside a double-quoted Mermaid
// xychart label. It keeps ASCII letters, digits, spaces and ._/+:- only, and
// anything else (quotes, brackets, commas, semicolons, %, #, backticks, line
// breaks) becomes "_".
func mermaidLabel(s string) string {
	s = truncateRunes(flattenText(s), 40)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
		case strings.ContainsRune(" ._/+:-", r):
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return strings.TrimSpace(b.String())
}

// MarkerID reduces a matrix name to the characters allowed in the hidden
// marker: ASCII letters, digits and ._/- (anything else becomes "-"). An empty
// name gives "default".
func MarkerID(matrix string) string {
	var b strings.Builder
	for _, r := range truncateRunes(strings.TrimSpace(matrix), 100) {
		switch {
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
		case strings.ContainsRune("._/-", r):
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "default"
	}
	return b.String()
}

// Marker returns the hidden HTML comment that identifies the sticky comment
// of a matrix.
func Marker(matrixID string) string {
	return "<!-- llmbench:comment matrix=" + MarkerID(matrixID) + " -->"
}

// safeURL returns u ready for a Markdown link destination, or "" when u is not
// an absolute http or https URL. Characters that could end the destination or
// the link text are percent-encoded.
func safeURL(u string) string {
	u = strings.TrimSpace(u)
	if u == "" {
		return ""
	}
	parsed, err := url.Parse(u)
	if err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "" {
		return ""
	}
	return urlEscaper.Replace(parsed.String())
}

var urlEscaper = strings.NewReplacer(
	"(", "%28", ")", "%29", "<", "%3C", ">", "%3E", `"`, "%22", "'", "%27",
	" ", "%20", "[", "%5B", "]", "%5D", "`", "%60", "|", "%7C", `\`, "%5C",
)

// isHex reports whether s is a non-empty string of hexadecimal digits, as a
// git commit is.
func isHex(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}
