// Package web serves Luoshi's server-rendered pages and mounts the JSON API.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/luoshi/luoshi/internal/account"
	"github.com/luoshi/luoshi/internal/api"
	"github.com/luoshi/luoshi/internal/report"
	"github.com/luoshi/luoshi/internal/reporting"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/supervision"
	"github.com/luoshi/luoshi/internal/web/static"
)

// Config holds the server's dependencies.
type Config struct {
	DB      *store.DB
	Logger  *slog.Logger
	Version string
	// Secure marks cookies Secure (serving over TLS).
	Secure bool
	// TrustProxy takes the client address from X-Forwarded-For (behind a
	// reverse proxy that sets it).
	TrustProxy bool
	// Demo labels every page as showing demonstration data (serve --demo).
	Demo bool
	// SilentDays flags units without a report or sign-in for this many days
	// on the supervision watch (0: supervision.DefaultSilentDays).
	SilentDays int
	// ReportNotifier hears about submitted, returned and approved reports;
	// nil: the unit is notified through the outbox (supervision.Service).
	ReportNotifier report.Notifier
	// ImportMaxBytes limits a registry import file (default 20 MB).
	ImportMaxBytes int64
}

// Server is the HTTP handler of the whole product.
type Server struct {
	db         *store.DB
	accounts   *account.Service
	log        *slog.Logger
	version    string
	secure     bool
	trustProxy bool
	demo       bool
	importMax  int64
	pages      *pages
	handler    http.Handler
	sup        *supervision.Service
	silentDays int
	reports    *reporting.Service
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
	sup := &supervision.Service{DB: cfg.DB, Log: cfg.Logger}
	if cfg.ReportNotifier == nil {
		cfg.ReportNotifier = sup
	}
	s := &Server{db: cfg.DB, accounts: account.New(cfg.DB), log: cfg.Logger, version: cfg.Version,
		secure: cfg.Secure, trustProxy: cfg.TrustProxy, demo: cfg.Demo, importMax: cfg.ImportMaxBytes, pages: pg, sup: sup,
		silentDays: cfg.SilentDays, reports: reporting.New(cfg.DB, cfg.ReportNotifier)}
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, s.handle(s.guard(rt, rt.h)))
	}
	mux.Handle("GET "+static.Prefix, static.Handler())
	mux.Handle("/api/v1/", http.StripPrefix("/api/v1", api.New(api.Config{DB: cfg.DB, Accounts: s.accounts,
		Logger: cfg.Logger, ClientIP: s.clientIP, RequestID: RequestID, Reports: s.reports})))
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("/", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return &notFoundError{}
	}))
	// Cross-origin unsafe requests are refused from the Fetch metadata
	// headers before any token is looked at (defence in depth with CSRF
	// tokens).
	cop := http.NewCrossOriginProtection()
	s.handler = s.middleware(cop.Handler(s.withActor(mux)))
	return s, nil
}

type notFoundError struct{}

func (*notFoundError) Error() string { return "not found" }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// healthz answers 200 only when the database answers.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
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
