package action

import (
	"os"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// actionYAML is the part of action.yml these tests read.
type actionYAML struct {
	Inputs  map[string]struct{ Default string } `yaml:"inputs"`
	Outputs map[string]struct{ Value string }   `yaml:"outputs"`
	Runs    struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID  string            `yaml:"id"`
			Run string            `yaml:"run"`
			Env map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

func readActionYAML(t *testing.T) actionYAML {
	t.Helper()
	data, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatalf("reading action.yml: %v", err)
	}
	var a actionYAML
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatalf("parsing action.yml: %v", err)
	}
	return a
}

func TestActionYAMLMapsEveryInput(t *testing.T) {
	a := readActionYAML(t)
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using = %q, want composite", a.Runs.Using)
	}
	var env map[string]string
	for _, s := range a.Runs.Steps {
		if s.ID == "run" {
			env = s.Env
		}
	}
	if env == nil {
		t.Fatal("action.yml has no step with id run")
	}

	// Every input the Go code reads, named as go-githubactions looks it up.
	read := map[string]bool{}
	_, _ = ParseInputs(func(name string) string {
		read[name] = true
		return ""
	})
	var names []string
	for name := range read {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, ok := a.Inputs[name]; !ok {
			t.Errorf("input %s is read by the action but not declared in action.yml", name)
		}
		key := "INPUT_" + strings.ToUpper(name)
		if got, want := env[key], "${{ inputs."+name+" }}"; got != want {
			t.Errorf("env %s = %q, want %q", key, got, want)
		}
	}
	for name := range a.Inputs {
		if !read[name] {
			t.Errorf("input %s is declared in action.yml but never read", name)
		}
	}
}

func TestActionYAMLOutputs(t *testing.T) {
	a := readActionYAML(t)
	for _, name := range []string{"results-dir", "summary-json", "report", "failed", "comment-url"} {
		if got, want := a.Outputs[name].Value, "${{ steps.run.outputs."+name+" }}"; got != want {
			t.Errorf("output %s value = %q, want %q", name, got, want)
		}
	}
	if len(a.Outputs) != 5 {
		t.Errorf("action.yml declares %d outputs, want 5", len(a.Outputs))
	}
}
