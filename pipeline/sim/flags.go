package sim

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ErrHelp is returned by ParseArgs when the arguments ask for help (-h or
// --help). Print Usage(flavor) and exit successfully.
var ErrHelp = errors.New("help requested")

// EnvPrefix starts the environment variables that set simulator flags:
// --sim-ttft is LLMBENCH_SIM_TTFT, --sim-error-rate is LLMBENCH_SIM_ERROR_RATE.
// Flags on the command line take precedence over the environment.
const EnvPrefix = "LLMBENCH_SIM_"

// ParseArgs parses a framework's command-line arguments, without the program
// name: for vLLM what follows "vllm serve", for SGLang what follows
// "python3 -m sglang.launch_server". Unknown flags are rejected.
// Simulator flags (--sim-*) come from args only.
func ParseArgs(flavor string, args []string) (Config, error) {
	return ParseArgsEnv(flavor, args, nil)
}

// ParseArgsEnv is ParseArgs with simulator flags also read from environment
// variables through lookupEnv (os.LookupEnv in a real process; nil for
// none), see EnvPrefix.
func ParseArgsEnv(flavor string, args []string, lookupEnv func(string) (string, bool)) (Config, error) {
	specs, err := flagSpecs(flavor)
	if err != nil {
		return Config{}, err
	}
	cfg := defaultConfig(flavor)

	if lookupEnv != nil {
		if err := applyEnv(&cfg, lookupEnv); err != nil {
			return Config{}, err
		}
	}

	p := parser{flavor: flavor, specs: specs}
	positionals, err := p.parse(&cfg, args)
	if err != nil {
		return Config{}, err
	}
	if err := applyPositionals(&cfg, positionals); err != nil {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// valueKind is the type of a flag's value.
type valueKind int

const (
	kindBool valueKind = iota
	kindString
	kindInt
	kindFloat
	kindDuration
	kindStrings // one or more values, like argparse nargs="+"
)

// flagSpec describes one flag of a flavor's command line.
type flagSpec struct {
	names []string // the first is the canonical name, the rest aliases
	kind  valueKind
	// negatable accepts --no-<name> as false, like argparse's
	// BooleanOptionalAction that vLLM uses.
	negatable bool
	help      string
	// set stores a value; boolean flags get "true" or "false".
	set func(c *Config, value string) error
}

type parser struct {
	flavor string
	specs  []flagSpec
}

func (p parser) lookup(name string) (*flagSpec, bool, bool) {
	for i := range p.specs {
		s := &p.specs[i]
		for _, n := range s.names {
			if n == name {
				return s, false, true
			}
			if s.negatable && strings.HasPrefix(n, "--") && name == "--no-"+n[2:] {
				return s, true, true
			}
		}
	}
	return nil, false, false
}

// parse applies the flags in args to cfg and returns the positional
// arguments.
func (p parser) parse(cfg *Config, args []string) ([]string, error) {
	var positionals []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			positionals = append(positionals, args[i+1:]...)
			break
		}
		if !looksLikeFlag(arg) {
			positionals = append(positionals, arg)
			continue
		}
		if arg == "-h" || arg == "--help" {
			return nil, ErrHelp
		}

		name, value, hasValue := strings.Cut(arg, "=")
		if p.flavor == FlavorVLLM && strings.HasPrefix(name, "--") {
			// vLLM's argument parser accepts --max_model_len for --max-model-len.
			name = "--" + strings.ReplaceAll(name[2:], "_", "-")
		}
		spec, negated, ok := p.lookup(name)
		if !ok {
			return nil, fmt.Errorf("unknown flag %s for %s: the simulator rejects flags that it does not know, run with --help to list the accepted ones", name, p.flavor)
		}

		switch {
		case spec.kind == kindBool:
			if hasValue {
				return nil, fmt.Errorf("flag %s takes no value, got %q", name, value)
			}
			if err := spec.set(cfg, strconv.FormatBool(!negated)); err != nil {
				return nil, fmt.Errorf("flag %s: %w", name, err)
			}
			continue
		case spec.kind == kindStrings && !hasValue:
			var values []string
			for i+1 < len(args) && !looksLikeFlag(args[i+1]) {
				values = append(values, args[i+1])
				i++
			}
			if len(values) == 0 {
				return nil, fmt.Errorf("flag %s needs at least one value", name)
			}
			value = strings.Join(values, "\x00")
		case !hasValue:
			if i+1 >= len(args) || (looksLikeFlag(args[i+1]) && !looksLikeNegativeValue(args[i+1])) {
				return nil, fmt.Errorf("flag %s needs a value", name)
			}
			i++
			value = args[i]
		}
		if err := spec.set(cfg, value); err != nil {
			return nil, fmt.Errorf("flag %s: %w", name, err)
		}
	}
	return positionals, nil
}

// looksLikeFlag reports whether arg is a flag rather than a value; negative
// numbers are values, as in Python's argparse.
func looksLikeFlag(arg string) bool {
	if len(arg) < 2 || arg[0] != '-' {
		return false
	}
	if _, err := strconv.ParseFloat(arg, 64); err == nil {
		return false
	}
	return true
}

// looksLikeNegativeValue reports whether arg, which starts with "-", is a
// negative number, duration or size such as -1, -1ms or -4k. Such an argument
// after a flag that takes a value is that value, so that validation rejects
// it with its own message. No flag name starts with a digit or a dot.
func looksLikeNegativeValue(arg string) bool {
	rest, ok := strings.CutPrefix(arg, "-")
	if !ok || rest == "" {
		return false
	}
	if _, err := strconv.ParseFloat(rest, 64); err == nil {
		return true
	}
	if _, err := time.ParseDuration(rest); err == nil {
		return true
	}
	if strings.ContainsAny(rest[len(rest)-1:], "kmgKMG") {
		_, err := strconv.ParseFloat(rest[:len(rest)-1], 64)
		return err == nil
	}
	return false
}

func applyPositionals(cfg *Config, positionals []string) error {
	if len(positionals) == 0 {
		return nil
	}
	if cfg.Flavor != FlavorVLLM || len(positionals) > 1 {
		return fmt.Errorf("unexpected argument %q for %s: every setting is a flag", positionals[len(positionals)-1], cfg.Flavor)
	}
	if cfg.Model != "" && cfg.Model != positionals[0] {
		return fmt.Errorf("model given twice, as argument %q and as --model %q: keep only the argument", positionals[0], cfg.Model)
	}
	cfg.Model = positionals[0]
	return nil
}

// applyEnv sets the simulator flags found in the environment.
func applyEnv(cfg *Config, lookupEnv func(string) (string, bool)) error {
	for _, spec := range simFlagSpecs() {
		name := spec.names[0]
		key := EnvPrefix + strings.ToUpper(strings.ReplaceAll(strings.TrimPrefix(name, "--sim-"), "-", "_"))
		value, ok := lookupEnv(key)
		if !ok || value == "" {
			continue
		}
		if err := spec.set(cfg, value); err != nil {
			return fmt.Errorf("environment variable %s: %w", key, err)
		}
	}
	return nil
}

// Usage returns the help text listing a flavor's accepted flags.
func Usage(flavor string) string {
	specs, err := flagSpecs(flavor)
	if err != nil {
		return err.Error() + "\n"
	}
	var b strings.Builder
	switch flavor {
	case FlavorVLLM:
		b.WriteString("Usage: vllm serve <model> [flags]\n\nSimulated vLLM server. Accepted flags:\n")
	case FlavorSGLang:
		b.WriteString("Usage: python3 -m sglang.launch_server --model-path <model> [flags]\n\nSimulated SGLang server. Accepted flags:\n")
	}
	sorted := append([]flagSpec(nil), specs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].names[0] < sorted[j].names[0] })
	for _, s := range sorted {
		names := strings.Join(s.names, ", ")
		if s.negatable {
			names += ", --no-" + s.names[0][2:]
		}
		fmt.Fprintf(&b, "  %-40s %s\n", names+kindPlaceholder(s.kind), s.help)
	}
	fmt.Fprintf(&b, "\nEvery --sim-* flag can also be set with an environment variable: --sim-ttft is %sTTFT.\n", EnvPrefix)
	return b.String()
}

func kindPlaceholder(k valueKind) string {
	switch k {
	case kindString:
		return " string"
	case kindInt:
		return " int"
	case kindFloat:
		return " float"
	case kindDuration:
		return " duration"
	case kindStrings:
		return " name..."
	}
	return ""
}

func flagSpecs(flavor string) ([]flagSpec, error) {
	switch flavor {
	case FlavorVLLM:
		return append(vllmFlagSpecs(), simFlagSpecs()...), nil
	case FlavorSGLang:
		return append(sglangFlagSpecs(), simFlagSpecs()...), nil
	}
	return nil, fmt.Errorf("invalid flavor %q: use %q or %q", flavor, FlavorVLLM, FlavorSGLang)
}

// Flag constructors. Each parses its value strictly and stores it through
// the field accessor.

func stringFlag(help string, field func(*Config) *string, names ...string) flagSpec {
	return flagSpec{names: names, kind: kindString, help: help, set: func(c *Config, v string) error {
		*field(c) = v
		return nil
	}}
}

func choiceFlag(help string, choices []string, field func(*Config) *string, names ...string) flagSpec {
	return flagSpec{names: names, kind: kindString, help: help + " (" + strings.Join(choices, ", ") + ")", set: func(c *Config, v string) error {
		for _, choice := range choices {
			if v == choice {
				if field != nil {
					*field(c) = v
				}
				return nil
			}
		}
		return fmt.Errorf("invalid choice %q: use one of %s", v, strings.Join(choices, ", "))
	}}
}

func intFlag(help string, min int, field func(*Config) *int, names ...string) flagSpec {
	return flagSpec{names: names, kind: kindInt, help: help, set: func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("invalid integer %q", v)
		}
		if n < min {
			return fmt.Errorf("invalid value %d: must be at least %d", n, min)
		}
		if field != nil {
			*field(c) = n
		}
		return nil
	}}
}

func int64Flag(help string, field func(*Config) *int64, names ...string) flagSpec {
	return flagSpec{names: names, kind: kindInt, help: help, set: func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("invalid integer %q", v)
		}
		*field(c) = n
		return nil
	}}
}

func floatFlag(help string, field func(*Config) *float64, names ...string) flagSpec {
	return flagSpec{names: names, kind: kindFloat, help: help, set: func(c *Config, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("invalid number %q", v)
		}
		if field != nil {
			*field(c) = f
		}
		return nil
	}}
}

func boolFlag(help string, field func(*Config) *bool, names ...string) flagSpec {
	return flagSpec{names: names, kind: kindBool, help: help, set: func(c *Config, v string) error {
		if field != nil {
			*field(c) = v == "true"
		}
		return nil
	}}
}

func durationFlag(help string, field func(*Config) *time.Duration, names ...string) flagSpec {
	return flagSpec{names: names, kind: kindDuration, help: help, set: func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("invalid duration %q: use a Go duration such as 50ms or 2s", v)
		}
		*field(c) = d
		return nil
	}}
}

func simFlagSpecs() []flagSpec {
	return []flagSpec{
		durationFlag("simulator: fixed time from admission to the first token (default: latency model)", func(c *Config) *time.Duration { return &c.Sim.TTFT }, "--sim-ttft"),
		durationFlag("simulator: fixed time between tokens (default: latency model)", func(c *Config) *time.Duration { return &c.Sim.ITL }, "--sim-itl"),
		floatFlag("simulator: model size in billions of parameters (default: from the model name, else 1)", func(c *Config) *float64 { return &c.Sim.ParamsB }, "--sim-params-b"),
		floatFlag("simulator: fraction of requests that fail with HTTP 500", func(c *Config) *float64 { return &c.Sim.ErrorRate }, "--sim-error-rate"),
		floatFlag("simulator: fraction of streams that carry an error event mid-stream", func(c *Config) *float64 { return &c.Sim.InBandErrorRate }, "--sim-inband-error-rate"),
		floatFlag("simulator: fraction of streams that stop sending and stay open", func(c *Config) *float64 { return &c.Sim.StallRate }, "--sim-stall-rate"),
		floatFlag("simulator: fraction of streams whose connection is closed mid-stream", func(c *Config) *float64 { return &c.Sim.DisconnectRate }, "--sim-disconnect-rate"),
		int64Flag("simulator: seed for generated text, output lengths and faults", func(c *Config) *int64 { return &c.Sim.Seed }, "--sim-seed"),
		durationFlag("simulator: time during which /health answers 503 after start", func(c *Config) *time.Duration { return &c.Sim.StartupDelay }, "--sim-startup-delay"),
		durationFlag("simulator: stop abruptly this long after start, like a crash", func(c *Config) *time.Duration { return &c.Sim.ExitAfter }, "--sim-exit-after"),
		intFlag("simulator: KV cache size in tokens at memory fraction 1", 1, func(c *Config) *int { return &c.Sim.KVCacheTokens }, "--sim-kv-cache-tokens"),
		intFlag("simulator: reject prompt token ids at or above this value (0: no check)", 0, func(c *Config) *int { return &c.Sim.VocabSize }, "--sim-vocab-size"),
	}
}
