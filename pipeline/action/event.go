package action

import (
	"strings"
)

// pullRequest is the part of a pull_request or pull_request_target event the
// action uses.
type pullRequest struct {
	Number   int
	HeadSHA  string
	HeadRef  string
	HeadRepo string // owner/name; empty when the head repository was deleted
	BaseRepo string // owner/name
	// Fork is true when the head branch lives in another repository than
	// the base: the full names differ, the head repository is gone, or (when
	// the names are missing) head.repo.fork is set.
	Fork bool
}

// pullRequestFromEvent extracts the pull request from an event payload, or
// returns nil when the event carries none.
func pullRequestFromEvent(event map[string]any) *pullRequest {
	prObj, ok := event["pull_request"].(map[string]any)
	if !ok {
		return nil
	}
	pr := &pullRequest{Number: intField(prObj, "number")}
	if pr.Number == 0 {
		pr.Number = intField(event, "number")
	}
	if pr.Number <= 0 {
		return nil
	}

	head, _ := prObj["head"].(map[string]any)
	base, _ := prObj["base"].(map[string]any)
	pr.HeadSHA = stringField(head, "sha")
	pr.HeadRef = stringField(head, "ref")
	headRepo, _ := head["repo"].(map[string]any)
	baseRepo, _ := base["repo"].(map[string]any)
	pr.HeadRepo = stringField(headRepo, "full_name")
	pr.BaseRepo = stringField(baseRepo, "full_name")

	switch {
	case headRepo == nil:
		pr.Fork = true
	case pr.HeadRepo != "" && pr.BaseRepo != "":
		pr.Fork = !strings.EqualFold(pr.HeadRepo, pr.BaseRepo)
	default:
		fork, _ := headRepo["fork"].(bool)
		pr.Fork = fork
	}
	return pr
}

// workflowRun is the part of a workflow_run event the comment mode checks.
type workflowRun struct {
	HeadSHA string
	RunID   int64
}

func workflowRunFromEvent(event map[string]any) *workflowRun {
	run, ok := event["workflow_run"].(map[string]any)
	if !ok {
		return nil
	}
	return &workflowRun{HeadSHA: stringField(run, "head_sha"), RunID: int64(intField(run, "id"))}
}

func stringField(obj map[string]any, key string) string {
	if obj == nil {
		return ""
	}
	s, _ := obj[key].(string)
	return s
}

// intField reads a number that holds an integer: a float64 as encoding/json
// decodes it, or an int; 0 otherwise.
func intField(obj map[string]any, key string) int {
	switch v := obj[key].(type) {
	case float64:
		if v == float64(int(v)) {
			return int(v)
		}
	case int:
		return v
	}
	return 0
}
