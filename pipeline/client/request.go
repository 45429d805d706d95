package client

// Endpoint paths of the OpenAI-compatible API.
const (
	PathCompletions     = "/v1/completions"
	PathChatCompletions = "/v1/chat/completions"
)

// Message is one chat message.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Request is one generation request, independent of the endpoint's wire form.
// Exactly one of PromptTokenIDs, Prompt and Messages is set; chat requests
// (Path == PathChatCompletions) use Messages, or Prompt as one user message.
type Request struct {
	// Path is PathCompletions or PathChatCompletions.
	Path  string
	Model string

	// PromptTokenIDs is a prompt given as token ids, so its length is exact
	// without a tokenizer. Only the completions endpoint accepts it.
	PromptTokenIDs []int
	// Prompt is a text prompt.
	Prompt string
	// Messages is a chat conversation.
	Messages []Message

	// MaxTokens is the output length limit (max_tokens).
	MaxTokens int
	// IgnoreEOS requests exactly MaxTokens tokens from vLLM and SGLang, which
	// then do not stop at the end-of-sequence token.
	IgnoreEOS bool
	// Temperature is the sampling temperature; 0 means greedy.
	Temperature float64

	// InputTokensClient is the prompt length as the client counts it: exact
	// for token ids, an estimate for text; 0 when unknown.
	InputTokensClient int
}
