package matrix

import "testing"

func TestParseParams(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"125M", 125e6},
		{"1.5B", 1.5e9},
		{"2.7b", 2.7e9},
		{"350k", 350e3},
		{"1T", 1e12},
		{"125000000", 125e6},
		{"1.5e9", 1.5e9},
		{" 7B ", 7e9},
	}
	for _, tt := range tests {
		got, err := ParseParams(tt.in)
		if err != nil {
			t.Errorf("ParseParams(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseParams(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseParamsInvalid(t *testing.T) {
	for _, in := range []string{"", "12Q", "B", "-1B", "0", "NaN", "Inf", "1.5BB", "one"} {
		if got, err := ParseParams(in); err == nil {
			t.Errorf("ParseParams(%q) = %v, want an error", in, got)
		}
	}
}

func TestFormatParams(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{125e6, "125M"},
		{1.5e9, "1.5B"},
		{1.54e9, "1.54B"},
		{2.7e9, "2.7B"},
		{7.241e9, "7.24B"},
		{350e3, "350K"},
		{999, "999"},
		{0, ""},
	}
	for _, tt := range tests {
		if got := FormatParams(tt.in); got != tt.want {
			t.Errorf("FormatParams(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
