// Package act holds the end-to-end test of the GitHub Action, action.yml at
// the repository root. The test runs the action with act
// (github.com/nektos/act) on this machine, in a copy of the repository,
// against a fake GitHub REST server on 127.0.0.1 and without network access.
package act
