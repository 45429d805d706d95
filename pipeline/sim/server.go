package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// ErrSimulatedExit is returned by ListenAndServe when the server stopped on
// its own because of --sim-exit-after.
var ErrSimulatedExit = errors.New("simulated server exit")

// shutdownGrace is how long ListenAndServe lets running requests finish
// after its context ends before it closes their connections.
const shutdownGrace = 2 * time.Second

// Server is a simulated vLLM or SGLang server. It is an http.Handler; use
// ListenAndServe or StartLocal to serve it on a socket.
type Server struct {
	cfg     Config
	logger  *slog.Logger
	mux     *http.ServeMux
	engine  *engine
	metrics *serverMetrics
	faults  *faultSource
	// faultLog logs the faults injected into requests.
	faultLog *faultLog

	created time.Time
	nextID  atomic.Uint64
}

// New returns a server for cfg, which should have passed Validate. A nil
// logger discards logs.
func New(cfg Config, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		cfg:      cfg,
		logger:   logger,
		mux:      http.NewServeMux(),
		engine:   newEngine(cfg),
		faults:   newFaultSource(cfg.Sim),
		faultLog: newFaultLog(logger),
		created:  time.Now(),
	}
	s.metrics = newServerMetrics(cfg, s.engine)

	s.mux.HandleFunc("GET /health", s.handleHealth)
	s.mux.HandleFunc("GET /v1/models", s.v1(s.handleModels))
	s.mux.HandleFunc("POST /v1/completions", s.v1(func(w http.ResponseWriter, r *http.Request) { s.handleGenerate(w, r, false) }))
	s.mux.HandleFunc("POST /v1/chat/completions", s.v1(func(w http.ResponseWriter, r *http.Request) { s.handleGenerate(w, r, true) }))
	if cfg.MetricsEnabled {
		s.mux.Handle("GET /metrics", s.metrics.handler())
	}
	switch cfg.Flavor {
	case FlavorVLLM:
		s.mux.HandleFunc("GET /version", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, map[string]string{"version": "sim"})
		})
	case FlavorSGLang:
		s.mux.HandleFunc("GET /get_model_info", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, map[string]any{"model_path": cfg.Model, "tokenizer_path": cfg.Model, "is_generation": true})
		})
	}
	return s
}

// Config returns the server's configuration.
func (s *Server) Config() Config { return s.cfg }

// ServeHTTP serves the simulated API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// ListenAndServe listens on the configured host and port and serves until
// ctx ends, then shuts down gracefully: running requests get a short grace
// period before their connections are closed. It returns nil after a
// shutdown by ctx.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Addr())
	if err != nil {
		return fmt.Errorf("listening on %s: %w", s.cfg.Addr(), err)
	}
	s.logger.Info("simulated server listening", "flavor", s.cfg.Flavor, "model", s.cfg.ServedName(), "addr", ln.Addr().String())
	return s.serve(ctx, ln, shutdownGrace)
}

// Serve serves on ln until ctx ends, like ListenAndServe.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	return s.serve(ctx, ln, shutdownGrace)
}

// StartLocal starts a server for cfg on 127.0.0.1 with a free port (cfg's
// host and port are ignored) and returns its base URL, such as
// "http://127.0.0.1:41234", and a function that stops it at once. The server
// also stops when ctx ends.
func StartLocal(ctx context.Context, cfg Config) (baseURL string, stop func(), err error) {
	if err := cfg.Validate(); err != nil {
		return "", nil, fmt.Errorf("starting simulated %s server: %w", cfg.Flavor, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("starting simulated %s server: %w", cfg.Flavor, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	s := New(cfg, nil)
	go func() {
		defer close(done)
		_ = s.serve(ctx, ln, 0) // the error is ErrSimulatedExit or a closed listener
	}()
	stop = func() {
		cancel()
		<-done
	}
	return "http://" + ln.Addr().String(), stop, nil
}

func (s *Server) serve(ctx context.Context, ln net.Listener, grace time.Duration) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelDebug),
	}
	logFaultRates(s.logger, s.cfg.Sim)
	defer s.faultLog.logTotals()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	var exit <-chan time.Time
	if s.cfg.Sim.ExitAfter > 0 {
		timer := time.NewTimer(s.cfg.Sim.ExitAfter - time.Since(s.created))
		defer timer.Stop()
		exit = timer.C
	}

	select {
	case err := <-served:
		return fmt.Errorf("serving simulated %s: %w", s.cfg.Flavor, err)
	case <-exit:
		s.logger.Warn("simulated server exiting", "after", s.cfg.Sim.ExitAfter)
		srv.Close()
		<-served
		return fmt.Errorf("stopped after --sim-exit-after %v: %w", s.cfg.Sim.ExitAfter, ErrSimulatedExit)
	case <-ctx.Done():
	}

	if grace > 0 {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err == nil {
			<-served
			s.logger.Info("simulated server stopped")
			return nil
		}
		s.logger.Warn("simulated server closing connections still open after the grace period", "grace", grace)
	}
	srv.Close()
	<-served
	s.logger.Info("simulated server stopped")
	return nil
}

// ready reports whether the simulated startup is over.
func (s *Server) ready() bool {
	return time.Since(s.created) >= s.cfg.Sim.StartupDelay
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if !s.ready() {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// v1 wraps an API handler with the startup and API key checks.
func (s *Server) v1(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.ready() {
			s.writeError(w, &requestError{status: http.StatusServiceUnavailable, errType: "ServiceUnavailableError", message: "the server is starting up"})
			return
		}
		if s.cfg.APIKey != "" && r.Header.Get("Authorization") != "Bearer "+s.cfg.APIKey {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "Unauthorized"})
			return
		}
		next(w, r)
	}
}

func (s *Server) modelNames() []string {
	if len(s.cfg.ServedModelNames) > 0 {
		return s.cfg.ServedModelNames
	}
	return []string{s.cfg.Model}
}

func (s *Server) servesModel(name string) bool {
	return slices.Contains(s.modelNames(), name)
}

func (s *Server) handleModels(w http.ResponseWriter, r *http.Request) {
	created := s.created.Unix()
	var data []any
	for _, name := range s.modelNames() {
		entry := map[string]any{
			"id": name, "object": "model", "created": created,
			"owned_by": s.cfg.Flavor, "root": s.cfg.Model, "max_model_len": s.cfg.MaxModelLen,
		}
		if s.cfg.Flavor == FlavorVLLM {
			entry["parent"] = nil
			entry["permission"] = []any{map[string]any{
				"id": "modelperm-sim", "object": "model_permission", "created": created,
				"allow_create_engine": false, "allow_sampling": true, "allow_logprobs": true,
				"allow_search_indices": false, "allow_view": true, "allow_fine_tuning": false,
				"organization": "*", "group": nil, "is_blocking": false,
			}}
		}
		data = append(data, entry)
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data})
}

// newID returns a response id with the flavor's shape: a hex id for vLLM,
// a UUID-like id for SGLang.
func (s *Server) newID(chat bool) string {
	prefix := "cmpl-"
	if chat {
		prefix = "chatcmpl-"
	}
	n := s.nextID.Add(1)
	stamp := uint64(s.created.UnixNano())
	if s.cfg.Flavor == FlavorSGLang {
		return fmt.Sprintf("%s%08x-%04x-4%03x-8%03x-%012x", prefix, uint32(stamp), uint16(n>>32), uint16(n>>16)&0xfff, uint16(n)&0xfff, stamp^n)
	}
	return fmt.Sprintf("%s%016x%016x", prefix, stamp, n)
}

func (s *Server) writeError(w http.ResponseWriter, e *requestError) {
	writeJSON(w, e.status, newAPIError(e))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"object":"error","message":"simulator: encoding failed","type":"InternalServerError","param":null,"code":500}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// readBody reads a request body up to maxBodyBytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, *requestError) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, badRequest("request body larger than %d bytes", maxBodyBytes)
		}
		return nil, badRequest("reading the request body: %v", strings.TrimSpace(err.Error()))
	}
	return body, nil
}
