package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/routing"
)

// routed serves the routes of mux; a path no route knows gets the 404 page
// and a known path asked with another method the 405 page with an Allow
// header.
func (s *Server) routed(mux *http.ServeMux) http.Handler {
	notFound := s.handle(func(w http.ResponseWriter, r *http.Request) error { return &notFoundError{} })
	return routing.Fallback(mux, notFound, s.renderMethodNotAllowed)
}

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
