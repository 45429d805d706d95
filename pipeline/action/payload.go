package action

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/llmbench/llmbench-action/pipeline/ghcomment"
)

// PayloadFile is the file in the results directory from which a later job
// (the workflow_run pattern) posts the comment.
const PayloadFile = "github-comment.json"

// payloadVersion is the version of the PayloadFile format.
const payloadVersion = 1

// maxPayloadBytes bounds the payload a comment job reads; it comes from an
// artifact and is untrusted.
const maxPayloadBytes = 64 << 20

// payload is the content of PayloadFile.
type payload struct {
	Version int `json:"version"`
	// Repository is the base repository, owner/name.
	Repository string `json:"repository"`
	// PullRequest is the pull request number; 0 outside pull requests.
	PullRequest int `json:"pull_request"`
	// HeadSHA is the pull request's head commit.
	HeadSHA string `json:"head_sha"`
	// ReportPath is report.md relative to the results directory.
	ReportPath string           `json:"report_path"`
	Report     ghcomment.Report `json:"report"`
}

// writePayload writes PayloadFile into the results directory. Secrets are
// redacted from the file's bytes.
func writePayload(p published, gh *githubactions.GitHubContext, redact *strings.Replacer) error {
	pl := payload{
		Version:    payloadVersion,
		Repository: gh.Repository,
		HeadSHA:    p.headSHA,
		Report:     p.report,
	}
	if p.target != nil {
		pl.PullRequest = p.target.Number
	}
	if p.reportPath != "" {
		if rel, err := filepath.Rel(p.resultsDir, p.reportPath); err == nil {
			pl.ReportPath = filepath.ToSlash(rel)
		}
	}
	data, err := json.MarshalIndent(pl, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding %s: %w", PayloadFile, err)
	}
	path := filepath.Join(p.resultsDir, PayloadFile)
	if err := os.WriteFile(path, []byte(redact.Replace(string(data))+"\n"), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// loadPublished reads the payload of an earlier run from the results
// directory, for comment mode. Code of the pull request may have written the
// artifact it comes from, so it is checked. It must belong to this repository
// and name a pull request. Under workflow_run, that pull request's head must
// be the commit the triggering run built. Links outside
// this repository's pages are dropped.
func loadPublished(_ context.Context, cfg Config, in Inputs, gh *githubactions.GitHubContext) (published, error) {
	dir, err := filepath.Abs(in.ResultsDir)
	if err != nil {
		return published{}, fmt.Errorf("input results-dir: %q: %w", in.ResultsDir, err)
	}
	path := filepath.Join(dir, PayloadFile)
	f, err := os.Open(path)
	if err != nil {
		return published{}, fmt.Errorf("comment mode: reading %s: %w; download the results artifact of the benchmark run into results-dir first", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPayloadBytes+1))
	if err != nil {
		return published{}, fmt.Errorf("comment mode: reading %s: %w", path, err)
	}
	if len(data) > maxPayloadBytes {
		return published{}, fmt.Errorf("comment mode: %s is larger than %d bytes", path, maxPayloadBytes)
	}

	var pl payload
	if err := json.Unmarshal(data, &pl); err != nil {
		return published{}, fmt.Errorf("comment mode: decoding %s: %w", path, err)
	}
	switch {
	case pl.Version != payloadVersion:
		return published{}, fmt.Errorf("comment mode: %s has version %d, want %d; use the same llmbench version for both jobs", path, pl.Version, payloadVersion)
	case gh.Repository == "":
		return published{}, errors.New("comment mode: GITHUB_REPOSITORY is not set")
	case !strings.EqualFold(pl.Repository, gh.Repository):
		return published{}, fmt.Errorf("comment mode: the results belong to repository %q, but this workflow runs in %q", pl.Repository, gh.Repository)
	case pl.PullRequest <= 0:
		return published{}, fmt.Errorf("comment mode: %s names no pull request; the benchmark run was not triggered by a pull request", path)
	}

	report := pl.Report
	report.MatrixID = ghcomment.MarkerID(report.MatrixID)
	report.Links = keepRepositoryLinks(report.Links, gh)

	owner, repo := gh.Repo()
	p := published{
		resultsDir: dir,
		report:     report,
		target:     &ghcomment.Target{Owner: owner, Repo: repo, Number: pl.PullRequest, MatrixID: report.MatrixID},
		headSHA:    pl.HeadSHA,
	}
	if pl.ReportPath != "" && filepath.IsLocal(filepath.FromSlash(pl.ReportPath)) {
		p.reportPath = filepath.Join(dir, filepath.FromSlash(pl.ReportPath))
	}
	if run := workflowRunFromEvent(gh.Event); run != nil {
		if run.HeadSHA == "" {
			return published{}, errors.New("comment mode: the workflow_run event carries no head_sha")
		}
		p.verifyHeadSHA = run.HeadSHA
	}
	cfg.Action.Infof("Loaded the results of pull request #%d from %s.", pl.PullRequest, path)
	return p, nil
}

// keepRepositoryLinks drops links that do not point into this repository on
// this GitHub server.
func keepRepositoryLinks(l ghcomment.Links, gh *githubactions.GitHubContext) ghcomment.Links {
	prefix := strings.TrimRight(gh.ServerURL, "/") + "/" + gh.Repository + "/"
	keep := func(u string) string {
		if strings.HasPrefix(u, prefix) {
			return u
		}
		return ""
	}
	return ghcomment.Links{
		Run: keep(l.Run), Artifacts: keep(l.Artifacts), Charts: keep(l.Charts),
		Parquet: keep(l.Parquet), Report: keep(l.Report),
	}
}
