package sim

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// engine is the simulated inference engine: a continuous batch of at most
// maxBatch running requests, a FIFO queue of waiting ones, the KV cache use
// and the latency model.
type engine struct {
	slots   chan struct{}
	running atomic.Int64
	waiting atomic.Int64
	// kvTokens is the number of KV cache tokens held by running requests.
	kvTokens   atomic.Int64
	kvCapacity int64

	ttftFixed time.Duration
	itlFixed  time.Duration
	paramsB   float64
}

func newEngine(cfg Config) *engine {
	return &engine{
		slots:      make(chan struct{}, cfg.MaxBatch),
		kvCapacity: max(1, int64(float64(cfg.Sim.KVCacheTokens)*cfg.MemoryFraction)),
		ttftFixed:  cfg.Sim.TTFT,
		itlFixed:   cfg.Sim.ITL,
		paramsB:    cfg.paramsB(),
	}
}

// admit blocks until the request gets a batch slot or ctx ends. It reports
// whether the request had to wait in the queue. Each successful admit must be
// followed by one release.
func (e *engine) admit(ctx context.Context) (queued bool, err error) {
	select {
	case e.slots <- struct{}{}:
		e.running.Add(1)
		return false, nil
	default:
	}

	e.waiting.Add(1)
	defer e.waiting.Add(-1)
	select {
	case e.slots <- struct{}{}:
		e.running.Add(1)
		return true, nil
	case <-ctx.Done():
		return true, ctx.Err()
	}
}

func (e *engine) release() {
	e.running.Add(-1)
	<-e.slots
}

// kvUsage returns the fraction of the KV cache in use, from 0 to 1.
func (e *engine) kvUsage() float64 {
	return min(1, float64(e.kvTokens.Load())/float64(e.kvCapacity))
}

// Latency model constants; see the package documentation.
const (
	prefillBase           = 5 * time.Millisecond
	prefillPerTokenPerB   = 20 * time.Microsecond
	decodeBase            = 2 * time.Millisecond
	decodePerB            = 3 * time.Millisecond
	decodeSlowdownPerSeat = 0.01
)

// ttft returns the time from admission to the first token.
func (e *engine) ttft(inputTokens int) time.Duration {
	if e.ttftFixed > 0 {
		return e.ttftFixed
	}
	return prefillBase + time.Duration(float64(prefillPerTokenPerB)*e.paramsB*float64(inputTokens))
}

// itl returns the time to the next token at the current batch size.
func (e *engine) itl() time.Duration {
	if e.itlFixed > 0 {
		return e.itlFixed
	}
	step := float64(decodeBase) + float64(decodePerB)*e.paramsB
	batch := max(1, e.running.Load())
	return time.Duration(step * (1 + decodeSlowdownPerSeat*float64(batch-1)))
}

// fault is a failure injected into one request.
type fault int

const (
	faultNone       fault = iota
	faultHTTPError        // HTTP 500 before streaming
	faultInBand           // an error event mid-stream
	faultStall            // no more bytes, connection kept open
	faultDisconnect       // connection closed mid-stream
)

func (f fault) String() string {
	switch f {
	case faultHTTPError:
		return "http_error"
	case faultInBand:
		return "in_band_error"
	case faultStall:
		return "stall"
	case faultDisconnect:
		return "disconnect"
	}
	return "none"
}

// faultSource draws faults for requests in arrival order from a seeded
// random source.
type faultSource struct {
	mu    sync.Mutex
	rng   *rand.Rand
	rates [4]float64 // HTTP error, in-band, stall, disconnect
}

func newFaultSource(s SimConfig) *faultSource {
	return &faultSource{
		rng:   rand.New(rand.NewPCG(uint64(s.Seed), 0x5eed_fa17)),
		rates: [4]float64{s.ErrorRate, s.InBandErrorRate, s.StallRate, s.DisconnectRate},
	}
}

// draw returns the request's fault and, for a mid-stream fault, the index of
// the token at which it happens, from 1 to outputTokens (outputTokens means
// after the last token).
func (f *faultSource) draw(outputTokens int) (fault, int) {
	if f.rates == [4]float64{} {
		return faultNone, 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()

	u := f.rng.Float64()
	kind := faultNone
	sum := 0.0
	for i, r := range f.rates {
		sum += r
		if u < sum {
			kind = fault(i + 1)
			break
		}
	}
	if kind == faultNone || kind == faultHTTPError {
		return kind, 0
	}
	// Mid-stream faults come after at least one token.
	at := outputTokens
	if outputTokens > 1 {
		at = 1 + f.rng.IntN(outputTokens-1)
	}
	return kind, at
}
