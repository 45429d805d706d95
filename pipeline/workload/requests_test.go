package workload

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/llmbench/llmbench-action/pipeline/client"
)

func TestBuildRandomPrompts(t *testing.T) {
	w, _ := Builtin("medium")
	warmup, measured, err := BuildRequests(w, "facebook/opt-125m")
	if err != nil {
		t.Fatal(err)
	}
	if len(warmup) != w.WarmupRequests || len(measured) != w.NumRequests {
		t.Fatalf("got %d warm-up and %d measured requests, want %d and %d",
			len(warmup), len(measured), w.WarmupRequests, w.NumRequests)
	}
	for i, req := range append(warmup, measured...) {
		if len(req.PromptTokenIDs) != w.InputLen {
			t.Fatalf("request %d has %d token ids, want %d", i, len(req.PromptTokenIDs), w.InputLen)
		}
		for _, id := range req.PromptTokenIDs {
			if id < RandomTokenMin || id >= RandomTokenMax {
				t.Fatalf("request %d has token id %d outside [%d, %d)", i, id, RandomTokenMin, RandomTokenMax)
			}
		}
		if req.InputTokensClient != w.InputLen {
			t.Errorf("request %d InputTokensClient = %d, want %d", i, req.InputTokensClient, w.InputLen)
		}
		if req.Path != client.PathCompletions || req.Model != "facebook/opt-125m" || req.MaxTokens != 128 || !req.IgnoreEOS {
			t.Errorf("request %d settings = %+v", i, req)
		}
		if req.Prompt != "" || req.Messages != nil {
			t.Errorf("request %d has a text prompt besides its token ids", i)
		}
	}
	if reflect.DeepEqual(measured[0].PromptTokenIDs, measured[1].PromptTokenIDs) {
		t.Error("requests 0 and 1 have the same prompt")
	}
}

func TestBuildSameSeedSameRequests(t *testing.T) {
	w, _ := Builtin("small")
	_, first, _ := BuildRequests(w, "m")
	_, second, _ := BuildRequests(w, "m")
	if !reflect.DeepEqual(first, second) {
		t.Error("the same workload gave different requests")
	}

	w.WarmupRequests = 5
	_, moreWarmup, _ := BuildRequests(w, "m")
	if !reflect.DeepEqual(first, moreWarmup) {
		t.Error("changing warmup_requests changed the measured requests")
	}

	w.Seed++
	_, otherSeed, _ := BuildRequests(w, "m")
	if reflect.DeepEqual(first, otherSeed) {
		t.Error("another seed gave the same requests")
	}
}

func TestBuildBuiltinChat(t *testing.T) {
	w, _ := Builtin("small")
	w.Dataset = DatasetBuiltin
	w.Endpoint = EndpointChat
	_, measured, err := BuildRequests(w, "m")
	if err != nil {
		t.Fatal(err)
	}
	for i, req := range measured {
		if req.Path != client.PathChatCompletions {
			t.Errorf("request %d Path = %q", i, req.Path)
		}
		if len(req.Messages) != 1 || req.Messages[0].Role != "user" || req.Messages[0].Content == "" {
			t.Fatalf("request %d Messages = %+v, want one user message", i, req.Messages)
		}
		if req.InputTokensClient != EstimateTokens(req.Messages[0].Content) {
			t.Errorf("request %d InputTokensClient = %d", i, req.InputTokensClient)
		}
		if req.PromptTokenIDs != nil || req.Prompt != "" {
			t.Errorf("request %d has a second prompt form", i)
		}
	}
}

func TestBuildBuiltinCompletionsText(t *testing.T) {
	w, _ := Builtin("small")
	w.Dataset = DatasetBuiltin
	_, measured, err := BuildRequests(w, "m")
	if err != nil {
		t.Fatal(err)
	}
	if measured[0].Prompt == "" || measured[0].Messages != nil {
		t.Errorf("request 0 = %+v, want a text prompt", measured[0])
	}
}

func TestBuildShareGPT(t *testing.T) {
	w, err := Load(filepath.Join("testdata", "chat_sharegpt.json"))
	if err != nil {
		t.Fatal(err)
	}
	_, measured, err := BuildRequests(w, "m")
	if err != nil {
		t.Fatal(err)
	}

	// Reply lengths: "The capital of France is Paris, which is also its
	// largest city." is 12 words, ceil(12 x 1.3) = 16 tokens; "Red, yellow
	// and blue." is 4 words, ceil(5.2) = 6 tokens.
	want := map[string]int{
		"What is the capital of France?": 16,
		"Name three primary colours.":    6,
	}
	seen := map[string]bool{}
	for i, req := range measured {
		if len(req.Messages) != 1 {
			t.Fatalf("request %d Messages = %+v", i, req.Messages)
		}
		text := req.Messages[0].Content
		maxTokens, ok := want[text]
		if !ok {
			t.Fatalf("request %d prompt %q is not a first human turn of the file", i, text)
		}
		seen[text] = true
		if req.MaxTokens != maxTokens {
			t.Errorf("request %d MaxTokens = %d, want %d", i, req.MaxTokens, maxTokens)
		}
		if req.Temperature != 0.7 || req.IgnoreEOS {
			t.Errorf("request %d settings = %+v", i, req)
		}
	}
	if len(seen) != 2 {
		t.Errorf("used prompts %v, want both usable conversations over 6 requests", seen)
	}
}

func TestBuildShareGPTFixedMaxTokens(t *testing.T) {
	w, _ := Load(filepath.Join("testdata", "chat_sharegpt.json"))
	w.MaxTokens = 32
	_, measured, err := BuildRequests(w, "m")
	if err != nil {
		t.Fatal(err)
	}
	for i, req := range measured {
		if req.MaxTokens != 32 {
			t.Errorf("request %d MaxTokens = %d, want the workload's 32", i, req.MaxTokens)
		}
	}
}

func TestBuildShareGPTNoneUsable(t *testing.T) {
	w, _ := Builtin("small")
	w.Dataset = filepath.Join("testdata", "sharegpt_none.json")
	w.Endpoint = EndpointChat
	_, _, err := BuildRequests(w, "m")
	if err == nil || !strings.Contains(err.Error(), "none of its 2 conversations has a human turn") {
		t.Errorf("BuildRequests = %v, want a no-usable-conversation error", err)
	}
}

func TestBuildInvalidWorkload(t *testing.T) {
	_, _, err := BuildRequests(Workload{Name: "broken"}, "m")
	if err == nil {
		t.Fatal("BuildRequests accepted the zero workload")
	}
}

func TestEstimateTokens(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"", 0},
		{"one", 2},
		{"one two three", 4},
		{"  ten words here and there to count up to ten  ", 13},
	}
	for _, tt := range tests {
		if got := EstimateTokens(tt.text); got != tt.want {
			t.Errorf("EstimateTokens(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}
