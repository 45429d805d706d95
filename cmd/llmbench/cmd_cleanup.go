package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO: replace this placeholder with the real command.
func newCleanupCmd(s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "cleanup",
		Short: "not implemented yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errors.New("cleanup: not implemented yet")
		},
	}
}
