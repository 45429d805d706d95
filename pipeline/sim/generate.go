package sim

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// errorMidStream is the in-band error that --sim-inband-error-rate injects.
var errorMidStream = &requestError{status: http.StatusInternalServerError, errType: "InternalServerError",
	message: "simulated engine error during generation"}

// job is one admitted generation request.
type job struct {
	gen     *generation
	enc     *encoder
	text    *textSource
	arrival time.Time
	// start is when the request's own latency begins: its arrival, or its
	// admission when it had to wait in the queue.
	start time.Time
	// outputTokens and finish are the planned output length and finish reason.
	outputTokens int
	finish       string
	// fault is the injected fault, at token index faultAt (see faultSource.draw).
	fault   fault
	faultAt int
	// path is the request's URL path, for the log.
	path string
	// kvHeld is the number of KV cache tokens the request holds.
	kvHeld int64
}

// handleGenerate serves /v1/completions (chat false) and
// /v1/chat/completions (chat true).
func (s *Server) handleGenerate(w http.ResponseWriter, r *http.Request, chat bool) {
	arrival := time.Now()
	body, rerr := readBody(w, r)
	if rerr == nil {
		var gen *generation
		gen, rerr = s.parseGeneration(body, chat)
		if rerr == nil {
			s.generate(w, r, gen, arrival, chat)
			return
		}
	}
	s.logger.Debug("request rejected", "path", r.URL.Path, "status", rerr.status, "error", rerr.message)
	s.writeError(w, rerr)
}

// generate serves a validated request.
func (s *Server) generate(w http.ResponseWriter, r *http.Request, gen *generation, arrival time.Time, chat bool) {

	j := &job{gen: gen, arrival: arrival, start: arrival, text: newTextSource(s.cfg.Sim.Seed, gen.promptKey), path: r.URL.Path}
	j.outputTokens, j.finish = j.text.outputLength(gen.maxTokens, gen.minTokens, gen.ignoreEOS)
	// The id is taken before the fault draw so that the log line of an
	// HTTP error names the request too.
	j.enc = &encoder{flavor: s.cfg.Flavor, chat: chat, id: s.newID(chat), created: arrival.Unix(), model: s.cfg.ServedName()}
	j.fault, j.faultAt = s.faults.draw(j.outputTokens)
	if j.fault == faultHTTPError {
		s.faultLog.injected(j.fault, j.enc.id, j.path, 0)
		s.writeError(w, &requestError{status: http.StatusInternalServerError, errType: "InternalServerError", message: "simulated internal server error"})
		return
	}

	ctx := r.Context()
	queued, err := s.engine.admit(ctx)
	if err != nil {
		s.logger.Debug("client left while queued", "path", r.URL.Path, "error", err)
		return
	}
	defer s.engine.release()
	if queued {
		j.start = time.Now()
	}
	j.kvHeld = int64(gen.promptTokens)
	s.engine.kvTokens.Add(j.kvHeld)
	defer func() { s.engine.kvTokens.Add(-j.kvHeld) }()
	s.metrics.promptTokens.Add(float64(gen.promptTokens))

	if gen.stream {
		s.stream(ctx, w, j)
	} else {
		s.respond(ctx, w, j)
	}
}

// stream writes a streaming response, one chunk per token at its deadline.
func (s *Server) stream(ctx context.Context, w http.ResponseWriter, j *job) {
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	if rc.Flush() != nil {
		return
	}
	send := func(event []byte) bool {
		if _, err := w.Write(event); err != nil {
			return false
		}
		return rc.Flush() == nil
	}

	fine := newFineTimer()
	defer fine.close()

	gen := j.gen
	var usage *usageInfo
	var firstAt, prevAt time.Time
	deadline := j.start.Add(s.engine.ttft(gen.promptTokens))
	for k := 0; k <= j.outputTokens; k++ {
		if k > 0 {
			deadline = deadline.Add(s.engine.itl())
		}
		if j.fault != faultNone && k == j.faultAt {
			s.streamFault(ctx, j, deadline, fine, send)
			return
		}
		if k == j.outputTokens {
			break
		}
		if waitUntil(ctx, deadline, fine) != nil {
			return
		}

		if gen.continuous {
			usage = newUsage(gen.promptTokens, k)
		}
		if k == 0 && gen.chat && !send(j.enc.roleChunk(usage)) {
			return
		}
		finish := ""
		if k == j.outputTokens-1 && !j.enc.finishInOwnChunk() {
			finish = j.finish
		}
		if gen.continuous {
			usage = newUsage(gen.promptTokens, k+1)
		}
		if !send(j.enc.tokenChunk(j.text.token(), finish, usage)) {
			return
		}

		now := time.Now()
		if k == 0 {
			firstAt = now
			s.metrics.ttft.Observe(now.Sub(j.arrival).Seconds())
		} else {
			s.metrics.itl.Observe(now.Sub(prevAt).Seconds())
		}
		prevAt = now
		s.metrics.generationTokens.Inc()
		s.engine.kvTokens.Add(1)
		j.kvHeld++
	}

	final := newUsage(gen.promptTokens, j.outputTokens)
	if gen.continuous {
		usage = final
	}
	if j.enc.finishInOwnChunk() && !send(j.enc.finishChunk(j.finish, usage)) {
		return
	}
	if gen.includeUsage && !send(j.enc.usageChunk(final)) {
		return
	}
	if !send(doneEvent) {
		return
	}
	s.metrics.requestDone(j.finish, j.start.Sub(j.arrival), prevAt.Sub(j.arrival), firstAt.Sub(j.arrival), j.outputTokens)
}

// streamFault injects the job's mid-stream fault at deadline.
func (s *Server) streamFault(ctx context.Context, j *job, deadline time.Time, fine *fineTimer, send func([]byte) bool) {
	switch j.fault {
	case faultStall:
		s.faultLog.injected(j.fault, j.enc.id, j.path, j.faultAt)
		<-ctx.Done()
	case faultInBand:
		if waitUntil(ctx, deadline, fine) != nil {
			return
		}
		s.faultLog.injected(j.fault, j.enc.id, j.path, j.faultAt)
		if send(j.enc.errorEvent(errorMidStream)) {
			send(doneEvent)
		}
	case faultDisconnect:
		if waitUntil(ctx, deadline, fine) != nil {
			return
		}
		s.faultLog.injected(j.fault, j.enc.id, j.path, j.faultAt)
		// Aborting the handler closes the connection without ending the
		// response, so the client sees the stream cut short.
		panic(http.ErrAbortHandler)
	}
}

// respond writes a non-streaming response when the last token would have
// been generated.
func (s *Server) respond(ctx context.Context, w http.ResponseWriter, j *job) {
	gen := j.gen
	ttft := s.engine.ttft(gen.promptTokens)
	itl := s.engine.itl()
	tokenTime := func(k int) time.Time { return j.start.Add(ttft + time.Duration(k)*itl) }

	switch j.fault {
	case faultStall:
		s.faultLog.injected(j.fault, j.enc.id, j.path, j.faultAt)
		<-ctx.Done()
		return
	case faultInBand:
		if waitUntil(ctx, tokenTime(j.faultAt), nil) == nil {
			s.faultLog.injected(j.fault, j.enc.id, j.path, j.faultAt)
			s.writeError(w, errorMidStream)
		}
		return
	case faultDisconnect:
		if waitUntil(ctx, tokenTime(j.faultAt), nil) == nil {
			s.faultLog.injected(j.fault, j.enc.id, j.path, j.faultAt)
			panic(http.ErrAbortHandler)
		}
		return
	}

	var text strings.Builder
	for range j.outputTokens {
		text.WriteString(j.text.token())
	}
	end := tokenTime(j.outputTokens - 1)
	if waitUntil(ctx, end, nil) != nil {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(j.enc.response(text.String(), j.finish, newUsage(gen.promptTokens, j.outputTokens)))

	s.metrics.generationTokens.Add(float64(j.outputTokens))
	s.metrics.ttft.Observe((j.start.Sub(j.arrival) + ttft).Seconds())
	for range j.outputTokens - 1 {
		s.metrics.itl.Observe(itl.Seconds())
	}
	s.metrics.requestDone(j.finish, j.start.Sub(j.arrival), end.Sub(j.arrival), j.start.Sub(j.arrival)+ttft, j.outputTokens)
}
