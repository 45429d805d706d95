package ghcomment

import (
	"fmt"
	"strings"
	"testing"
)

func TestRenderNoticeGolden(t *testing.T) {
	got := RenderNotice(Notice{
		MatrixID: "plan",
		Title:    "Fork pull request rejected",
		Message:  "Pull request #7 comes from a fork (mallory/serving).\n" + injection + "\n\n[link](https://evil.example) `code`",
		Hints:    []string{"Set `allow-fork-pull-requests: true` only on an ephemeral runner.", "See the docs."},
	})
	checkGolden(t, "summary_notice.md", got)
}

func TestRenderNoticeEscapesMessage(t *testing.T) {
	got := RenderNotice(Notice{Title: "Invalid input <b>", Message: injection + "\n[link](https://evil.example)"})
	for _, raw := range []string{"<img", "</details>", "<b>", "@org", "[link](", "https://evil"} {
		if strings.Contains(got, raw) {
			t.Errorf("notice contains unescaped %q:\n%s", raw, got)
		}
	}
	if strings.Contains(got, "How to proceed") {
		t.Errorf("notice without hints has a hints section:\n%s", got)
	}
	if !strings.HasPrefix(got, "## LLM serving benchmark\n\n") {
		t.Errorf("notice without a matrix has heading %q", strings.SplitN(got, "\n", 2)[0])
	}
}

func TestRenderNoticeCutsLongMessage(t *testing.T) {
	var lines []string
	for i := range maxNoticeLines + 5 {
		lines = append(lines, fmt.Sprintf("input %d: invalid", i))
	}
	got := RenderNotice(Notice{Title: "Invalid input", Message: strings.Join(lines, "\n")})
	if !strings.Contains(got, fmt.Sprintf("- input %d: invalid\n", maxNoticeLines-1)) {
		t.Errorf("notice lacks the last shown line:\n%s", got)
	}
	if strings.Contains(got, fmt.Sprintf("input %d:", maxNoticeLines)) {
		t.Errorf("notice shows more than %d lines:\n%s", maxNoticeLines, got)
	}
	if !strings.Contains(got, "- 5 more lines are in the job log.\n") {
		t.Errorf("notice does not count the lines left out:\n%s", got)
	}
}
