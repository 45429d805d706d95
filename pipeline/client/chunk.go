package client

import (
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// chunk is the part of one streamed JSON event that the client uses. The
// decoder fills only these fields and skips everything else without
// allocating.
type chunk struct {
	// tokenBearing is true when a choice carries a non-empty text,
	// delta.content, delta.reasoning_content, delta.reasoning or a non-empty
	// delta.tool_calls array.
	tokenBearing bool
	// finishReason is the last non-empty finish_reason of the chunk's choices;
	// it points into the event data.
	finishReason []byte

	hasPromptTokens     bool
	promptTokens        int
	hasCompletionTokens bool
	completionTokens    int

	// isError is true for {"error": ...} with a non-null value and for
	// {"object": "error", ...}; errorMessage is the best message found.
	isError      bool
	errorMessage []byte
}

// errInvalidJSON is returned for event data that is not one JSON object.
var errInvalidJSON = errors.New("invalid JSON")

// maxJSONDepth bounds the nesting of skipped values, like encoding/json.
const maxJSONDepth = 10000

// chunkDecoder decodes chunks. Its scratch buffers are reused between
// chunks, so one decoder serves one stream at a time.
type chunkDecoder struct {
	data  []byte
	pos   int
	depth int
	key   []byte // unescaped key, when the key has escapes

	// text receives the generated text of every token-bearing field when
	// keepText is set: per delta in the order reasoning_content, reasoning,
	// content.
	text     []byte
	keepText bool

	// Per top-level object state, collected before it is interpreted.
	objectIsError bool
	message       []byte
	messageEscape bool
}

// decode parses data into ch (reset first) and appends generated text to
// d.text when d.keepText is set.
func (d *chunkDecoder) decode(data []byte, ch *chunk) error {
	*ch = chunk{}
	d.data, d.pos, d.depth = data, 0, 0
	d.objectIsError, d.message, d.messageEscape = false, nil, false
	textStart := len(d.text)

	err := d.topLevel(ch)
	if err == nil {
		d.skipSpace()
		if d.pos != len(d.data) {
			err = errInvalidJSON
		}
	}
	if err != nil {
		d.text = d.text[:textStart]
		*ch = chunk{}
		return err
	}

	if d.objectIsError && !ch.isError {
		ch.isError = true
		ch.errorMessage = d.decodedMessage()
	}
	return nil
}

// decodedMessage returns the top-level "message" string, decoded.
func (d *chunkDecoder) decodedMessage() []byte {
	if d.message == nil {
		return nil
	}
	return decodedString(d.message, d.messageEscape)
}

// decodedString returns the decoded JSON string body raw: raw itself when it
// has no escapes and is valid UTF-8, else a decoded copy.
func decodedString(raw []byte, escaped bool) []byte {
	if !escaped && utf8.Valid(raw) {
		return raw
	}
	return appendString(nil, raw, escaped)
}

func (d *chunkDecoder) topLevel(ch *chunk) error {
	d.skipSpace()
	if d.pos >= len(d.data) || d.data[d.pos] != '{' {
		return errInvalidJSON
	}
	return d.object(func(key []byte) error {
		switch string(key) {
		case "choices":
			return d.choices(ch)
		case "usage":
			return d.usage(ch)
		case "error":
			return d.errorValue(ch)
		case "object":
			raw, escaped, isString, err := d.stringOrSkip()
			if err != nil {
				return err
			}
			d.objectIsError = isString && equalString(raw, escaped, "error")
			return nil
		case "message":
			raw, escaped, isString, err := d.stringOrSkip()
			if err != nil {
				return err
			}
			if isString {
				d.message, d.messageEscape = raw, escaped
			} else {
				d.message, d.messageEscape = nil, false
			}
			return nil
		}
		return d.skipValue()
	})
}

func (d *chunkDecoder) choices(ch *chunk) error {
	if d.peek() != '[' {
		return d.skipValue()
	}
	return d.array(func() error {
		if d.peek() != '{' {
			return d.skipValue()
		}
		return d.object(func(key []byte) error {
			switch string(key) {
			case "text":
				return d.textField(ch)
			case "delta":
				return d.delta(ch)
			case "finish_reason":
				raw, escaped, isString, err := d.stringOrSkip()
				if err != nil {
					return err
				}
				if isString && len(raw) > 0 {
					ch.finishReason = decodedString(raw, escaped)
				}
				return nil
			}
			return d.skipValue()
		})
	})
}

// textField reads a string that carries generated text when non-empty.
func (d *chunkDecoder) textField(ch *chunk) error {
	raw, escaped, isString, err := d.stringOrSkip()
	if err != nil || !isString || len(raw) == 0 {
		return err
	}
	ch.tokenBearing = true
	if d.keepText {
		d.text = appendString(d.text, raw, escaped)
	}
	return nil
}

// textSpan is a raw JSON string body kept until its delta is complete.
type textSpan struct {
	raw     []byte
	escaped bool
}

func (d *chunkDecoder) delta(ch *chunk) error {
	if d.peek() != '{' {
		return d.skipValue()
	}
	var reasoningContent, reasoning, content textSpan
	err := d.object(func(key []byte) error {
		var span *textSpan
		switch string(key) {
		case "content":
			span = &content
		case "reasoning_content":
			span = &reasoningContent
		case "reasoning":
			span = &reasoning
		case "tool_calls":
			// NOTE: tool call arguments are not added to the text, so a
			// tokenizer estimate undercounts tool-call output when the
			// server sends no usage.
			if d.peek() != '[' {
				return d.skipValue()
			}
			count := 0
			if err := d.array(func() error { count++; return d.skipValue() }); err != nil {
				return err
			}
			if count > 0 {
				ch.tokenBearing = true
			}
			return nil
		default:
			return d.skipValue()
		}
		raw, escaped, isString, err := d.stringOrSkip()
		if err != nil {
			return err
		}
		*span = textSpan{}
		if isString {
			*span = textSpan{raw: raw, escaped: escaped}
		}
		return nil
	})
	if err != nil {
		return err
	}

	for _, span := range [...]textSpan{reasoningContent, reasoning, content} {
		if len(span.raw) == 0 {
			continue
		}
		ch.tokenBearing = true
		if d.keepText {
			d.text = appendString(d.text, span.raw, span.escaped)
		}
	}
	return nil
}

func (d *chunkDecoder) usage(ch *chunk) error {
	if d.peek() != '{' {
		return d.skipValue()
	}
	return d.object(func(key []byte) error {
		var target *int
		var has *bool
		switch string(key) {
		case "prompt_tokens":
			target, has = &ch.promptTokens, &ch.hasPromptTokens
		case "completion_tokens":
			target, has = &ch.completionTokens, &ch.hasCompletionTokens
		default:
			return d.skipValue()
		}
		start := d.pos
		if err := d.skipValue(); err != nil {
			return err
		}
		n, ok := parseCount(d.data[start:d.pos])
		*target, *has = n, ok
		return nil
	})
}

// parseCount parses a JSON number that is a non-negative integer, also
// when written with a fraction or exponent (3.0, 1e2).
func parseCount(raw []byte) (int, bool) {
	if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		return int(n), n >= 0
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || f < 0 || f > 1<<53 || f != float64(int64(f)) {
		return 0, false
	}
	return int(f), true
}

// errorValue reads the value of a top-level "error" key: an object (its
// "message" string is the message, else its JSON text), a string (the
// message), or null (no error). Any other value is an error whose message
// is its JSON text.
func (d *chunkDecoder) errorValue(ch *chunk) error {
	start := d.pos
	switch d.peek() {
	case 'n':
		if err := d.skipValue(); err != nil {
			return err
		}
		ch.isError, ch.errorMessage = false, nil
		return nil
	case '"':
		raw, escaped, _, err := d.stringOrSkip()
		if err != nil {
			return err
		}
		ch.isError = true
		ch.errorMessage = decodedString(raw, escaped)
		return nil
	case '{':
		var message []byte
		found := false
		err := d.object(func(key []byte) error {
			if string(key) != "message" {
				return d.skipValue()
			}
			raw, escaped, isString, err := d.stringOrSkip()
			if err != nil {
				return err
			}
			found = isString
			message = decodedString(raw, escaped)
			return nil
		})
		if err != nil {
			return err
		}
		ch.isError = true
		ch.errorMessage = d.data[start:d.pos]
		if found {
			ch.errorMessage = message
		}
		return nil
	}
	if err := d.skipValue(); err != nil {
		return err
	}
	ch.isError = true
	ch.errorMessage = d.data[start:d.pos]
	return nil
}

// equalString reports whether the JSON string body raw equals s.
func equalString(raw []byte, escaped bool, s string) bool {
	return string(decodedString(raw, escaped)) == s
}

// appendString appends the JSON string body raw, unescaped, to dst.
func appendString(dst, raw []byte, escaped bool) []byte {
	if !escaped {
		return appendValidUTF8(dst, raw)
	}
	return appendUnescaped(dst, raw)
}

// appendValidUTF8 appends s with each invalid UTF-8 byte replaced by U+FFFD,
// as encoding/json does.
func appendValidUTF8(dst, s []byte) []byte {
	if utf8.Valid(s) {
		return append(dst, s...)
	}
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		if r == utf8.RuneError && size == 1 {
			dst = utf8.AppendRune(dst, utf8.RuneError)
		} else {
			dst = append(dst, s[:size]...)
		}
		s = s[size:]
	}
	return dst
}

// appendUnescaped appends the unescaped body of a JSON string that the
// scanner already validated.
func appendUnescaped(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		j := i
		for j < len(raw) && raw[j] != '\\' {
			j++
		}
		dst = appendValidUTF8(dst, raw[i:j])
		if j >= len(raw) {
			break
		}
		i = j + 2
		switch raw[j+1] {
		case '"', '\\', '/':
			dst = append(dst, raw[j+1])
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hex4(raw[j+2 : j+6])
			i = j + 6
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					r2 = hex4(raw[i+2 : i+6])
				}
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					r = dec
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		default:
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}
