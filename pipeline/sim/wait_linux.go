package sim

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// fineTimer waits with nanosecond resolution on a Linux timerfd. The
// timerfd is registered with the Go network poller, so a waiting goroutine
// holds no thread and wakes as soon as the timer expires.
type fineTimer struct {
	file *os.File
	fd   int
}

// newFineTimer returns a fine timer, or nil when the system cannot create
// one (waitUntil then falls back to the runtime timer).
func newFineTimer() *fineTimer {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil
	}
	return &fineTimer{file: os.NewFile(uintptr(fd), "timerfd"), fd: fd}
}

// wait blocks for d.
func (t *fineTimer) wait(d time.Duration) error {
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(d))}
	if err := unix.TimerfdSettime(t.fd, 0, &spec, nil); err != nil {
		return err
	}
	var expirations [8]byte
	_, err := t.file.Read(expirations[:])
	return err
}

func (t *fineTimer) close() {
	if t != nil {
		t.file.Close()
	}
}
