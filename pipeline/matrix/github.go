package matrix

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// MaxGitHubJobs is the number of jobs GitHub Actions allows one matrix to
// generate per workflow run.
const MaxGitHubJobs = 256

// githubCell is one job of a per-cell fan-out.
type githubCell struct {
	Cell      string `json:"cell"`
	Framework string `json:"framework"`
	Model     string `json:"model"`
	Workload  string `json:"workload"`
	// FileName is the cell ID without "/", which artifact names may not
	// contain.
	FileName string `json:"file_name"`
	// Only is a Select pattern that selects exactly this cell.
	Only string `json:"only"`
}

// githubGroup is one job of a per-group fan-out: one server, all its cells.
type githubGroup struct {
	Group     string   `json:"group"`
	Framework string   `json:"framework"`
	Model     string   `json:"model"`
	Cells     []string `json:"cells"`
	FileName  string   `json:"file_name"`
	// Only is a Select pattern that selects exactly the group's cells.
	Only string `json:"only"`
}

// exactPattern returns a Select pattern whose parts match exactly the given
// names; an empty name leaves its part out. Names in cell IDs contain no glob
// character, so every part is read as an anchored regular expression.
func exactPattern(names ...string) string {
	var parts []string
	for _, name := range names {
		if name != "" {
			parts = append(parts, "^"+regexp.QuoteMeta(name)+"$")
		}
	}
	return strings.Join(parts, "/")
}

// GitHubMatrix returns the matrix's cells as the JSON of a GitHub Actions
// strategy.matrix with one job per cell (see GitHubCells).
func (m Matrix) GitHubMatrix() ([]byte, error) { return GitHubCells(m.Cells()) }

// GitHubGroupMatrix returns the matrix's cells as the JSON of a GitHub
// Actions strategy.matrix with one job per server group (see GitHubGroups).
func (m Matrix) GitHubGroupMatrix() ([]byte, error) { return GitHubGroups(m.Cells()) }

// GitHubCells returns {"include":[{"cell":..., "framework":...,
// "model":..., "workload":..., "file_name":..., "only":...}, ...]}, one entry
// per cell, for `strategy: matrix: ${{ fromJSON(...) }}`. "only" is a Select
// pattern for --only that selects exactly that cell.
func GitHubCells(cells []Cell) ([]byte, error) {
	if len(cells) == 0 {
		return nil, errors.New("no cells to fan out; GitHub Actions rejects an empty matrix")
	}
	if len(cells) > MaxGitHubJobs {
		return nil, fmt.Errorf("%d cells exceed the %d jobs GitHub Actions allows in one matrix; fan out by server group or select fewer cells", len(cells), MaxGitHubJobs)
	}
	include := make([]githubCell, len(cells))
	for i, c := range cells {
		include[i] = githubCell{
			Cell:      c.ID,
			Framework: c.Framework.Name,
			Model:     c.Model.ID,
			Workload:  c.Workload.Name,
			FileName:  c.FileName(),
			Only:      exactPattern(c.Framework.Name, c.ModelName, c.Workload.Name),
		}
	}
	return json.Marshal(struct {
		Include []githubCell `json:"include"`
	}{include})
}

// GitHubGroups returns {"include":[{"group":..., "framework":...,
// "model":..., "cells":[...], "file_name":..., "only":...}, ...]}, one entry
// per server group, so that one job starts each server once and runs all its
// cells. "only" is a Select pattern that selects exactly those cells.
func GitHubGroups(cells []Cell) ([]byte, error) {
	if len(cells) == 0 {
		return nil, errors.New("no cells to fan out; GitHub Actions rejects an empty matrix")
	}
	groups := GroupCells(cells)
	if len(groups) > MaxGitHubJobs {
		return nil, fmt.Errorf("%d server groups exceed the %d jobs GitHub Actions allows in one matrix; select fewer cells", len(groups), MaxGitHubJobs)
	}
	include := make([]githubGroup, len(groups))
	for i, g := range groups {
		ids := make([]string, len(g.Cells))
		workloads := make([]string, len(g.Cells))
		for j, c := range g.Cells {
			ids[j] = c.ID
			workloads[j] = regexp.QuoteMeta(c.Workload.Name)
		}
		include[i] = githubGroup{
			Group:     g.ID,
			Framework: g.Framework.Name,
			Model:     g.Model.ID,
			Cells:     ids,
			FileName:  g.FileName(),
			Only: exactPattern(g.Framework.Name, g.ModelName, "") +
				"/^(" + strings.Join(workloads, "|") + ")$",
		}
	}
	return json.Marshal(struct {
		Include []githubGroup `json:"include"`
	}{include})
}
