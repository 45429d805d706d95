package container

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// Server is a running inference server in a container. Its exported fields
// are the metadata that results record.
type Server struct {
	// BaseURL is the server's address on the host, such as
	// http://localhost:32768, without a trailing slash.
	BaseURL string
	// Framework is the framework name.
	Framework string
	// Model is the Hugging Face repository id and Revision its revision
	// (empty for the default branch).
	Model, Revision string
	// ServedModelName is the model name to send in requests.
	ServedModelName string
	// Image is the image reference the container was created from.
	Image string
	// ImageDigest is the image's repository digest (sha256:...) when the
	// image came from a registry, else its local image id.
	ImageDigest string
	// ContainerID and ContainerName identify the container.
	ContainerID, ContainerName string
	// RunID is the run id in the container's labels.
	RunID string
	// Command is the container's command line with secrets redacted.
	Command []string
	// IgnoreEOS reports whether the server accepts ignore_eos.
	IgnoreEOS bool

	ctr         *testcontainers.DockerContainer
	instance    string
	candidates  []string
	cli         *testcontainers.DockerClient
	tail        *logTail
	redact      redactor
	stopTimeout time.Duration

	logsDone    chan struct{}
	exited      chan struct{}
	exitErr     error
	stopping    atomic.Bool
	cancelWatch context.CancelFunc
	cancelLogs  context.CancelFunc

	stopOnce sync.Once
	stopErr  error
}

// ExitError reports that a server's container stopped on its own.
type ExitError struct {
	Framework, Model string
	// Code is the container's exit status; 137 is a SIGKILL, for example
	// from docker kill or the kernel's out-of-memory killer.
	Code int64
	// OOMKilled reports that the kernel killed the container for lack of
	// memory.
	OOMKilled bool
	// LastLogs are the container's last output lines.
	LastLogs []string
	// Err is set when the exit status could not be read.
	Err error
}

func (e *ExitError) Error() string {
	var summary string
	switch {
	case e.Err != nil:
		summary = fmt.Sprintf("%s server for %s stopped (exit status unknown: %v)", e.Framework, e.Model, e.Err)
	case e.OOMKilled:
		summary = fmt.Sprintf("%s server for %s exited with code %d (killed for lack of memory)", e.Framework, e.Model, e.Code)
	default:
		summary = fmt.Sprintf("%s server for %s exited with code %d", e.Framework, e.Model, e.Code)
	}
	return summary + formatLastLines(e.LastLogs)
}

func (e *ExitError) Unwrap() error { return e.Err }

// Exited returns a channel that is closed once the container has stopped,
// whether it exited on its own or Stop stopped it.
func (s *Server) Exited() <-chan struct{} {
	return s.exited
}

// Err returns an *ExitError once the container has exited on its own, and nil
// while it runs or after Stop stopped it.
func (s *Server) Err() error {
	select {
	case <-s.exited:
		return s.exitErr
	default:
		return nil
	}
}

// LastLogs returns up to n of the container's last output lines (at most 50
// are kept), oldest first, with secrets redacted.
func (s *Server) LastLogs(n int) []string {
	return s.tail.last(n)
}

// Stop stops the container (SIGTERM, then SIGKILL after the stop timeout) and
// removes it. It is safe to call more than once and from several goroutines;
// later calls return the first call's result. ctx bounds the removal; a
// canceled ctx still gets a short removal with a fresh context, so the
// container does not outlive an interrupted run.
func (s *Server) Stop(ctx context.Context) error {
	s.stopOnce.Do(func() {
		s.stopErr = s.stop(ctx)
	})
	return s.stopErr
}

func (s *Server) stop(ctx context.Context) error {
	s.stopping.Store(true)
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.Background(), removeTimeout)
		defer cancel()
	}

	err := s.ctr.Terminate(ctx, testcontainers.StopTimeout(s.stopTimeout))
	if err != nil {
		// Terminate can fail half way, for example while the engine is still
		// starting the container; removal by label retries until it is gone.
		if removeErr := removeInstance(s.cli, s.instance); removeErr != nil {
			err = fmt.Errorf("stopping %s server for %s (container %s): %w", s.Framework, s.Model, s.ContainerName, errors.Join(err, removeErr))
		} else {
			err = nil
		}
	}

	s.cancelWatch()
	<-s.exited
	// The log stream ends with the container; a container that could not
	// be removed keeps it open, so it is cut after a grace period.
	select {
	case <-s.logsDone:
	case <-time.After(5 * time.Second):
		s.cancelLogs()
		<-s.logsDone
	}
	s.cancelLogs()
	s.cli.Close()
	return err
}

// watch waits for the container to stop and records why. It closes s.exited.
func (s *Server) watch(ctx context.Context) {
	defer close(s.exited)

	wait := s.cli.ContainerWait(ctx, s.ContainerID, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
	exit := &ExitError{Framework: s.Framework, Model: s.Model}
	select {
	case resp := <-wait.Result:
		exit.Code = resp.StatusCode
		if resp.Error != nil && resp.Error.Message != "" {
			exit.Err = errors.New(resp.Error.Message)
		}
	case err := <-wait.Error:
		exit.Err = err
	}

	// The log stream ends when the container stops; wait briefly so the
	// error carries the last lines the container wrote.
	select {
	case <-s.logsDone:
	case <-time.After(2 * time.Second):
	}

	if s.stopping.Load() {
		return
	}
	inspectCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if info, err := s.cli.ContainerInspect(inspectCtx, s.ContainerID, client.ContainerInspectOptions{}); err == nil && info.Container.State != nil {
		exit.OOMKilled = info.Container.State.OOMKilled
	}
	exit.LastLogs = s.tail.last(tailLines)
	s.exitErr = exit
}
