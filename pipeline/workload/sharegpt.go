package workload

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// shareGPTEntry is one conversation of a ShareGPT-format file.
type shareGPTEntry struct {
	ID            any `json:"id"`
	Conversations []struct {
		From  string `json:"from"`
		Value string `json:"value"`
	} `json:"conversations"`
}

// conversation is a usable ShareGPT conversation: its first human turn and
// the estimated length of the reply that follows it (0 when none does).
type conversation struct {
	prompt      string
	replyTokens int
}

// loadShareGPT reads a ShareGPT-format file. The first human turn ("from":
// "human" or "user") of each conversation is the prompt, and the next turn
// from the model ("gpt", "assistant", "chatgpt" or "bard") gives the output
// length. Conversations without a non-empty human turn are skipped; a file
// with none usable is an error.
// NOTE: the whole file is read into memory. That suits curated sets of a few
// MB, but the full ShareGPT dump (about 650 MB) needs a few GB.
func loadShareGPT(path string) ([]conversation, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading ShareGPT file: %w", err)
	}
	var entries []shareGPTEntry
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("reading ShareGPT file %s: expected a JSON array of {\"id\", \"conversations\": [{\"from\", \"value\"}]} objects: %w", path, err)
	}

	var out []conversation
	for _, e := range entries {
		c, ok := firstExchange(e)
		if ok {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("reading ShareGPT file %s: %w", path, errNoConversation(len(entries)))
	}
	return out, nil
}

func firstExchange(e shareGPTEntry) (conversation, bool) {
	for i, turn := range e.Conversations {
		if !isHuman(turn.From) || strings.TrimSpace(turn.Value) == "" {
			continue
		}
		c := conversation{prompt: turn.Value}
		if i+1 < len(e.Conversations) && !isHuman(e.Conversations[i+1].From) {
			c.replyTokens = max(EstimateTokens(e.Conversations[i+1].Value), 1)
		}
		return c, true
	}
	return conversation{}, false
}

func isHuman(from string) bool {
	return strings.EqualFold(from, "human") || strings.EqualFold(from, "user")
}

func errNoConversation(entries int) error {
	return fmt.Errorf("none of its %d conversations has a human turn (\"from\": \"human\") to use as a prompt", entries)
}

// withReplies keeps the conversations whose reply length is known.
func withReplies(conversations []conversation) []conversation {
	var out []conversation
	for _, c := range conversations {
		if c.replyTokens > 0 {
			out = append(out, c)
		}
	}
	return out
}
