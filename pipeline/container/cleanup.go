package container

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/moby/moby/client"
)

// Labels set on every container that Start creates.
const (
	labelPrefix = "dev.llmbench."
	// LabelManaged is "true" on every llmbench container.
	LabelManaged = labelPrefix + "managed"
	// LabelRunID is the benchmark run's id (Spec.RunID).
	LabelRunID = labelPrefix + "run-id"
	// LabelFramework is the framework name.
	LabelFramework = labelPrefix + "framework"
	// LabelModel is the model's Hugging Face repository id.
	LabelModel = labelPrefix + "model"
	// LabelInstance is unique per Start call, so a failed start can find its
	// container even when creation was interrupted half way.
	LabelInstance = labelPrefix + "instance"
)

// removeTimeout bounds the removal of containers on error paths, where the
// caller's context may already be canceled.
const removeTimeout = 30 * time.Second

// Leftover is a container created by llmbench that still exists.
type Leftover struct {
	ID        string
	Name      string
	Image     string
	RunID     string
	Framework string
	Model     string
	// State is the Docker state, such as running or exited.
	State   string
	Created time.Time
}

// List returns the llmbench containers on the Docker host, running or not:
// all of them when runID is empty, else those of that run.
func List(ctx context.Context, runID string) ([]Leftover, error) {
	cli, err := newDockerClient(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing llmbench containers: %w", err)
	}
	defer cli.Close()
	return list(ctx, cli, managedFilter(runID))
}

// Cleanup removes the llmbench containers (forcefully, with their anonymous
// volumes): all of them when runID is empty, else those of that run. It
// returns the names of the removed containers; on error, the ones removed
// before it.
func Cleanup(ctx context.Context, runID string) (removed []string, err error) {
	cli, err := newDockerClient(ctx)
	if err != nil {
		return nil, fmt.Errorf("removing llmbench containers: %w", err)
	}
	defer cli.Close()
	return removeMatching(ctx, cli, managedFilter(runID))
}

func managedFilter(runID string) client.Filters {
	f := client.Filters{}.Add("label", LabelManaged+"=true")
	if runID != "" {
		f = f.Add("label", LabelRunID+"="+runID)
	}
	return f
}

func list(ctx context.Context, cli client.APIClient, filters client.Filters) ([]Leftover, error) {
	result, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: filters})
	if err != nil {
		return nil, fmt.Errorf("listing llmbench containers: %w", err)
	}
	leftovers := make([]Leftover, 0, len(result.Items))
	for _, c := range result.Items {
		name := c.ID
		if len(c.Names) > 0 {
			name = strings.TrimPrefix(c.Names[0], "/")
		}
		leftovers = append(leftovers, Leftover{
			ID:        c.ID,
			Name:      name,
			Image:     c.Image,
			RunID:     c.Labels[LabelRunID],
			Framework: c.Labels[LabelFramework],
			Model:     c.Labels[LabelModel],
			State:     string(c.State),
			Created:   time.Unix(c.Created, 0),
		})
	}
	return leftovers, nil
}

func removeMatching(ctx context.Context, cli client.APIClient, filters client.Filters) ([]string, error) {
	leftovers, err := list(ctx, cli, filters)
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, c := range leftovers {
		_, err := cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
		if err != nil {
			errs = append(errs, fmt.Errorf("removing container %s: %w", c.Name, err))
			continue
		}
		removed = append(removed, c.Name)
	}
	return removed, errors.Join(errs...)
}

// removeInstance removes the containers of one Start call with a fresh
// context, because the caller's context may be the reason for the removal.
// It retries until none is left: a container whose start request was
// canceled can still be starting in the engine, which then fails to remove it
// ("No such container") although it still lists it.
func removeInstance(cli client.APIClient, instance string) error {
	ctx, cancel := context.WithTimeout(context.Background(), removeTimeout)
	defer cancel()
	filters := client.Filters{}.Add("label", LabelInstance+"="+instance)

	delay := 100 * time.Millisecond
	for {
		_, err := removeMatching(ctx, cli, filters)
		left, listErr := list(ctx, cli, filters)
		if listErr == nil && len(left) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, listErr, fmt.Errorf("container still present after %s of attempts to remove it: %w", removeTimeout, ctx.Err()))
		case <-time.After(delay):
		}
		delay = min(2*delay, time.Second)
	}
}
