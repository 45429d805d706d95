package container

import (
	"errors"
	"reflect"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/system"
)

func TestParseGPUs(t *testing.T) {
	tests := []struct {
		in      string
		want    gpuSelection
		wantErr bool
	}{
		{in: "all", want: gpuSelection{all: true}},
		{in: "ALL", want: gpuSelection{all: true}},
		{in: "none", want: gpuSelection{none: true}},
		{in: "2", want: gpuSelection{count: 2}},
		{in: "0,1", want: gpuSelection{ids: []string{"0", "1"}}},
		{in: "device=1", want: gpuSelection{ids: []string{"1"}}},
		{in: "GPU-3a5b7c9d", want: gpuSelection{ids: []string{"GPU-3a5b7c9d"}}},
		{in: "0", wantErr: true},
		{in: "-1", wantErr: true},
		{in: "", wantErr: true},
		{in: "0,", wantErr: true},
		{in: "a b", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseGPUs(tt.in)
		if tt.wantErr {
			if err == nil {
				t.Errorf("parseGPUs(%q) = %+v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseGPUs(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseGPUs(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestDeviceRequestsFor(t *testing.T) {
	nvidia := system.Info{Runtimes: map[string]system.RuntimeWithStatus{"runc": {}, "nvidia": {}}}
	cdi := system.Info{DiscoveredDevices: []system.DeviceInfo{
		{Source: "cdi", ID: "nvidia.com/gpu=0"},
		{Source: "cdi", ID: "nvidia.com/gpu=1"},
		{Source: "cdi", ID: "nvidia.com/gpu=all"},
	}}
	gpu := [][]string{{"gpu"}}

	tests := []struct {
		name string
		info system.Info
		sel  gpuSelection
		want container.DeviceRequest
	}{
		{"runtime all", nvidia, gpuSelection{all: true}, container.DeviceRequest{Count: -1, Capabilities: gpu}},
		{"runtime count", nvidia, gpuSelection{count: 2}, container.DeviceRequest{Count: 2, Capabilities: gpu}},
		{"runtime ids", nvidia, gpuSelection{ids: []string{"1"}}, container.DeviceRequest{DeviceIDs: []string{"1"}, Capabilities: gpu}},
		{"cdi all", cdi, gpuSelection{all: true}, container.DeviceRequest{Driver: "cdi", DeviceIDs: []string{"nvidia.com/gpu=all"}}},
		{"cdi count", cdi, gpuSelection{count: 1}, container.DeviceRequest{Driver: "cdi", DeviceIDs: []string{"nvidia.com/gpu=0"}}},
		{"cdi ids", cdi, gpuSelection{ids: []string{"1"}}, container.DeviceRequest{Driver: "cdi", DeviceIDs: []string{"nvidia.com/gpu=1"}}},
	}
	for _, tt := range tests {
		got, err := deviceRequestsFor(tt.info, tt.sel)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if len(got) != 1 || !reflect.DeepEqual(got[0], tt.want) {
			t.Errorf("%s: device requests = %+v, want [%+v]", tt.name, got, tt.want)
		}
	}

	if _, err := deviceRequestsFor(cdi, gpuSelection{count: 3}); err == nil {
		t.Error("3 GPUs from 2 CDI devices: no error")
	}
	runcOnly := system.Info{Runtimes: map[string]system.RuntimeWithStatus{"runc": {}}}
	if _, err := deviceRequestsFor(runcOnly, gpuSelection{all: true}); !errors.Is(err, ErrNoGPURuntime) {
		t.Errorf("runc only: error = %v, want ErrNoGPURuntime", err)
	}
}
