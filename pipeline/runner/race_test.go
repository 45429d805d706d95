//go:build race

package runner_test

// raceEnabled is true when the race detector instruments the test binary,
// which slows every goroutine down and makes latency bounds meaningless.
const raceEnabled = true
