package client

import (
	"bytes"
	"encoding/json"
	"io"
	"path/filepath"
	"testing"
)

// referenceChunk decodes data with encoding/json and applies the same rules
// as chunkDecoder, so the two can be compared.
func referenceChunk(data []byte) (chunk, []byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var value any
	if err := dec.Decode(&value); err != nil {
		return chunk{}, nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return chunk{}, nil, false
	}
	top, ok := value.(map[string]any)
	if !ok {
		return chunk{}, nil, false
	}

	var ch chunk
	var text []byte
	if choices, ok := top["choices"].([]any); ok {
		for _, c := range choices {
			choice, ok := c.(map[string]any)
			if !ok {
				continue
			}
			if s, ok := choice["text"].(string); ok && s != "" {
				ch.tokenBearing = true
				text = append(text, s...)
			}
			if delta, ok := choice["delta"].(map[string]any); ok {
				if calls, ok := delta["tool_calls"].([]any); ok && len(calls) > 0 {
					ch.tokenBearing = true
				}
				for _, key := range []string{"reasoning_content", "reasoning", "content"} {
					if s, ok := delta[key].(string); ok && s != "" {
						ch.tokenBearing = true
						text = append(text, s...)
					}
				}
			}
			if s, ok := choice["finish_reason"].(string); ok && s != "" {
				ch.finishReason = []byte(s)
			}
		}
	}
	if usage, ok := top["usage"].(map[string]any); ok {
		if n, ok := usage["prompt_tokens"].(json.Number); ok {
			ch.promptTokens, ch.hasPromptTokens = parseCount([]byte(n))
		}
		if n, ok := usage["completion_tokens"].(json.Number); ok {
			ch.completionTokens, ch.hasCompletionTokens = parseCount([]byte(n))
		}
	}
	if errValue, present := top["error"]; present && errValue != nil {
		ch.isError = true
		switch e := errValue.(type) {
		case string:
			ch.errorMessage = []byte(e)
		case map[string]any:
			if s, ok := e["message"].(string); ok {
				ch.errorMessage = []byte(s)
			} else {
				ch.errorMessage = []byte("<raw>")
			}
		default:
			ch.errorMessage = []byte("<raw>")
		}
	} else if object, _ := top["object"].(string); object == "error" {
		ch.isError = true
		message, _ := top["message"].(string)
		ch.errorMessage = []byte(message)
	}
	return ch, text, true
}

// hasDuplicateKeys reports whether some JSON object in data repeats a key.
// encoding/json keeps the last value, but the scanner applies each one.
func hasDuplicateKeys(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		keys     map[string]bool
		isObject bool
		wantKey  bool
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if len(stack) > 0 && stack[len(stack)-1].isObject {
			top := &stack[len(stack)-1]
			if top.wantKey {
				if key, ok := tok.(string); ok {
					if top.keys[key] {
						return true
					}
					top.keys[key] = true
					top.wantKey = false
					continue
				}
			} else {
				top.wantKey = true
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{keys: map[string]bool{}, isObject: true, wantKey: true})
		case json.Delim('['):
			stack = append(stack, frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].isObject {
				stack[len(stack)-1].wantKey = true
			}
		}
	}
}

// FuzzDecodeChunk checks that the chunk decoder never panics and agrees
// with encoding/json on validity and on every field it extracts.
func FuzzDecodeChunk(f *testing.F) {
	seeds := []string{
		`{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}`,
		`{"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":4}}`,
		`{"choices":[{"text":"a\u00e9\ud83c\udf0d","finish_reason":"length"}],"usage":null}`,
		`{"error":{"message":"x","code":1}}`,
		`{"object":"error","message":"too long"}`,
		`{"error":"boom"}`,
		`{"choices":[{"delta":{"tool_calls":[{"id":"1"}],"reasoning_content":"r"}}]}`,
		`{"usage":{"completion_tokens":3.0,"prompt_tokens":-1}}`,
		`[1,2]`, `{"a":tru}`, `{"a":"\x"}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	names, _ := filepath.Glob(filepath.Join("testdata", "streams", "*.sse"))
	for _, name := range names {
		fx, err := parseFixture(name)
		if err != nil {
			continue
		}
		for _, line := range bytes.Split(fx.body(), []byte("\n")) {
			if data, ok := bytes.CutPrefix(line, []byte("data: ")); ok {
				f.Add(data)
			}
		}
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		d := chunkDecoder{keepText: true}
		var got chunk
		err := d.decode(data, &got)
		want, wantText, valid := referenceChunk(data)
		if (err == nil) != valid {
			t.Fatalf("decode(%q) error = %v, encoding/json valid = %v", data, err, valid)
		}
		if !valid || hasDuplicateKeys(data) {
			return
		}
		if got.tokenBearing != want.tokenBearing || !bytes.Equal(got.finishReason, want.finishReason) ||
			got.hasPromptTokens != want.hasPromptTokens || got.promptTokens != want.promptTokens ||
			got.hasCompletionTokens != want.hasCompletionTokens || got.completionTokens != want.completionTokens ||
			got.isError != want.isError {
			t.Fatalf("decode(%q):\n got %+v\nwant %+v", data, got, want)
		}
		if want.isError && string(want.errorMessage) != "<raw>" && !bytes.Equal(got.errorMessage, want.errorMessage) {
			t.Fatalf("decode(%q) error message = %q, want %q", data, got.errorMessage, want.errorMessage)
		}
		if !bytes.Equal(d.text, wantText) {
			t.Fatalf("decode(%q) text = %q, want %q", data, d.text, wantText)
		}
	})
}
