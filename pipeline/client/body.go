package client

import (
	"encoding/json"
	"errors"
	"fmt"
)

// requestBody is the JSON body of a streaming request.
type requestBody struct {
	Model         string        `json:"model"`
	Prompt        any           `json:"prompt,omitempty"`
	Messages      []Message     `json:"messages,omitempty"`
	MaxTokens     int           `json:"max_tokens"`
	Stream        bool          `json:"stream"`
	StreamOptions streamOptions `json:"stream_options"`
	IgnoreEOS     bool          `json:"ignore_eos,omitempty"`
	Temperature   float64       `json:"temperature"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// Validate checks that r can be sent: a known path, a model, exactly one
// prompt form that the path accepts, and a positive max_tokens.
func (r *Request) Validate() error {
	if r.Path != PathCompletions && r.Path != PathChatCompletions {
		return fmt.Errorf("request path %q: must be %s or %s", r.Path, PathCompletions, PathChatCompletions)
	}
	if r.Model == "" {
		return errors.New("request model is empty: set the model name the server serves")
	}
	if r.MaxTokens <= 0 {
		return fmt.Errorf("request max_tokens must be > 0, got %d", r.MaxTokens)
	}
	forms := 0
	for _, set := range []bool{len(r.PromptTokenIDs) > 0, r.Prompt != "", len(r.Messages) > 0} {
		if set {
			forms++
		}
	}
	if forms != 1 {
		return fmt.Errorf("request must set exactly one of prompt token ids, prompt and messages, got %d", forms)
	}
	if r.Path == PathChatCompletions && len(r.PromptTokenIDs) > 0 {
		return fmt.Errorf("request to %s cannot send prompt token ids: use %s or a text prompt", PathChatCompletions, PathCompletions)
	}
	if r.Path == PathCompletions && len(r.Messages) > 0 {
		return fmt.Errorf("request to %s cannot send messages: use %s or a prompt", PathCompletions, PathChatCompletions)
	}
	return nil
}

// encodeBody returns the JSON body of r, which must be valid. Chat requests
// with a text prompt send it as one user message.
func encodeBody(r *Request) ([]byte, error) {
	body := requestBody{
		Model:         r.Model,
		MaxTokens:     r.MaxTokens,
		Stream:        true,
		StreamOptions: streamOptions{IncludeUsage: true},
		IgnoreEOS:     r.IgnoreEOS,
		Temperature:   r.Temperature,
	}
	switch {
	case r.Path == PathChatCompletions && len(r.Messages) > 0:
		body.Messages = r.Messages
	case r.Path == PathChatCompletions:
		body.Messages = []Message{{Role: "user", Content: r.Prompt}}
	case len(r.PromptTokenIDs) > 0:
		body.Prompt = r.PromptTokenIDs
	default:
		body.Prompt = r.Prompt
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encoding request body: %w", err)
	}
	return b, nil
}
