package container

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// pollInterval is the time between readiness probes.
const pollInterval = 500 * time.Millisecond

// probeTimeout bounds one readiness request.
const probeTimeout = 5 * time.Second

// waitReady polls the server until it is ready, the container exits or ctx
// ends, and writes a progress line every spec.ProgressInterval.
func (s *Server) waitReady(ctx context.Context, f Framework, spec Spec) error {
	transport := &http.Transport{DisableKeepAlives: true}
	defer transport.CloseIdleConnections()
	httpClient := &http.Client{Transport: transport, Timeout: probeTimeout}

	started := time.Now()
	poll := time.NewTicker(pollInterval)
	defer poll.Stop()
	progress := time.NewTicker(spec.ProgressInterval)
	defer progress.Stop()

	state := "container starting"
	for {
		select {
		case <-ctx.Done():
			return withLastLogs(startCause(ctx, spec.StartupTimeout, fmt.Errorf("last state: %s", state)), s.tail.last(tailLines))
		case <-s.exited:
			return fmt.Errorf("container exited during startup: %w", s.exitErr)
		case <-progress.C:
			spec.Log(fmt.Sprintf("waiting for %s to serve %s: %s elapsed, %s; last log line: %s",
				f.Name, spec.Model, time.Since(started).Round(time.Second), state, lastLine(s)))
		case <-poll.C:
			if len(s.candidates) == 0 {
				urls, err := s.candidateURLs(ctx, f)
				if err != nil {
					state = "waiting for the published port: " + err.Error()
					continue
				}
				s.candidates = urls
			}
			ready, detail := s.probeCandidates(ctx, httpClient, f, spec.ServedModelName)
			if ready {
				return nil
			}
			state = detail
		}
	}
}

// probeCandidates probes the server at each candidate URL until one responds
// over HTTP, and from then on only that one (s.BaseURL).
func (s *Server) probeCandidates(ctx context.Context, c *http.Client, f Framework, model string) (bool, string) {
	if s.BaseURL != "" {
		ready, _, detail := probe(ctx, c, s.BaseURL, f, model)
		return ready, detail
	}
	var first string
	for _, url := range s.candidates {
		ready, reached, detail := probe(ctx, c, url, f, model)
		if reached {
			s.BaseURL = url
			return ready, detail
		}
		if first == "" {
			first = detail
		}
	}
	return false, first
}

// candidateURLs returns the URLs under which the published port may be
// reachable: on the host that testcontainers-go resolves for the Docker
// engine, then, for an engine on a unix socket, on localhost. testcontainers-go
// resolves the default gateway when it runs in a container (it finds
// /.dockerenv), which is wrong where the engine runs in the same network
// namespace; TESTCONTAINERS_HOST_OVERRIDE sets the host explicitly.
func (s *Server) candidateURLs(ctx context.Context, f Framework) ([]string, error) {
	host, err := s.ctr.Host(ctx)
	if err != nil {
		return nil, err
	}
	port, err := s.ctr.MappedPort(ctx, strconv.Itoa(f.Port)+"/tcp")
	if err != nil {
		return nil, err
	}
	urls := []string{"http://" + net.JoinHostPort(host, port.Port())}
	if strings.HasPrefix(s.cli.DaemonHost(), "unix://") && !isLoopback(host) {
		urls = append(urls, "http://"+net.JoinHostPort("localhost", port.Port()))
	}
	return urls, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// probe reports whether the health endpoint returns 200 and the model list
// contains model, whether the server responded over HTTP at all, and
// otherwise what it found.
func probe(ctx context.Context, c *http.Client, baseURL string, f Framework, model string) (ready, reached bool, detail string) {
	ready, detail = probeReady(ctx, c, baseURL, f, model)
	return ready, !strings.HasPrefix(detail, "no answer"), detail
}

func probeReady(ctx context.Context, c *http.Client, baseURL string, f Framework, model string) (bool, string) {
	status, _, err := get(ctx, c, baseURL+f.HealthPath)
	if err != nil {
		return false, fmt.Sprintf("no answer from GET %s: %v", f.HealthPath, err)
	}
	if status != http.StatusOK {
		return false, fmt.Sprintf("GET %s returned %d", f.HealthPath, status)
	}

	status, body, err := get(ctx, c, baseURL+f.ModelsPath)
	if err != nil {
		return false, fmt.Sprintf("GET %s failed: %v", f.ModelsPath, err)
	}
	if status != http.StatusOK {
		return false, fmt.Sprintf("GET %s returned %d", f.ModelsPath, status)
	}
	var list struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return false, fmt.Sprintf("GET %s returned invalid JSON: %v", f.ModelsPath, err)
	}
	var ids []string
	for _, m := range list.Data {
		if m.ID == model {
			return true, ""
		}
		ids = append(ids, m.ID)
	}
	return false, fmt.Sprintf("GET %s lists %q, not %q", f.ModelsPath, ids, model)
}

func get(ctx context.Context, c *http.Client, url string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		var urlErr interface{ Unwrap() error }
		if errors.As(err, &urlErr) {
			err = urlErr.Unwrap()
		}
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, body, err
}

func lastLine(s *Server) string {
	lines := s.tail.last(1)
	if len(lines) == 0 {
		return "(none yet)"
	}
	return lines[0]
}
