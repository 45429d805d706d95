package ghcomment

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/google/go-github/v60/github"
)

// ActionsBotLogin is the author of comments made with the GITHUB_TOKEN of
// GitHub Actions.
const ActionsBotLogin = "github-actions[bot]"

// maxCommentPages bounds the listing of a pull request's comments: 100 pages
// of 100 comments.
const maxCommentPages = 100

// Mode sets when an existing sticky comment is edited.
type Mode int

const (
	// ModeAlways edits the comment on every run.
	ModeAlways Mode = iota
	// ModeOnChange leaves the comment alone when its body would not change.
	ModeOnChange
)

// Outcome is the action Upsert took on the comment.
type Outcome string

// Outcomes of Upsert.
const (
	Created   Outcome = "created"
	Updated   Outcome = "updated"
	Unchanged Outcome = "unchanged"
)

// Target is the pull request (or issue) that carries the comment.
type Target struct {
	Owner    string
	Repo     string
	Number   int
	MatrixID string
}

func (t Target) String() string {
	return fmt.Sprintf("%s/%s#%d", t.Owner, t.Repo, t.Number)
}

// Result describes the sticky comment after Upsert.
type Result struct {
	Outcome Outcome
	ID      int64
	URL     string
}

// PosterOptions configure NewPoster.
type PosterOptions struct {
	// Author is the login whose comments may be the sticky one. Empty means
	// the token's user from GET /user, or ActionsBotLogin when the token may
	// not read /user (the GITHUB_TOKEN of Actions may not).
	Author string
	// Logger receives what the poster does; nil discards it.
	Logger *slog.Logger
}

// Poster finds, edits and creates the sticky comment of a matrix.
type Poster struct {
	client *github.Client
	logger *slog.Logger

	mu     sync.Mutex
	author string
}

// NewPoster returns a Poster that talks to GitHub through client.
func NewPoster(client *github.Client, o PosterOptions) *Poster {
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Poster{client: client, logger: logger, author: o.Author}
}

// Author returns the login whose comments count as the tool's own.
func (p *Poster) Author(ctx context.Context) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.author != "" {
		return p.author, nil
	}

	user, resp, err := p.client.Users.Get(ctx, "")
	switch {
	case err == nil && user.GetLogin() != "":
		p.author = user.GetLogin()
	case resp != nil && (resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusNotFound):
		// An installation token such as the GITHUB_TOKEN of Actions may not
		// read /user; its comments are made by the Actions bot.
		p.logger.Info("GET /user not permitted for this token; taking the GitHub Actions bot as the comment author",
			"status", resp.StatusCode, "author", ActionsBotLogin)
		p.author = ActionsBotLogin
	case err != nil:
		return "", classify(err, "finding the token's user (GET /user)")
	default:
		return "", errors.New("finding the token's user (GET /user): the response carries no login")
	}
	return p.author, nil
}

// Find returns the sticky comment of t: the first comment, over all pages,
// written by the tool's author and containing the marker of t.MatrixID. A
// marker in a comment by anyone else is ignored. It returns nil when there is
// none.
func (p *Poster) Find(ctx context.Context, t Target) (*github.IssueComment, error) {
	author, err := p.Author(ctx)
	if err != nil {
		return nil, err
	}
	marker := Marker(t.MatrixID)

	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for page := 1; page <= maxCommentPages; page++ {
		comments, resp, err := p.client.Issues.ListComments(ctx, t.Owner, t.Repo, t.Number, opts)
		if err != nil {
			return nil, classify(err, fmt.Sprintf("listing the comments of %s", t))
		}
		for _, c := range comments {
			if !strings.EqualFold(c.GetUser().GetLogin(), author) {
				continue
			}
			if strings.Contains(c.GetBody(), marker) {
				return c, nil
			}
		}
		if resp.NextPage == 0 {
			return nil, nil
		}
		opts.Page = resp.NextPage
	}
	// NOTE: a pull request with more than 10,000 comments is searched only
	// in its first 10,000; a sticky comment beyond them is not found and a
	// new one is created.
	p.logger.Warn("stopped listing comments after the page limit", "target", t.String(), "pages", maxCommentPages)
	return nil, nil
}

// Upsert writes the sticky comment of t: it edits the existing one (unless
// mode is ModeOnChange and the body is unchanged) or creates it. render
// returns the body within a length limit in bytes. When GitHub rejects a body
// as too long, Upsert renders it again within 60% of the limit and retries
// once. After a server error on create, it looks for the comment again
// before creating, so a create that succeeded on the server is not repeated.
func (p *Poster) Upsert(ctx context.Context, t Target, mode Mode, render func(limit int) string) (Result, error) {
	if t.Owner == "" || t.Repo == "" || t.Number <= 0 {
		return Result{}, fmt.Errorf("writing the comment: invalid target %s: owner, repository and a positive number are required", t)
	}
	existing, err := p.Find(ctx, t)
	if err != nil {
		return Result{}, err
	}

	limit := CommentOptions().Limit
	body := render(limit)
	if existing != nil && mode == ModeOnChange && existing.GetBody() == body {
		p.logger.Info("comment unchanged", "target", t.String(), "comment_id", existing.GetID())
		return Result{Outcome: Unchanged, ID: existing.GetID(), URL: existing.GetHTMLURL()}, nil
	}

	comment, outcome, err := p.write(ctx, t, existing, body)
	if err != nil && isBodyTooLong(err) {
		limit = limit * 3 / 5
		p.logger.Warn("GitHub rejected the comment as too long; cutting it further", "target", t.String(), "limit_bytes", limit)
		comment, outcome, err = p.write(ctx, t, existing, render(limit))
		if err != nil && isBodyTooLong(err) {
			return Result{}, fmt.Errorf("writing the comment on %s: %w even within %d bytes: %w", t, ErrBodyTooLong, limit, err)
		}
	}
	if err != nil && existing == nil && isServerError(err) {
		p.logger.Warn("creating the comment failed with a server error; checking whether it was created", "target", t.String(), "error", err)
		if existing, err = p.Find(ctx, t); err != nil {
			return Result{}, err
		}
		comment, outcome, err = p.write(ctx, t, existing, body)
	}
	if err != nil {
		return Result{}, classify(err, fmt.Sprintf("writing the comment on %s", t))
	}

	p.logger.Info("comment "+string(outcome), "target", t.String(), "comment_id", comment.GetID(), "url", comment.GetHTMLURL())
	return Result{Outcome: outcome, ID: comment.GetID(), URL: comment.GetHTMLURL()}, nil
}

// write edits existing, or creates a comment when existing is nil.
func (p *Poster) write(ctx context.Context, t Target, existing *github.IssueComment, body string) (*github.IssueComment, Outcome, error) {
	if existing != nil {
		c, _, err := p.client.Issues.EditComment(ctx, t.Owner, t.Repo, existing.GetID(), &github.IssueComment{Body: &body})
		return c, Updated, err
	}
	c, _, err := p.client.Issues.CreateComment(ctx, t.Owner, t.Repo, t.Number, &github.IssueComment{Body: &body})
	return c, Created, err
}
