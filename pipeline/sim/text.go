package sim

import (
	"encoding/binary"
	"hash/fnv"
	"math/rand/v2"
	"strings"
)

// Chat template overhead, in tokens, added to the content of a chat request:
// role markers around each message and the opening of the assistant turn.
const (
	chatTokensPerMessage = 5
	chatTokensAssistant  = 3
)

// countTextTokens returns the simulated token count of a text:
// ceil(len(word)/4) tokens for each whitespace-separated word.
func countTextTokens(text string) int {
	n := 0
	for _, word := range strings.Fields(text) {
		n += (len(word) + 3) / 4
	}
	return n
}

// countChatTokens returns the simulated prompt length of chat messages,
// template tokens included.
func countChatTokens(contents []string) int {
	n := chatTokensAssistant
	for _, c := range contents {
		n += chatTokensPerMessage + countTextTokens(c)
	}
	return n
}

// words are the pseudo-words of generated text, one per token.
var words = strings.Fields(`
	the of and to in is was for on that with as by at from it an be this which
	or are not have has but were had their one all its can new more also other
	time into first two may only some would over such most these after used than
	made between many where each state system model data light river stone cloud
	garden signal paper window number market bridge engine forest silver summer
	winter moment simple quiet rapid green north open bright steady careful early
	`)

// textSource generates a request's output: its length and its words. The
// same seed and prompt give the same output.
type textSource struct {
	rng *rand.Rand
}

// newTextSource seeds a text source from the simulator seed and the bytes
// that identify the prompt.
func newTextSource(seed int64, prompt []byte) *textSource {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(seed))
	h.Write(b[:])
	h.Write(prompt)
	return &textSource{rng: rand.New(rand.NewPCG(uint64(seed), h.Sum64()))}
}

// outputLength returns the number of tokens to generate and the finish
// reason. See the package documentation for the rule.
func (t *textSource) outputLength(maxTokens, minTokens int, ignoreEOS bool) (int, string) {
	if ignoreEOS {
		return maxTokens, "length"
	}
	n := 1 + t.rng.IntN(2*maxTokens)
	if n < minTokens {
		n = minTokens
	}
	if n >= maxTokens {
		return maxTokens, "length"
	}
	return n, "stop"
}

// token returns the text of the next generated token: a word with a
// leading space, as byte-pair tokenizers produce.
func (t *textSource) token() string {
	return " " + words[t.rng.IntN(len(words))]
}
