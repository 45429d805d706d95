package workload

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestBuiltinPlanWorkloads(t *testing.T) {
	tests := []struct {
		name        string
		numRequests int
		maxTokens   int
	}{
		{"small", 10, 64},
		{"medium", 50, 128},
		{"large", 100, 256},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := Builtin(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if w.NumRequests != tt.numRequests {
				t.Errorf("NumRequests = %d, want %d", w.NumRequests, tt.numRequests)
			}
			if w.MaxTokens != tt.maxTokens {
				t.Errorf("MaxTokens = %d, want %d", w.MaxTokens, tt.maxTokens)
			}
			if !w.IgnoreEOS {
				t.Error("IgnoreEOS = false, want true so the output length is fixed")
			}
			if w.OpenLoop() {
				t.Error("OpenLoop() = true, want closed loop")
			}
			if err := w.Validate(); err != nil {
				t.Errorf("Validate() = %v", err)
			}
		})
	}
}

func TestNamesSorted(t *testing.T) {
	got := Names()
	want := []string{"large", "medium", "small"}
	if !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
}

func TestBuiltinUnknownListsNames(t *testing.T) {
	_, err := Builtin("huge")
	if err == nil {
		t.Fatal("Builtin(huge) succeeded")
	}
	if !strings.Contains(err.Error(), "large, medium, small") {
		t.Errorf("error %q does not list the built-in names", err)
	}
}

// writeFile writes content to name in a new temporary folder and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadRequestRate(t *testing.T) {
	tests := []struct {
		rate string
		want float64
	}{
		{`"inf"`, math.Inf(1)},
		{`"Inf"`, math.Inf(1)},
		{`"INF"`, math.Inf(1)},
		{`"infinity"`, math.Inf(1)},
		{`10`, 10},
		{`0.25`, 0.25},
		{`"12.5"`, 12.5},
		{`null`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.rate, func(t *testing.T) {
			path := writeFile(t, "w.json", `{"num_requests": 5, "max_tokens": 16, "request_rate": `+tt.rate+`}`)
			w, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if w.RequestRate != tt.want {
				t.Errorf("RequestRate = %v, want %v", w.RequestRate, tt.want)
			}
		})
	}
}

func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string // the error after "workload file <path>: "
	}{
		{"rate zero", `{"num_requests": 5, "max_tokens": 16, "request_rate": 0}`,
			`field "request_rate": must be > 0 or "inf", got 0`},
		{"rate negative", `{"num_requests": 5, "max_tokens": 16, "request_rate": -1}`,
			`field "request_rate": must be > 0 or "inf", got -1`},
		{"rate word", `{"num_requests": 5, "max_tokens": 16, "request_rate": "fast"}`,
			`field "request_rate": must be a number of requests per second > 0 or "inf", got "fast"`},
		{"rate overflow", `{"num_requests": 5, "max_tokens": 16, "request_rate": 1e400}`,
			`field "request_rate": must be a number of requests per second > 0 or "inf", got "1e400"`},
		{"unknown field", `{"num_requests": 5, "max_tokens": 16, "rate": 3}`,
			`field "rate": unknown field; the known fields are name, num_requests, max_tokens, concurrency, request_rate, arrival, burstiness, input_len, dataset, endpoint, ignore_eos, temperature, warmup_requests, timeout, seed`},
		{"wrong type", `{"num_requests": "5", "max_tokens": 16}`,
			`field "num_requests": must be an integer, got a JSON string`},
		{"timeout number", `{"num_requests": 5, "max_tokens": 16, "timeout": 30}`,
			`field "timeout": must be a string, got a JSON number`},
		{"timeout unit", `{"num_requests": 5, "max_tokens": 16, "timeout": "30"}`,
			`field "timeout": must be a positive duration such as "30s" or "2m", got "30"`},
		{"missing num_requests", `{"max_tokens": 16}`,
			`field "num_requests": missing; set the number of measured requests, e.g. 50`},
		{"missing max_tokens", `{"num_requests": 5}`,
			`field "max_tokens": missing; set the output length in tokens, e.g. 128`},
		{"max_tokens negative", `{"num_requests": 5, "max_tokens": -3}`,
			`field "max_tokens": must be > 0, got -3`},
		{"arrival", `{"num_requests": 5, "max_tokens": 16, "request_rate": 2, "arrival": "uniform"}`,
			`field "arrival": must be "poisson", "gamma" or "constant", got "uniform"`},
		{"burstiness", `{"num_requests": 5, "max_tokens": 16, "request_rate": 2, "arrival": "gamma", "burstiness": 0}`,
			`field "burstiness": must be a finite number > 0 for gamma arrivals (1 is Poisson, lower is burstier), got 0`},
		{"random chat", `{"num_requests": 5, "max_tokens": 16, "endpoint": "chat"}`,
			`field "dataset": random token-id prompts need the completions endpoint; set endpoint to "completions" or dataset to "builtin"`},
		{"syntax", "{\n  \"num_requests\": 5,\n  \"max_tokens\": 16,,\n}",
			`invalid JSON at line 3, column 20: invalid character ',' looking for beginning of object key string`},
		{"two objects", `{"num_requests": 5, "max_tokens": 16} {}`,
			`unexpected data after the workload object; a workload file holds one JSON object`},
		{"empty", ``, `empty file; a workload file holds one JSON object`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "w.json", tt.content)
			_, err := Load(path)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			want := "workload file " + path + ": " + tt.want
			if err.Error() != want {
				t.Errorf("error:\n got %s\nwant %s", err, want)
			}
		})
	}
}

func TestLoadFieldErrorUnwraps(t *testing.T) {
	path := writeFile(t, "w.json", `{"num_requests": 0, "max_tokens": 0}`)
	_, err := Load(path)
	var fieldErr *FieldError
	if !errors.As(err, &fieldErr) {
		t.Fatalf("error %v is not a *FieldError", err)
	}
	if !strings.Contains(err.Error(), `field "num_requests"`) || !strings.Contains(err.Error(), `field "max_tokens"`) {
		t.Errorf("error %q does not name both invalid fields", err)
	}
}

func TestLoadAllFields(t *testing.T) {
	path := filepath.Join("testdata", "chat_sharegpt.json")
	w, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := Workload{
		Name: "chat-sharegpt", NumRequests: 6, MaxTokens: 0, Concurrency: 2, RequestRate: 4.5,
		Arrival: ArrivalGamma, Burstiness: 0.5, InputLen: DefaultInputLen,
		Dataset:  filepath.Join("testdata", "sharegpt_small.json"),
		Endpoint: EndpointChat, IgnoreEOS: false, Temperature: 0.7, WarmupRequests: 1,
		Timeout: 30 * time.Second, Seed: 7,
	}
	if !reflect.DeepEqual(w, want) {
		t.Errorf("Load:\n got %+v\nwant %+v", w, want)
	}
}

func TestLoadDefaults(t *testing.T) {
	path := writeFile(t, "tiny.json", `{"num_requests": 3, "max_tokens": 8}`)
	w, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := Workload{
		Name: "tiny", NumRequests: 3, MaxTokens: 8, Arrival: DefaultArrival, Burstiness: DefaultBurstiness,
		InputLen: DefaultInputLen, Dataset: DatasetRandom, Endpoint: EndpointCompletions, IgnoreEOS: true,
		WarmupRequests: DefaultWarmupRequests, Timeout: DefaultTimeout, Seed: DefaultSeed,
	}
	if !reflect.DeepEqual(w, want) {
		t.Errorf("Load:\n got %+v\nwant %+v", w, want)
	}
}

func TestLoadMissingDataset(t *testing.T) {
	path := writeFile(t, "w.json", `{"num_requests": 3, "max_tokens": 8, "dataset": "nowhere.json"}`)
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), `field "dataset": cannot open the ShareGPT file`) {
		t.Errorf("Load = %v, want a dataset error", err)
	}
}

func TestResolve(t *testing.T) {
	w, err := Resolve("medium")
	if err != nil || w.Name != "medium" {
		t.Errorf("Resolve(medium) = %v, %v", w.Name, err)
	}
	w, err = Resolve(filepath.Join("testdata", "chat_sharegpt.json"))
	if err != nil || w.Name != "chat-sharegpt" {
		t.Errorf("Resolve(file) = %v, %v", w.Name, err)
	}
	_, err = Resolve("tiny")
	if err == nil || !strings.Contains(err.Error(), `unknown workload "tiny"`) {
		t.Errorf("Resolve(tiny) = %v, want an unknown workload error", err)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	for _, rate := range []float64{0, 2.5, math.Inf(1)} {
		w, _ := Builtin("small")
		w.RequestRate = rate
		w.Timeout = 30 * time.Second
		data, err := json.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		var back Workload
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatalf("Unmarshal(%s): %v", data, err)
		}
		if !reflect.DeepEqual(back, w) {
			t.Errorf("round trip of %s:\n got %+v\nwant %+v", data, back, w)
		}
	}
}

func TestMarshalInfAndTimeout(t *testing.T) {
	w, _ := Builtin("small")
	w.RequestRate = math.Inf(1)
	data, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	got := string(data)
	for _, want := range []string{`"request_rate":"inf"`, `"timeout":"2m0s"`} {
		if !strings.Contains(got, want) {
			t.Errorf("Marshal = %s, want it to contain %s", got, want)
		}
	}

	w.RequestRate = 0
	data, _ = json.Marshal(w)
	if strings.Contains(string(data), "request_rate") {
		t.Errorf("closed-loop Marshal = %s, want no request_rate", data)
	}
}

func TestFormatRate(t *testing.T) {
	tests := []struct {
		rate float64
		want string
	}{
		{0, ""}, {-1, ""}, {math.NaN(), ""}, {math.Inf(1), "inf"}, {10, "10"}, {0.1, "0.1"}, {1000, "1000"},
	}
	for _, tt := range tests {
		if got := FormatRate(tt.rate); got != tt.want {
			t.Errorf("FormatRate(%v) = %q, want %q", tt.rate, got, tt.want)
		}
	}
}
