package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO: replace this placeholder with the real command.
func newSimCmd(s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "sim",
		Short: "not implemented yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errors.New("sim: not implemented yet")
		},
	}
}
