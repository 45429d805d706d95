package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// maxBodyBytes caps a request body.
const maxBodyBytes = 16 << 20

// apiRequest is the subset of an OpenAI completions or chat completions
// request body the simulator reads. Other fields are accepted and ignored,
// as vLLM and SGLang do.
type apiRequest struct {
	Model               string            `json:"model"`
	Prompt              json.RawMessage   `json:"prompt"`
	Messages            []apiChatMessage  `json:"messages"`
	MaxTokens           *int              `json:"max_tokens"`
	MaxCompletionTokens *int              `json:"max_completion_tokens"`
	MinTokens           int               `json:"min_tokens"`
	N                   *int              `json:"n"`
	Stream              bool              `json:"stream"`
	StreamOptions       *apiStreamOptions `json:"stream_options"`
	IgnoreEOS           bool              `json:"ignore_eos"`
	Seed                *int64            `json:"seed"`
}

type apiChatMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

type apiStreamOptions struct {
	IncludeUsage         bool `json:"include_usage"`
	ContinuousUsageStats bool `json:"continuous_usage_stats"`
}

// generation is a validated request, ready to be served.
type generation struct {
	chat         bool
	stream       bool
	includeUsage bool
	continuous   bool
	ignoreEOS    bool
	promptTokens int
	maxTokens    int
	minTokens    int
	// promptKey identifies the prompt (and the request seed) for the text
	// source, so the same request gets the same output.
	promptKey []byte
}

// requestError is a client error with its HTTP status and error type.
type requestError struct {
	status  int
	errType string
	param   string
	message string
}

func (e *requestError) Error() string { return e.message }

func badRequest(format string, args ...any) *requestError {
	return &requestError{status: 400, errType: "BadRequestError", message: fmt.Sprintf(format, args...)}
}

// parseGeneration decodes and validates a request body for the completions
// (chat false) or chat completions endpoint.
func (s *Server) parseGeneration(body []byte, chat bool) (*generation, *requestError) {
	var req apiRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		return nil, badRequest("invalid JSON request body: %v", err)
	}
	if dec.More() {
		return nil, badRequest("invalid JSON request body: data after the JSON object")
	}

	if req.Model != "" && !s.servesModel(req.Model) {
		return nil, &requestError{status: 404, errType: "NotFoundError", param: "model",
			message: fmt.Sprintf("the model %q does not exist: this server serves %s", req.Model, strings.Join(s.modelNames(), ", "))}
	}

	g := &generation{chat: chat, stream: req.Stream, ignoreEOS: req.IgnoreEOS, minTokens: req.MinTokens}
	if req.StreamOptions != nil {
		if !req.Stream {
			return nil, badRequest("stream_options can only be set when stream is true")
		}
		g.includeUsage = req.StreamOptions.IncludeUsage
		g.continuous = req.StreamOptions.IncludeUsage && req.StreamOptions.ContinuousUsageStats
	}
	if req.N != nil && *req.N != 1 {
		// NOTE: the simulator generates one choice per request; real servers accept n > 1.
		return nil, badRequest("n=%d is not supported by the simulator: use n=1", *req.N)
	}

	var err *requestError
	if chat {
		g.promptTokens, g.promptKey, err = chatPrompt(req.Messages)
	} else {
		g.promptTokens, g.promptKey, err = s.completionPrompt(req.Prompt)
	}
	if err != nil {
		return nil, err
	}
	if req.Seed != nil {
		g.promptKey = strconv.AppendInt(g.promptKey, *req.Seed, 10)
	}

	if err := s.setMaxTokens(g, req); err != nil {
		return nil, err
	}
	return g, nil
}

// setMaxTokens applies max_tokens (or max_completion_tokens), its default
// and the context length limit.
func (s *Server) setMaxTokens(g *generation, req apiRequest) *requestError {
	limit := s.cfg.MaxModelLen
	if g.promptTokens >= limit {
		return badRequest("this model's maximum context length is %d tokens, but the prompt has %d tokens: shorten the prompt", limit, g.promptTokens)
	}

	maxTokens := req.MaxTokens
	if maxTokens == nil {
		maxTokens = req.MaxCompletionTokens
	}
	switch {
	case maxTokens != nil:
		g.maxTokens = *maxTokens
	case g.chat:
		g.maxTokens = limit - g.promptTokens
	default:
		g.maxTokens = 16 // the completions API default
	}

	if g.maxTokens < 1 {
		return badRequest("max_tokens must be at least 1, got %d", g.maxTokens)
	}
	if g.minTokens < 0 || g.minTokens > g.maxTokens {
		return badRequest("min_tokens must be from 0 to max_tokens (%d), got %d", g.maxTokens, g.minTokens)
	}
	if g.maxTokens > limit-g.promptTokens { // written this way so a huge max_tokens cannot overflow
		return badRequest("this model's maximum context length is %d tokens, but the request needs %d prompt tokens plus max_tokens %d: reduce the prompt or max_tokens",
			limit, g.promptTokens, g.maxTokens)
	}
	return nil
}

// completionPrompt reads a completions prompt: a string, an array of token
// ids, or a one-element array of either.
func (s *Server) completionPrompt(raw json.RawMessage) (int, []byte, *requestError) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil, badRequest("missing prompt: set prompt to a string or an array of token ids")
	}

	var text string
	if err := json.Unmarshal(raw, &text); err == nil {
		n := countTextTokens(text)
		if n == 0 {
			return 0, nil, badRequest("the prompt is empty: send at least one token")
		}
		return n, []byte(text), nil
	}

	var ids []int64
	if err := json.Unmarshal(raw, &ids); err == nil {
		return s.tokenIDPrompt(ids, raw)
	}

	var batch []json.RawMessage
	if err := json.Unmarshal(raw, &batch); err == nil {
		if len(batch) == 1 {
			return s.completionPrompt(batch[0])
		}
		// NOTE: real servers accept batches of prompts; the simulator serves one prompt per request.
		return 0, nil, badRequest("a batch of %d prompts is not supported by the simulator: send one prompt per request", len(batch))
	}
	return 0, nil, badRequest("invalid prompt: must be a string or an array of token ids")
}

func (s *Server) tokenIDPrompt(ids []int64, raw []byte) (int, []byte, *requestError) {
	if len(ids) == 0 {
		return 0, nil, badRequest("the prompt is empty: send at least one token")
	}
	for _, id := range ids {
		if id < 0 || (s.cfg.Sim.VocabSize > 0 && id >= int64(s.cfg.Sim.VocabSize)) {
			return 0, nil, badRequest("token id %d is out of vocabulary (size %d)", id, s.cfg.Sim.VocabSize)
		}
	}
	return len(ids), raw, nil
}

// chatPrompt reads chat messages, whose content is a string, null or an
// array of {"type":"text","text":...} parts.
func chatPrompt(messages []apiChatMessage) (int, []byte, *requestError) {
	if len(messages) == 0 {
		return 0, nil, badRequest("missing messages: send at least one chat message")
	}
	contents := make([]string, 0, len(messages))
	var key []byte
	for i, m := range messages {
		if m.Role == "" {
			return 0, nil, badRequest("messages[%d]: missing role", i)
		}
		content, err := messageText(m.Content)
		if err != nil {
			return 0, nil, badRequest("messages[%d].content: %v", i, err)
		}
		contents = append(contents, content)
		key = append(key, m.Role...)
		key = append(key, 0)
		key = append(key, content...)
		key = append(key, 0)
	}
	return countChatTokens(contents), key, nil
}

func messageText(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var text string
	if err := json.Unmarshal(raw, &text); err == nil {
		return text, nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", errors.New("must be a string or an array of content parts")
	}
	var b strings.Builder
	for i, p := range parts {
		if p.Type != "text" {
			return "", fmt.Errorf("part %d has type %q: the simulator reads text parts only", i, p.Type)
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p.Text)
	}
	return b.String(), nil
}
