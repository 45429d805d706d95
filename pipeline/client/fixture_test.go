package client

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fixture is one replayed HTTP response of testdata/streams/*.sse; the
// format is described in testdata/streams/README.md.
type fixture struct {
	name     string
	endpoint string
	request  map[string]any
	config   fixtureConfig
	status   int
	headers  [][2]string
	writes   []fixtureWrite
	closeAt  time.Duration
	hasClose bool
	hang     bool
}

type fixtureConfig struct {
	RequestTimeoutMS int    `json:"request_timeout_ms"`
	Tokenizer        string `json:"tokenizer"`
}

// fixtureWrite is one server write, at its offset from the moment the
// client finished writing the request.
type fixtureWrite struct {
	at      time.Duration
	payload []byte
}

// loadFixture parses the fixture whose file name starts with id.
func loadFixture(t testing.TB, id string) *fixture {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "streams", id+"-*.sse"))
	if err != nil || len(names) != 1 {
		t.Fatalf("fixture %s: want one file, found %v (%v)", id, names, err)
	}
	f, err := parseFixture(names[0])
	if err != nil {
		t.Fatalf("parsing fixture %s: %v", names[0], err)
	}
	return f
}

func parseFixture(path string) (*fixture, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f := &fixture{name: filepath.Base(path), status: 200}
	scanner := bufio.NewScanner(bytes.NewReader(text))
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for lineNo := 1; scanner.Scan(); lineNo++ {
		line := scanner.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := f.parseLine(line); err != nil {
			return nil, fmt.Errorf("line %d: %w", lineNo, err)
		}
	}
	return f, scanner.Err()
}

func (f *fixture) parseLine(line string) error {
	directive, rest, _ := strings.Cut(line, " ")
	switch {
	case strings.HasPrefix(directive, "@"):
		ms, err := strconv.Atoi(directive[1:])
		if err != nil {
			return fmt.Errorf("write time %q: %w", directive, err)
		}
		payload, err := unescapePayload(rest)
		if err != nil {
			return err
		}
		f.writes = append(f.writes, fixtureWrite{at: time.Duration(ms) * time.Millisecond, payload: payload})
	case directive == "!endpoint":
		f.endpoint = rest
	case directive == "!request":
		return json.Unmarshal([]byte(rest), &f.request)
	case directive == "!config":
		return json.Unmarshal([]byte(rest), &f.config)
	case directive == "!status":
		status, err := strconv.Atoi(rest)
		f.status = status
		return err
	case directive == "!header":
		name, value, ok := strings.Cut(rest, ":")
		if !ok {
			return fmt.Errorf("header %q has no colon", rest)
		}
		f.headers = append(f.headers, [2]string{strings.TrimSpace(name), strings.TrimSpace(value)})
	case directive == "!close":
		ms, err := strconv.Atoi(rest)
		f.closeAt, f.hasClose = time.Duration(ms)*time.Millisecond, true
		return err
	case directive == "!hang":
		f.hang = true
	default:
		return fmt.Errorf("unknown directive %q", directive)
	}
	return nil
}

// unescapePayload decodes the payload escapes \n, \r, \\ and \xHH.
func unescapePayload(s string) ([]byte, error) {
	var out []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			out = append(out, s[i])
			continue
		}
		if i+1 >= len(s) {
			return nil, fmt.Errorf("payload ends in a lone backslash")
		}
		i++
		switch s[i] {
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case '\\':
			out = append(out, '\\')
		case 'x':
			if i+2 >= len(s) {
				return nil, fmt.Errorf("short \\x escape")
			}
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return nil, fmt.Errorf("\\x escape %q: %w", s[i+1:i+3], err)
			}
			out = append(out, byte(v))
			i += 2
		default:
			return nil, fmt.Errorf("unknown escape \\%c", s[i])
		}
	}
	return out, nil
}

// body returns the whole response body.
func (f *fixture) body() []byte {
	var b []byte
	for _, w := range f.writes {
		b = append(b, w.payload...)
	}
	return b
}

// clientRequest converts the fixture's request JSON into a Request.
func (f *fixture) clientRequest(t testing.TB) Request {
	t.Helper()
	req := Request{Path: f.endpoint}
	req.Model, _ = f.request["model"].(string)
	if v, ok := f.request["max_tokens"].(float64); ok {
		req.MaxTokens = int(v)
	}
	req.IgnoreEOS, _ = f.request["ignore_eos"].(bool)
	if prompt, ok := f.request["prompt"].(string); ok {
		req.Prompt = prompt
	}
	if messages, ok := f.request["messages"].([]any); ok {
		for _, m := range messages {
			fields, _ := m.(map[string]any)
			role, _ := fields["role"].(string)
			content, _ := fields["content"].(string)
			req.Messages = append(req.Messages, Message{Role: role, Content: content})
		}
	}
	if err := req.Validate(); err != nil {
		t.Fatalf("fixture %s request: %v", f.name, err)
	}
	return req
}

// timeout returns the fixture's request timeout, 0 when it sets none.
func (f *fixture) timeout() time.Duration {
	return time.Duration(f.config.RequestTimeoutMS) * time.Millisecond
}

func TestFixtureParser(t *testing.T) {
	f := loadFixture(t, "c11")
	if f.endpoint != PathChatCompletions || f.status != 200 || !f.hasClose || f.closeAt != 265*time.Millisecond {
		t.Errorf("c11 header directives parsed wrong: %+v", f)
	}
	if len(f.writes) != 9 {
		t.Fatalf("c11 writes = %d, want 9", len(f.writes))
	}
	if !bytes.HasSuffix(f.writes[1].payload, []byte{0xE4, 0xBD, 0xA0, 0xE5}) {
		t.Errorf("c11 second write ends in %x, want e4bda0e5", f.writes[1].payload[len(f.writes[1].payload)-4:])
	}
	if _, err := unescapePayload(`\q`); err == nil {
		t.Errorf("unescapePayload accepted an unknown escape")
	}
}
