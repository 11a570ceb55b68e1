// Package web serves Luoshi's server-rendered pages and mounts the JSON API.
package web

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/luoshi/luoshi/internal/api"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/web/static"
)

// Config holds the server's dependencies.
type Config struct {
	DB      *store.DB
	Logger  *slog.Logger
	Version string
	// Secure marks cookies Secure (serving over TLS).
	Secure bool
}

// Server is the HTTP handler of the whole product.
type Server struct {
	db      *store.DB
	log     *slog.Logger
	version string
	secure  bool
	pages   *pages
	handler http.Handler
}

// New parses and checks the templates and builds the routes.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	pg, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &Server{db: cfg.DB, log: cfg.Logger, version: cfg.Version, secure: cfg.Secure, pages: pg}
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, s.handle(rt.h))
	}
	mux.Handle("GET "+static.Prefix, static.Handler())
	mux.Handle("/api/v1/", http.StripPrefix("/api/v1", api.New(api.Config{DB: cfg.DB, Logger: cfg.Logger})))
	mux.HandleFunc("GET /healthz", s.healthz)
	s.handler = s.middleware(mux)
	return s, nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// healthz answers 200 only when the database answers.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2e9)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.db.Ping(ctx); err != nil {
		s.log.ErrorContext(ctx, "healthz", "err", err, "request_id", RequestID(ctx))
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable\n"))
		return
	}
	w.Write([]byte("ok\n"))
}
