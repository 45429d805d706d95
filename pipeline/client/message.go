package client

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/llmbench/llmbench-action/pipeline/record"
)

// errorBodyMessage returns the message of an error response body. It is the
// "message" field, the "error" string, "error.message" or FastAPI's "detail"
// string, else the body itself with its whitespace collapsed.
func errorBodyMessage(body []byte) string {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) == nil {
		for _, key := range []string{"message", "error", "detail"} {
			if message := messageOf(fields[key]); message != "" {
				return message
			}
		}
	}
	return strings.Join(strings.Fields(string(body)), " ")
}

// messageOf returns the text of a JSON string, or the "message" string of
// a JSON object, or "".
func messageOf(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var object struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &object) == nil {
		return object.Message
	}
	return ""
}

// inBandEventMessage returns the message of an "event: error" event.
func inBandEventMessage(data []byte) string {
	if message := errorBodyMessage(data); message != "" {
		return message
	}
	return "error event with no data"
}

// cutMessage cuts s to record.MaxErrorMessageLen bytes on a UTF-8 boundary.
func cutMessage(s string) string {
	if len(s) <= record.MaxErrorMessageLen {
		return s
	}
	cut := record.MaxErrorMessageLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
