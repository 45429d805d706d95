package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// checkTimeout bounds Check when ctx has no earlier deadline.
const checkTimeout = 10 * time.Second

// Check probes the server's GET /v1/models, and GET /health when the model
// list is missing, so that an unreachable or non-OpenAI-compatible endpoint
// fails before a run with an error naming the URL and the fix. It returns
// within checkTimeout (10 s) unless ctx ends earlier.
func (c *Client) Check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()

	modelsURL := c.baseURL + "/v1/models"
	status, body, err := c.get(ctx, modelsURL)
	if err != nil {
		return fmt.Errorf("checking server %s: %w; start the server or fix the base URL", modelsURL, err)
	}
	if status == http.StatusOK {
		var list struct {
			Data []json.RawMessage `json:"data"`
		}
		if json.Unmarshal(body, &list) != nil || list.Data == nil {
			return fmt.Errorf("checking server %s: the response is not an OpenAI model list (no \"data\" array): %q; point the base URL at an OpenAI-compatible server", modelsURL, cutMessage(string(body)))
		}
		return nil
	}

	healthURL := c.baseURL + "/health"
	healthStatus, _, healthErr := c.get(ctx, healthURL)
	if healthErr == nil && healthStatus == http.StatusOK {
		return fmt.Errorf("checking server %s: status %d although %s returns 200; the server is up but does not serve the OpenAI API under this base URL, so check its path and API flags", modelsURL, status, healthURL)
	}
	return fmt.Errorf("checking server %s: status %d: %s; point the base URL at an OpenAI-compatible server that is ready", modelsURL, status, cutMessage(errorBodyMessage(body)))
}

// get fetches url and returns its status and at most maxErrorBodyBytes of
// its body.
func (c *Client) get(ctx context.Context, url string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return 0, nil, fmt.Errorf("no response before the deadline (at most %v): %w", checkTimeout, err)
		}
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("reading the response: %w", err)
	}
	return resp.StatusCode, body, nil
}
