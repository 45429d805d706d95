package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// checkTimeout bounds Check when ctx has no earlier deadline.
const checkTimeout = 10 * time.Second

// maxListedModels is the number of served model names an error lists.
const maxListedModels = 10

// Check probes the server's GET /v1/models, and GET /health when the model
// list is missing, so that an unreachable or non-OpenAI-compatible endpoint
// fails before a run with an error naming the URL and the fix. It returns
// within checkTimeout (10 s) unless ctx ends earlier.
func (c *Client) Check(ctx context.Context) error {
	_, err := c.servedModels(ctx)
	return err
}

// CheckModel does what Check does and then requires that the model list
// includes model, so that an endpoint that serves no model or another model
// fails before a run. The error lists the served names.
func (c *Client) CheckModel(ctx context.Context, model string) error {
	if model == "" {
		return errors.New("checking the served model: the model name is empty; pass the served model name with --model")
	}
	models, err := c.servedModels(ctx)
	if err != nil {
		return err
	}
	if slices.Contains(models, model) {
		return nil
	}
	modelsURL := c.displayURL + "/v1/models"
	if len(models) == 0 {
		return fmt.Errorf("checking server %s: model %q is not served: the model list is empty; wait until the server has loaded the model, or pass the served model name with --model", modelsURL, model)
	}
	return fmt.Errorf("checking server %s: model %q is not served; the server serves %s; pass the served model name with --model", modelsURL, model, listModels(models))
}

// servedModels fetches GET /v1/models and returns the ids it lists, or the
// error that Check reports.
func (c *Client) servedModels(ctx context.Context) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()

	modelsPath := "/v1/models"
	modelsURL := c.displayURL + modelsPath
	status, body, err := c.get(ctx, c.baseURL+modelsPath)
	if err != nil {
		return nil, fmt.Errorf("checking server %s: %w; start the server or fix the base URL", modelsURL, err)
	}
	if status == http.StatusOK {
		var list struct {
			Data []struct {
				ID string `json:"id"`
			} `json:"data"`
		}
		if json.Unmarshal(body, &list) != nil || list.Data == nil {
			return nil, fmt.Errorf("checking server %s: the response is not an OpenAI model list (no \"data\" array; %s); point the base URL at an OpenAI-compatible server", modelsURL, bodyExcerpt(body))
		}
		models := make([]string, 0, len(list.Data))
		for _, m := range list.Data {
			models = append(models, m.ID)
		}
		return models, nil
	}

	healthPath := "/health"
	healthStatus, _, healthErr := c.get(ctx, c.baseURL+healthPath)
	if healthErr == nil && healthStatus == http.StatusOK {
		return nil, fmt.Errorf("checking server %s: returned %s although %s returns 200; the server is up but does not serve the OpenAI API under this base URL, so check its path and API flags", modelsURL, statusText(status), c.displayURL+healthPath)
	}
	return nil, fmt.Errorf("checking server %s: returned %s (%s); point the base URL at an OpenAI-compatible server that is ready", modelsURL, statusText(status), bodyExcerpt(body))
}

// get fetches url and returns its status and at most maxErrorBodyBytes of
// its body. A transport error is returned without the URL, which the caller
// names in its redacted form.
func (c *Client) get(ctx context.Context, target string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return 0, nil, withoutURL(err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return 0, nil, fmt.Errorf("no response before the deadline (at most %v): %w", checkTimeout, withoutURL(err))
		}
		return 0, nil, withoutURL(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("reading the response: %w", withoutURL(err))
	}
	return resp.StatusCode, body, nil
}

// withoutURL returns the cause of a *url.Error, whose text repeats the URL.
func withoutURL(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) && urlErr.Err != nil {
		return urlErr.Err
	}
	return err
}

// statusText returns "404 Not Found" for 404.
func statusText(status int) string {
	if text := http.StatusText(status); text != "" {
		return fmt.Sprintf("%d %s", status, text)
	}
	return fmt.Sprintf("status %d", status)
}

// bodyExcerpt describes a response body for an error message: `body: "..."`
// with the server's error message, or the body with its markup tags and
// line breaks flattened, cut to record.MaxErrorMessageLen bytes.
func bodyExcerpt(body []byte) string {
	text := strings.Join(strings.Fields(stripTags(errorBodyMessage(body))), " ")
	if text == "" {
		return "empty body"
	}
	if cut := cutMessage(text); cut != text {
		text = cut + "..."
	}
	return fmt.Sprintf("body: %q", text)
}

// stripTags replaces every markup tag ("<...>") of s with a space.
func stripTags(s string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(s, '<')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open:], '>')
		if end < 0 {
			break
		}
		b.WriteString(s[:open])
		b.WriteByte(' ')
		s = s[open+end+1:]
	}
	b.WriteString(s)
	return b.String()
}

// listModels returns up to maxListedModels quoted names, with the number of
// the rest.
func listModels(models []string) string {
	shown := models[:min(len(models), maxListedModels)]
	quoted := make([]string, 0, len(shown))
	for _, m := range shown {
		quoted = append(quoted, fmt.Sprintf("%q", m))
	}
	list := strings.Join(quoted, ", ")
	if rest := len(models) - len(shown); rest > 0 {
		list += fmt.Sprintf(" and %d more", rest)
	}
	return list
}
