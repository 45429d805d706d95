package container

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/system"
	"github.com/moby/moby/client"
)

// ErrNoGPURuntime is returned when GPUs are requested from a Docker engine
// that has neither the NVIDIA runtime nor NVIDIA CDI devices.
var ErrNoGPURuntime = errors.New("no GPU runtime on this Docker host; set --gpus none (gpus: none in a matrix file) or install the NVIDIA container toolkit")

// gpuSelection is a parsed Spec.GPUs value.
type gpuSelection struct {
	none  bool
	all   bool
	count int
	ids   []string
}

var deviceIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]*$`)

// parseGPUs parses "all", "none", a count ("2"), device ids ("0,1") or
// "device=ID[,ID...]".
func parseGPUs(value string) (gpuSelection, error) {
	v := strings.TrimSpace(value)
	switch strings.ToLower(v) {
	case "all":
		return gpuSelection{all: true}, nil
	case "none":
		return gpuSelection{none: true}, nil
	}

	list, explicit := strings.CutPrefix(v, "device=")
	if !explicit && !strings.Contains(v, ",") {
		n, err := strconv.Atoi(v)
		if err == nil && n > 0 {
			return gpuSelection{count: n}, nil
		}
		if err == nil || !deviceIDPattern.MatchString(v) || !isGPUUUID(v) {
			return gpuSelection{}, invalidGPUs(value)
		}
		// A single non-numeric token is a device id only when it is a GPU or
		// MIG UUID, as nvidia-smi -L prints them. A word such as "yes" is a
		// mistake.
	}

	var ids []string
	for _, id := range strings.Split(list, ",") {
		id = strings.TrimSpace(id)
		if !deviceIDPattern.MatchString(id) {
			return gpuSelection{}, invalidGPUs(value)
		}
		ids = append(ids, id)
	}
	return gpuSelection{ids: ids}, nil
}

// isGPUUUID reports whether id looks like an NVIDIA GPU or MIG UUID.
func isGPUUUID(id string) bool {
	upper := strings.ToUpper(id)
	return strings.HasPrefix(upper, "GPU-") || strings.HasPrefix(upper, "MIG-")
}

// ValidateGPUs checks a GPU selection: "all", "none", a count such as "2",
// device ids such as "0,1", "device=ID[,ID...]" or a GPU UUID.
func ValidateGPUs(value string) error {
	_, err := parseGPUs(value)
	return err
}

func invalidGPUs(value string) error {
	return fmt.Errorf("invalid gpus %q: want all, none, a count > 0 such as 2, or device ids such as 0,1 (device=1 for the single device 1)", value)
}

// deviceRequests returns the device requests for sel after checking that the
// engine can provide GPUs: through the nvidia runtime (the NVIDIA container
// toolkit's hook, as docker run --gpus uses it) or through CDI devices named
// nvidia.com/gpu=... .
func deviceRequests(ctx context.Context, cli client.APIClient, sel gpuSelection) ([]container.DeviceRequest, error) {
	if sel.none {
		return nil, nil
	}
	result, err := cli.Info(ctx, client.InfoOptions{})
	if err != nil {
		return nil, fmt.Errorf("reading Docker engine info to find a GPU runtime: %w", err)
	}
	return deviceRequestsFor(result.Info, sel)
}

func deviceRequestsFor(info system.Info, sel gpuSelection) ([]container.DeviceRequest, error) {
	if _, ok := info.Runtimes["nvidia"]; ok {
		req := container.DeviceRequest{Capabilities: [][]string{{"gpu"}}}
		switch {
		case sel.all:
			req.Count = -1
		case sel.count > 0:
			req.Count = sel.count
		default:
			req.DeviceIDs = sel.ids
		}
		return []container.DeviceRequest{req}, nil
	}

	var cdiIndexes []string
	for _, dev := range info.DiscoveredDevices {
		name, ok := strings.CutPrefix(dev.ID, "nvidia.com/gpu=")
		if !ok {
			continue
		}
		if _, err := strconv.Atoi(name); err == nil {
			cdiIndexes = append(cdiIndexes, dev.ID)
		}
	}
	if len(cdiIndexes) == 0 {
		return nil, ErrNoGPURuntime
	}

	req := container.DeviceRequest{Driver: "cdi"}
	switch {
	case sel.all:
		req.DeviceIDs = []string{"nvidia.com/gpu=all"}
	case sel.count > 0:
		if sel.count > len(cdiIndexes) {
			return nil, fmt.Errorf("requested %d GPUs but the Docker host has %d (CDI devices %v)", sel.count, len(cdiIndexes), cdiIndexes)
		}
		req.DeviceIDs = cdiIndexes[:sel.count]
	default:
		for _, id := range sel.ids {
			req.DeviceIDs = append(req.DeviceIDs, "nvidia.com/gpu="+id)
		}
	}
	return []container.DeviceRequest{req}, nil
}
