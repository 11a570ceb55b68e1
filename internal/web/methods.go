package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/auth"
)

// routed serves the routes of mux; a path no route knows gets the 404 page
// and a known path asked with another method 405 with an Allow header. A
// catch-all "/" pattern in the mux would answer both with 404 (issue 7), so
// the fallback lives here, outside the mux.
func (s *Server) routed(mux *http.ServeMux) http.Handler {
	notFound := s.handle(func(w http.ResponseWriter, r *http.Request) error { return &notFoundError{} })
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if allow, ok := methodNotAllowed(mux, r); ok {
			s.renderMethodNotAllowed(w, r, allow)
			return
		}
		if _, pattern := mux.Handler(r); pattern == "" {
			notFound.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// methodNotAllowed reports whether mux has no route for r's method but has
// routes for its path, and their methods. The mux answers that case with
// 405 and an Allow header; its answer is caught here, unwritten.
func methodNotAllowed(mux *http.ServeMux, r *http.Request) (string, bool) {
	h, pattern := mux.Handler(r)
	if pattern != "" {
		return "", false
	}
	rec := &headerRecorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	if rec.status != http.StatusMethodNotAllowed {
		return "", false
	}
	return rec.header.Get("Allow"), true
}

// headerRecorder keeps a response's status and headers and drops its body.
type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header         { return h.header }
func (h *headerRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (h *headerRecorder) WriteHeader(code int)        { h.status = code }

func (s *Server) renderMethodNotAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	w.Header().Set("Allow", allow)
	l := Layout{Lang: lang(r), Path: r.URL.Path, Version: s.version, Actor: auth.ActorFrom(r.Context()), Demo: s.demo}
	l.CSRF = s.csrfToken(w, r)
	page := errorPage{Layout: l, Status: http.StatusMethodNotAllowed, RequestID: RequestID(r.Context()),
		Message: l.T("err.method", strings.ReplaceAll(allow, ", ", "、"))}
	page.Title = l.T("err.title")
	if err := s.render(w, http.StatusMethodNotAllowed, "error", &page); err != nil {
		http.Error(w, page.Message, http.StatusMethodNotAllowed)
	}
}

// setRetryAfter tells the client when to try again after a busy answer
// (503): password hashing was at its limit.
func setRetryAfter(w http.ResponseWriter, err error) {
	if apperr.Is(err, apperr.Busy) {
		w.Header().Set("Retry-After", strconv.Itoa(auth.BusyRetryAfter))
	}
}
