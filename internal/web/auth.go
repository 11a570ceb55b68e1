package web

import (
	"net/http"
	"time"

	"github.com/luoshi/luoshi/internal/account"
	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/store"
)

type loginPage struct {
	Layout
	Username string
	Next     string
	Error    string
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if auth.ActorFrom(r.Context()) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	l, err := s.layout(w, r, "login", "login.title")
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "login", &loginPage{Layout: l, Next: localPath(r.URL.Query().Get("next"))})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	username, password := r.PostFormValue("username"), r.PostFormValue("password")
	next := localPath(r.PostFormValue("next"))
	res, err := s.accounts.Login(r.Context(), account.LoginRequest{Username: username, Password: password, Kind: "web",
		IP: s.clientIP(r), UserAgent: r.UserAgent(), RequestID: RequestID(r.Context())})
	if err != nil {
		code := apperr.CodeOf(err)
		if code != apperr.Unauthenticated && code != apperr.TooMany && code != apperr.Invalid && code != apperr.Busy {
			return err
		}
		setRetryAfter(w, err)
		l, lerr := s.layout(w, r, "login", "login.title")
		if lerr != nil {
			return lerr
		}
		return s.render(w, httpStatus(code), "login", &loginPage{Layout: l, Username: username, Next: next,
			Error: apperr.As(err).Message})
	}
	s.setSession(w, res.Token)
	// The signed-out CSRF token is done with; the session has its own.
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	if res.User.MustChange {
		next = "/account/password"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.accounts.Logout(r.Context(), auth.ActorFrom(r.Context()), s.source(r)); err != nil {
		return err
	}
	s.clearSession(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

type passwordPage struct {
	Layout
	Policy auth.Policy
	Fields map[string]string
	Error  string
}

func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderPassword(w, r, http.StatusOK, nil)
}

// renderPassword shows the change form with the policy in force.
func (s *Server) renderPassword(w http.ResponseWriter, r *http.Request, status int, e *apperr.Error) error {
	l, err := s.layout(w, r, "account.password", "account.password")
	if err != nil {
		return err
	}
	policy, _, err := s.db.Policy(r.Context())
	if err != nil {
		return err
	}
	page := &passwordPage{Layout: l, Policy: policy}
	if e != nil {
		page.Fields, page.Error = e.Fields, e.Message
	}
	return s.render(w, status, "password", page)
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	a := auth.ActorFrom(r.Context())
	next, confirm := r.PostFormValue("password"), r.PostFormValue("confirm")
	var err error
	if next != confirm {
		err = apperr.WithFields("两次输入的新密码不一致", map[string]string{"confirm": "两次输入的新密码不一致"})
	} else {
		err = s.accounts.ChangePassword(r.Context(), a, s.source(r), r.PostFormValue("current"), next)
	}
	if err != nil {
		e := apperr.As(err)
		if e == nil || e.Code != apperr.Invalid {
			return err
		}
		return s.renderPassword(w, r, http.StatusUnprocessableEntity, e)
	}
	return s.redirectFlash(w, r, "/", l10n(r, "account.password_changed"))
}

type sessionsPage struct {
	Layout
	Sessions []store.Session
	Current  string
}

func (s *Server) mySessions(w http.ResponseWriter, r *http.Request) error {
	a := auth.ActorFrom(r.Context())
	l, err := s.layout(w, r, "account.sessions", "account.sessions")
	if err != nil {
		return err
	}
	policy, _, err := s.db.Policy(r.Context())
	if err != nil {
		return err
	}
	list, err := s.db.ActiveSessions(r.Context(), a.ID, s.db.Now(), time.Duration(policy.IdleMinutes)*time.Minute)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "sessions", &sessionsPage{Layout: l, Sessions: list, Current: a.SessionID})
}

func (s *Server) revokeMySession(w http.ResponseWriter, r *http.Request) error {
	a := auth.ActorFrom(r.Context())
	if err := s.accounts.RevokeSession(r.Context(), s.source(r), r.PathValue("id"), a.ID); err != nil {
		return err
	}
	if r.PathValue("id") == a.SessionID {
		s.clearSession(w)
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	return s.redirectFlash(w, r, "/account/sessions", l10n(r, "account.session_revoked"))
}

type tokensPage struct {
	Layout
	Tokens   []store.APIToken
	NewToken string
	Fields   map[string]string
}

func (s *Server) myTokens(w http.ResponseWriter, r *http.Request) error {
	return s.renderTokens(w, r, http.StatusOK, "", nil)
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, status int, newToken string, fields map[string]string) error {
	a := auth.ActorFrom(r.Context())
	l, err := s.layout(w, r, "account.tokens", "account.tokens")
	if err != nil {
		return err
	}
	list, err := s.db.APITokens(r.Context(), a.ID)
	if err != nil {
		return err
	}
	return s.render(w, status, "tokens", &tokensPage{Layout: l, Tokens: list, NewToken: newToken, Fields: fields})
}

// createToken shows the new token once, on the response to the POST.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	a := auth.ActorFrom(r.Context())
	tok, err := s.accounts.CreateToken(r.Context(), a, s.source(r), r.PostFormValue("name"))
	if e := apperr.As(err); e != nil && e.Code == apperr.Invalid {
		return s.renderTokens(w, r, http.StatusUnprocessableEntity, "", e.Fields)
	}
	if err != nil {
		return err
	}
	return s.renderTokens(w, r, http.StatusOK, tok, nil)
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.accounts.RevokeToken(r.Context(), auth.ActorFrom(r.Context()), s.source(r), id); err != nil {
		return err
	}
	return s.redirectFlash(w, r, "/account/tokens", l10n(r, "account.token_revoked"))
}

// l10n translates key in the request's language.
func l10n(r *http.Request, key string, args ...any) string {
	l := Layout{Lang: lang(r)}
	return l.T(key, args...)
}
