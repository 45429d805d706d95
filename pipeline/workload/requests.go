package workload

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/llmbench/llmbench-action/pipeline/client"
)

// Random prompts are token ids drawn uniformly from [RandomTokenMin,
// RandomTokenMax). The range lies inside the vocabularies of every model of
// the default matrix (facebook/opt-125m: 50,272 ids, Qwen/Qwen2-1.5B:
// 151,936, microsoft/phi-2: 51,200). It also avoids their special tokens,
// which sit at ids 0-3 (OPT) or at the top of the vocabulary (50256 and up
// for phi-2, 151643 and up for Qwen2). A model with a vocabulary smaller
// than 30,000 ids needs a text dataset instead.
const (
	RandomTokenMin = 1000
	RandomTokenMax = 30000
)

// WordsToTokens is the tokens-per-word estimate used for text whose tokens
// are not counted by a tokenizer: built-in and ShareGPT prompts, and
// ShareGPT reply lengths. English text averages about 1.3 GPT-2 tokens per
// word.
const WordsToTokens = 1.3

// Streams of the seeded random generator, so that the measured requests do
// not change when the number of warm-up requests does.
const (
	streamMeasured = 1
	streamWarmup   = 2
)

// BuildRequests makes the warm-up and measured requests of a workload for a
// model. The same workload (seed included) always gives the same requests.
func BuildRequests(w Workload, model string) (warmup, measured []client.Request, err error) {
	if err := w.Validate(); err != nil {
		return nil, nil, fmt.Errorf("building requests: %w", err)
	}

	var source promptSource
	switch w.Dataset {
	case DatasetRandom:
		source = randomTokens{length: w.InputLen}
	case DatasetBuiltin:
		source = textPrompts{prompts: builtinPrompts}
	default:
		conversations, err := loadShareGPT(w.Dataset)
		if err != nil {
			return nil, nil, fmt.Errorf("building requests for workload %q: %w", w.Name, err)
		}
		if w.MaxTokens == 0 {
			conversations = withReplies(conversations)
			if len(conversations) == 0 {
				return nil, nil, fmt.Errorf("building requests for workload %q: no conversation in %s has a reply to take the output length from; set max_tokens", w.Name, w.Dataset)
			}
		}
		source = shareGPTPrompts{conversations: conversations}
	}

	warmup = make([]client.Request, w.WarmupRequests)
	rng := rand.New(rand.NewPCG(uint64(w.Seed), streamWarmup))
	for i := range warmup {
		warmup[i] = newRequest(w, model, source.next(rng))
	}
	measured = make([]client.Request, w.NumRequests)
	rng = rand.New(rand.NewPCG(uint64(w.Seed), streamMeasured))
	for i := range measured {
		measured[i] = newRequest(w, model, source.next(rng))
	}
	return warmup, measured, nil
}

// prompt is one input: token ids or text, with its client-side length and,
// for ShareGPT, the reply's estimated length.
type prompt struct {
	tokenIDs    []int
	text        string
	inputTokens int
	replyTokens int
}

type promptSource interface {
	next(rng *rand.Rand) prompt
}

func newRequest(w Workload, model string, p prompt) client.Request {
	req := client.Request{
		Path:              w.Path(),
		Model:             model,
		MaxTokens:         w.MaxTokens,
		IgnoreEOS:         w.IgnoreEOS,
		Temperature:       w.Temperature,
		InputTokensClient: p.inputTokens,
	}
	if req.MaxTokens == 0 {
		req.MaxTokens = p.replyTokens
	}

	switch {
	case p.tokenIDs != nil:
		req.PromptTokenIDs = p.tokenIDs
	case w.Endpoint == EndpointChat:
		req.Messages = []client.Message{{Role: "user", Content: p.text}}
	default:
		req.Prompt = p.text
	}
	return req
}

// randomTokens makes prompts of exactly length random token ids.
type randomTokens struct{ length int }

func (r randomTokens) next(rng *rand.Rand) prompt {
	ids := make([]int, r.length)
	for i := range ids {
		ids[i] = RandomTokenMin + rng.IntN(RandomTokenMax-RandomTokenMin)
	}
	return prompt{tokenIDs: ids, inputTokens: r.length}
}

// textPrompts picks prompts from a fixed list at random.
type textPrompts struct{ prompts []string }

func (t textPrompts) next(rng *rand.Rand) prompt {
	text := t.prompts[rng.IntN(len(t.prompts))]
	return prompt{text: text, inputTokens: EstimateTokens(text)}
}

// shareGPTPrompts picks conversations from a ShareGPT file at random.
type shareGPTPrompts struct{ conversations []conversation }

func (s shareGPTPrompts) next(rng *rand.Rand) prompt {
	c := s.conversations[rng.IntN(len(s.conversations))]
	return prompt{text: c.prompt, inputTokens: EstimateTokens(c.prompt), replyTokens: c.replyTokens}
}

// EstimateTokens estimates the number of tokens in an English text as
// WordsToTokens per whitespace-separated word, rounded up. It is an
// estimate: a tokenizer can differ from it by tens of percent, more for
// code and for languages other than English.
func EstimateTokens(text string) int {
	words := len(strings.Fields(text))
	return int(math.Ceil(float64(words) * WordsToTokens))
}
