package sim

import (
	"encoding/json"
)

// The JSON shapes below follow what vLLM (0.6 to 0.11) and SGLang (0.4) send.
// vLLM leaves out fields it never set (stop_reason appears on the last chunk
// only); SGLang writes every field, null included, and adds matched_stop.

// usageInfo is the OpenAI usage object.
type usageInfo struct {
	PromptTokens     int `json:"prompt_tokens"`
	TotalTokens      int `json:"total_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}

func newUsage(prompt, completion int) *usageInfo {
	return &usageInfo{PromptTokens: prompt, CompletionTokens: completion, TotalTokens: prompt + completion}
}

// envelope is the top level of a response or stream chunk.
type envelope struct {
	ID      string          `json:"id"`
	Object  string          `json:"object"`
	Created int64           `json:"created"`
	Model   string          `json:"model"`
	Choices []any           `json:"choices"`
	Usage   json.RawMessage `json:"usage,omitempty"`
}

type vllmTextChoice struct {
	Index        int     `json:"index"`
	Text         string  `json:"text"`
	Logprobs     any     `json:"logprobs"`
	FinishReason *string `json:"finish_reason"`
	StopReason   any     `json:"stop_reason"`
}

type vllmDelta struct {
	Role    string  `json:"role,omitempty"`
	Content *string `json:"content,omitempty"`
}

type vllmChatChunkChoice struct {
	Index        int             `json:"index"`
	Delta        vllmDelta       `json:"delta"`
	Logprobs     any             `json:"logprobs"`
	FinishReason *string         `json:"finish_reason"`
	StopReason   json.RawMessage `json:"stop_reason,omitempty"`
}

type vllmMessage struct {
	Role      string `json:"role"`
	Content   string `json:"content"`
	ToolCalls []any  `json:"tool_calls"`
}

type vllmChatChoice struct {
	Index        int         `json:"index"`
	Message      vllmMessage `json:"message"`
	Logprobs     any         `json:"logprobs"`
	FinishReason string      `json:"finish_reason"`
	StopReason   any         `json:"stop_reason"`
}

type sglangTextChoice struct {
	Index        int     `json:"index"`
	Text         string  `json:"text"`
	Logprobs     any     `json:"logprobs"`
	FinishReason *string `json:"finish_reason"`
	MatchedStop  any     `json:"matched_stop"`
}

type sglangDelta struct {
	Role             *string `json:"role"`
	Content          *string `json:"content"`
	ReasoningContent *string `json:"reasoning_content"`
	ToolCalls        any     `json:"tool_calls"`
}

type sglangChatChunkChoice struct {
	Index        int         `json:"index"`
	Delta        sglangDelta `json:"delta"`
	Logprobs     any         `json:"logprobs"`
	FinishReason *string     `json:"finish_reason"`
	MatchedStop  any         `json:"matched_stop"`
}

type sglangMessage struct {
	Role             string  `json:"role"`
	Content          string  `json:"content"`
	ReasoningContent *string `json:"reasoning_content"`
	ToolCalls        any     `json:"tool_calls"`
}

type sglangChatChoice struct {
	Index        int           `json:"index"`
	Message      sglangMessage `json:"message"`
	Logprobs     any           `json:"logprobs"`
	FinishReason string        `json:"finish_reason"`
	MatchedStop  any           `json:"matched_stop"`
}

// eosTokenID is the token id SGLang reports in matched_stop when generation
// stopped at end of sequence.
const eosTokenID = 2

// apiError is the error object of both flavors.
type apiError struct {
	Object  string  `json:"object"`
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    int     `json:"code"`
}

func newAPIError(e *requestError) apiError {
	out := apiError{Object: "error", Message: e.message, Type: e.errType, Code: e.status}
	if e.param != "" {
		out.Param = &e.param
	}
	return out
}

// encoder writes the response bodies and stream events of one request.
type encoder struct {
	flavor  string
	chat    bool
	id      string
	created int64
	model   string
}

func (e *encoder) object() string {
	switch {
	case e.chat:
		return "chat.completion.chunk"
	default:
		return "text_completion"
	}
}

func (e *encoder) event(choices []any, usage *usageInfo) []byte {
	env := envelope{ID: e.id, Object: e.object(), Created: e.created, Model: e.model, Choices: choices}
	switch {
	case usage != nil:
		env.Usage, _ = json.Marshal(usage)
	case e.flavor == FlavorSGLang:
		env.Usage = json.RawMessage("null")
	}
	return sseData(env)
}

func sseData(v any) []byte {
	body, err := json.Marshal(v)
	if err != nil {
		// Unreachable: every value encoded here is a plain struct.
		body = []byte(`{"error":{"object":"error","message":"simulator: encoding failed","type":"InternalServerError","param":null,"code":500}}`)
	}
	out := make([]byte, 0, len(body)+8)
	out = append(out, "data: "...)
	out = append(out, body...)
	return append(out, "\n\n"...)
}

var doneEvent = []byte("data: [DONE]\n\n")

// roleChunk is the chat prelude that carries the assistant role and no text.
func (e *encoder) roleChunk(usage *usageInfo) []byte {
	empty := ""
	if e.flavor == FlavorSGLang {
		role := "assistant"
		return e.event([]any{sglangChatChunkChoice{Delta: sglangDelta{Role: &role, Content: &empty}}}, usage)
	}
	return e.event([]any{vllmChatChunkChoice{Delta: vllmDelta{Role: "assistant", Content: &empty}}}, usage)
}

// tokenChunk carries one token's text. finish is the finish reason when the
// chunk ends the output in this flavor's shape, else "".
func (e *encoder) tokenChunk(text, finish string, usage *usageInfo) []byte {
	var reason *string
	if finish != "" {
		reason = &finish
	}
	switch {
	case e.flavor == FlavorSGLang && e.chat:
		return e.event([]any{sglangChatChunkChoice{Delta: sglangDelta{Content: &text}}}, usage)
	case e.flavor == FlavorSGLang:
		return e.event([]any{sglangTextChoice{Text: text, FinishReason: reason, MatchedStop: matchedStop(finish)}}, usage)
	case e.chat:
		choice := vllmChatChunkChoice{Delta: vllmDelta{Content: &text}, FinishReason: reason}
		if reason != nil {
			choice.StopReason = json.RawMessage("null")
		}
		return e.event([]any{choice}, usage)
	default:
		return e.event([]any{vllmTextChoice{Text: text, FinishReason: reason}}, usage)
	}
}

// finishInOwnChunk reports whether the flavor sends the finish reason in a
// chunk of its own after the last token (SGLang chat) rather than on the last
// token's chunk.
func (e *encoder) finishInOwnChunk() bool {
	return e.flavor == FlavorSGLang && e.chat
}

// finishChunk is SGLang's chat chunk with an empty delta and the finish reason.
func (e *encoder) finishChunk(finish string, usage *usageInfo) []byte {
	return e.event([]any{sglangChatChunkChoice{FinishReason: &finish, MatchedStop: matchedStop(finish)}}, usage)
}

// usageChunk is the last chunk before [DONE] with stream_options.include_usage.
func (e *encoder) usageChunk(usage *usageInfo) []byte {
	return e.event([]any{}, usage)
}

// errorEvent is an in-band error inside a stream.
func (e *encoder) errorEvent(err *requestError) []byte {
	return sseData(struct {
		Error apiError `json:"error"`
	}{newAPIError(err)})
}

// response is the body of a non-streaming response.
func (e *encoder) response(text, finish string, usage *usageInfo) []byte {
	env := envelope{ID: e.id, Object: "text_completion", Created: e.created, Model: e.model}
	env.Usage, _ = json.Marshal(usage)
	switch {
	case e.flavor == FlavorSGLang && e.chat:
		env.Object = "chat.completion"
		env.Choices = []any{sglangChatChoice{Message: sglangMessage{Role: "assistant", Content: text}, FinishReason: finish, MatchedStop: matchedStop(finish)}}
	case e.flavor == FlavorSGLang:
		env.Choices = []any{sglangTextChoice{Text: text, FinishReason: &finish, MatchedStop: matchedStop(finish)}}
	case e.chat:
		env.Object = "chat.completion"
		env.Choices = []any{vllmChatChoice{Message: vllmMessage{Role: "assistant", Content: text, ToolCalls: []any{}}, FinishReason: finish}}
	default:
		env.Choices = []any{vllmTextChoice{Text: text, FinishReason: &finish}}
	}
	body, err := json.Marshal(env)
	if err != nil {
		return []byte(`{"object":"error","message":"simulator: encoding failed","type":"InternalServerError","param":null,"code":500}`)
	}
	return body
}

func matchedStop(finish string) any {
	if finish == "stop" {
		return eosTokenID
	}
	return nil
}
