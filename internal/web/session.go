package web

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/luoshi/luoshi/internal/account"
	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
)

const (
	sessionCookie = "luoshi_session"
	csrfCookie    = "luoshi_csrf" // the signed-out double-submit token (login form)
	csrfField     = "csrf_token"
	csrfHeader    = "X-CSRF-Token"
	// maxFormBytes bounds an ordinary form; uploads set their own limit.
	maxFormBytes = 64 << 10
)

// withActor loads the session named by the cookie, if any, and puts its
// actor on the request.
func (s *Server) withActor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			a, err := s.accounts.Authenticate(r.Context(), c.Value)
			switch {
			case err == nil && !a.ViaToken:
				r = r.WithContext(auth.WithActor(r.Context(), a))
			case err == nil, apperr.Is(err, apperr.Unauthenticated):
				s.clearSession(w)
			default:
				s.renderError(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// guard applies a route's access rule: sign-in, role, forced password
// change and CSRF. A role that may not use the route gets 404, as if it did
// not exist.
func (s *Server) guard(rt route, next handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			// Uploads get their route's larger limit, but only from
			// someone who may use the route (planimport.go).
			limit, large := bodyLimits[rt.pattern]
			if a := auth.ActorFrom(r.Context()); !large || a == nil || !slices.Contains(rt.allow, a.Role) {
				limit = bodyLimit{n: maxFormBytes, message: "提交的内容过大(上限 64 KiB),请删减后重试"}
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit.n)
			// Read the form now, so that an oversized body is told apart
			// from a missing CSRF token.
			if err := readLargeForm(r, limit); err != nil {
				return err
			}
			if err := s.checkCSRF(r); err != nil {
				return err
			}
		}
		if rt.allow == nil {
			return next(w, r)
		}
		a := auth.ActorFrom(r.Context())
		if a == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return nil
			}
			return &apperr.Error{Code: apperr.Unauthenticated, Message: "请先登录"}
		}
		if !slices.Contains(rt.allow, a.Role) {
			// Audited, one record per user, route and window (issue 7).
			s.accounts.Deny(r.Context(), s.source(r), "route:"+rt.pattern+":"+a.Username,
				map[string]any{"route": rt.pattern, "path": r.URL.Path, "role": a.Role})
			return apperr.New(apperr.NotFound, "未找到")
		}
		if a.MustChange && !strings.HasPrefix(rt.pattern, "GET /account/password") &&
			rt.pattern != "POST /account/password" && rt.pattern != "POST /logout" {
			http.Redirect(w, r, "/account/password", http.StatusSeeOther)
			return nil
		}
		return next(w, r)
	}
}

// csrfToken returns the token forms must carry: the session's, or the
// signed-out cookie's (set here when missing).
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if a := auth.ActorFrom(r.Context()); a != nil {
		return a.CSRF
	}
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	tok := auth.NewToken("")
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: tok, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secure})
	return tok
}

// checkCSRF compares the form field or header with the expected token.
func (s *Server) checkCSRF(r *http.Request) error {
	want := ""
	if a := auth.ActorFrom(r.Context()); a != nil {
		want = a.CSRF
	} else if c, err := r.Cookie(csrfCookie); err == nil {
		want = c.Value
	}
	got := r.Header.Get(csrfHeader)
	if got == "" {
		got = r.FormValue(csrfField)
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return &apperr.Error{Code: apperr.Forbidden, Key: "err.csrf", Message: "页面已过期或请求来源无效,请刷新页面后重试"}
	}
	return nil
}

func (s *Server) setSession(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secure})
}

func (s *Server) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secure})
}

// source is the audit source of the request.
func (s *Server) source(r *http.Request) audit.Source {
	return account.Source(auth.ActorFrom(r.Context()), s.clientIP(r), RequestID(r.Context()))
}
