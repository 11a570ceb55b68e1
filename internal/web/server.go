// Package web serves Luoshi's server-rendered pages and mounts the JSON API.
package web

import (
	"log/slog"
	"net/http"
	"net/netip"

	"github.com/luoshi/luoshi/internal/account"
	"github.com/luoshi/luoshi/internal/api"
	"github.com/luoshi/luoshi/internal/auth"
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
	// reverse proxy that sets it): the rightmost address that is not one of
	// TrustedProxies (DefaultTrustedProxies when empty), and only when the
	// peer itself is one of them.
	TrustProxy     bool
	TrustedProxies []netip.Prefix
	// HashLimiter bounds concurrent password hashing; nil: the default
	// (auth.DefaultHashMemoryMiB, auth.DefaultHashWait).
	HashLimiter *auth.HashLimiter
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
	proxies    []netip.Prefix
	demo       bool
	importMax  int64
	pages      *pages
	handler    http.Handler
	sup        *supervision.Service
	silentDays int
	reports    *reporting.Service
	health     healthCache
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
	accounts := account.New(cfg.DB)
	if cfg.HashLimiter != nil {
		accounts.WithHashLimiter(cfg.HashLimiter)
	}
	sup := &supervision.Service{DB: cfg.DB, Log: cfg.Logger}
	if cfg.ReportNotifier == nil {
		cfg.ReportNotifier = sup
	}
	s := &Server{db: cfg.DB, accounts: accounts, log: cfg.Logger, version: cfg.Version, secure: cfg.Secure,
		trustProxy: cfg.TrustProxy, proxies: cfg.TrustedProxies, demo: cfg.Demo, importMax: cfg.ImportMaxBytes, pages: pg,
		sup: sup, silentDays: cfg.SilentDays, reports: reporting.New(cfg.DB, cfg.ReportNotifier)}
	if len(s.proxies) == 0 {
		s.proxies = DefaultTrustedProxies
	}
	s.accounts.SetLogger(cfg.Logger)
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, s.handle(s.guard(rt, rt.h)))
	}
	mux.Handle("GET "+static.Prefix, static.Handler())
	mux.Handle("/api/v1/", http.StripPrefix("/api/v1", api.New(api.Config{DB: cfg.DB, Accounts: s.accounts,
		Logger: cfg.Logger, ClientIP: s.clientIP, RequestID: RequestID, Reports: s.reports,
		SilentDays: cfg.SilentDays})))
	mux.HandleFunc("GET /healthz", s.healthz)
	// Cross-origin unsafe requests are refused from the Fetch metadata
	// headers before any token is looked at (defence in depth with CSRF
	// tokens).
	cop := http.NewCrossOriginProtection()
	s.handler = s.middleware(cop.Handler(s.withActor(s.routed(mux))))
	return s, nil
}

type notFoundError struct{}

func (*notFoundError) Error() string { return "not found" }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }
