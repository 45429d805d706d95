package ghtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// User is a GitHub account as comments and GET /user show it.
type User struct {
	Login string
	ID    int64
	// Type is "User" or "Bot".
	Type string
}

// Accounts used by the tests.
var (
	// ActionsBot is the author of comments made with the GITHUB_TOKEN.
	ActionsBot = User{Login: "github-actions[bot]", ID: 41898282, Type: "Bot"}
	// Octocat is a person with a personal access token.
	Octocat = User{Login: "octocat", ID: 583231, Type: "User"}
	// Mallory is another user who may copy the marker into a comment.
	Mallory = User{Login: "mallory", ID: 1337, Type: "User"}
)

// Timestamp is the fixed creation time of every comment.
var Timestamp = time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)

// UserJSON returns the user object GitHub embeds in comments and returns
// from GET /user.
func UserJSON(u User, baseURL string) map[string]any {
	return map[string]any{
		"login":               u.Login,
		"id":                  u.ID,
		"node_id":             fmt.Sprintf("MDQ6VXNlcj%d", u.ID),
		"avatar_url":          fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", u.ID),
		"gravatar_id":         "",
		"url":                 baseURL + "/users/" + u.Login,
		"html_url":            "https://github.com/" + u.Login,
		"type":                u.Type,
		"site_admin":          false,
		"followers_url":       baseURL + "/users/" + u.Login + "/followers",
		"repos_url":           baseURL + "/users/" + u.Login + "/repos",
		"organizations_url":   baseURL + "/users/" + u.Login + "/orgs",
		"received_events_url": baseURL + "/users/" + u.Login + "/received_events",
	}
}

// Comment is an issue comment kept by Issue.
type Comment struct {
	ID      int64
	User    User
	Body    string
	Created time.Time
	Updated time.Time
}

// Issue is an in-memory pull request's conversation: it lists its comments
// page by page with Link headers, creates and edits them, as GitHub does.
type Issue struct {
	Owner  string
	Repo   string
	Number int

	mu       sync.Mutex
	comments []Comment
	nextID   int64
}

// NewIssue returns an empty conversation of owner/repo#number.
func NewIssue(owner, repo string, number int) *Issue {
	return &Issue{Owner: owner, Repo: repo, Number: number, nextID: 1000}
}

// Add appends a comment by user and returns its id.
func (is *Issue) Add(user User, body string) int64 {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.nextID++
	is.comments = append(is.comments, Comment{ID: is.nextID, User: user, Body: body, Created: Timestamp, Updated: Timestamp})
	return is.nextID
}

// Comments returns a copy of the comments.
func (is *Issue) Comments() []Comment {
	is.mu.Lock()
	defer is.mu.Unlock()
	return append([]Comment(nil), is.comments...)
}

// CommentsPath is the API path that lists and creates the comments.
func (is *Issue) CommentsPath() string {
	return fmt.Sprintf("/repos/%s/%s/issues/%d/comments", is.Owner, is.Repo, is.Number)
}

// CommentPath is the API path of one comment.
func (is *Issue) CommentPath(id int64) string {
	return fmt.Sprintf("/repos/%s/%s/issues/comments/%d", is.Owner, is.Repo, id)
}

// JSON returns the issue comment object of c as GitHub's REST API returns it.
func (is *Issue) JSON(c Comment, baseURL string) map[string]any {
	return map[string]any{
		"id":                       c.ID,
		"node_id":                  fmt.Sprintf("IC_kwDOAbc%d", c.ID),
		"url":                      baseURL + fmt.Sprintf("/repos/%s/%s/issues/comments/%d", is.Owner, is.Repo, c.ID),
		"html_url":                 fmt.Sprintf("https://github.com/%s/%s/pull/%d#issuecomment-%d", is.Owner, is.Repo, is.Number, c.ID),
		"issue_url":                baseURL + fmt.Sprintf("/repos/%s/%s/issues/%d", is.Owner, is.Repo, is.Number),
		"body":                     c.Body,
		"user":                     UserJSON(c.User, baseURL),
		"created_at":               c.Created.Format(time.RFC3339),
		"updated_at":               c.Updated.Format(time.RFC3339),
		"author_association":       "NONE",
		"performed_via_github_app": nil,
		"reactions": map[string]any{
			"url":         baseURL + fmt.Sprintf("/repos/%s/%s/issues/comments/%d/reactions", is.Owner, is.Repo, c.ID),
			"total_count": 0, "+1": 0, "-1": 0, "laugh": 0, "hooray": 0, "confused": 0, "heart": 0, "rocket": 0, "eyes": 0,
		},
	}
}

// List serves GET .../issues/N/comments with the page and per_page of the
// request (GitHub's default of 30 per page). Its Link header has rel="next",
// "last", "first" and "prev" where they apply.
func (is *Issue) List() Responder {
	return func(req Request) Response {
		is.mu.Lock()
		defer is.mu.Unlock()
		perPage := atoiDefault(req.Query.Get("per_page"), 30)
		page := atoiDefault(req.Query.Get("page"), 1)
		pages := max(1, (len(is.comments)+perPage-1)/perPage)

		var items []map[string]any
		for i := (page - 1) * perPage; i < min(page*perPage, len(is.comments)); i++ {
			items = append(items, is.JSON(is.comments[i], req.BaseURL))
		}
		if items == nil {
			items = []map[string]any{}
		}

		link := func(p int, rel string) string {
			return fmt.Sprintf(`<%s%s?per_page=%d&page=%d>; rel="%s"`, req.BaseURL, is.CommentsPath(), perPage, p, rel)
		}
		var links []string
		if page < pages {
			links = append(links, link(page+1, "next"), link(pages, "last"))
		}
		if page > 1 {
			links = append(links, link(1, "first"), link(page-1, "prev"))
		}
		header := http.Header{}
		if len(links) > 0 {
			header.Set("Link", strings.Join(links, ", "))
		}
		return Response{Status: http.StatusOK, Header: header, Body: mustJSON(items)}
	}
}

// Create serves POST .../issues/N/comments: the comment is stored as
// written by author and returned with 201.
func (is *Issue) Create(author User) Responder {
	return func(req Request) Response {
		body, err := decodeBody(req)
		if err != nil {
			return Response{Status: http.StatusBadRequest, Body: mustJSON(ErrorBody("Problems parsing JSON", ""))}
		}
		id := is.Add(author, body)
		c := is.find(id)
		header := http.Header{"Location": {req.BaseURL + is.CommentPath(id)}}
		return Response{Status: http.StatusCreated, Header: header, Body: mustJSON(is.JSON(*c, req.BaseURL))}
	}
}

// Edit serves PATCH .../issues/comments/ID: the body is replaced and the
// comment returned.
func (is *Issue) Edit() Responder {
	return func(req Request) Response {
		body, err := decodeBody(req)
		if err != nil {
			return Response{Status: http.StatusBadRequest, Body: mustJSON(ErrorBody("Problems parsing JSON", ""))}
		}
		is.mu.Lock()
		defer is.mu.Unlock()
		for i := range is.comments {
			if is.CommentPath(is.comments[i].ID) == req.Path {
				is.comments[i].Body = body
				is.comments[i].Updated = Timestamp.Add(time.Hour)
				return Response{Status: http.StatusOK, Body: mustJSON(is.JSON(is.comments[i], req.BaseURL))}
			}
		}
		return Response{Status: http.StatusNotFound, Body: mustJSON(ErrorBody("Not Found", "https://docs.github.com/rest/issues/comments#update-an-issue-comment"))}
	}
}

func (is *Issue) find(id int64) *Comment {
	is.mu.Lock()
	defer is.mu.Unlock()
	for i := range is.comments {
		if is.comments[i].ID == id {
			c := is.comments[i]
			return &c
		}
	}
	return nil
}

func decodeBody(req Request) (string, error) {
	var payload struct {
		Body *string `json:"body"`
	}
	if err := json.Unmarshal(req.Body, &payload); err != nil {
		return "", err
	}
	if payload.Body == nil {
		return "", fmt.Errorf("missing body")
	}
	return *payload.Body, nil
}

func atoiDefault(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return def
	}
	return n
}
