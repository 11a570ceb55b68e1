package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/store"
)

// policyField is one number of the security policy on its form.
type policyField struct {
	Name     string // form field and catalogue suffix
	Value    string
	Min, Max int
}

// policyFields lists the policy's numbers in form order, each with its
// bounds (as auth.Policy.Validate checks them) for the input's min and max.
func policyFields(p auth.Policy) []policyField {
	return []policyField{
		{"min_length", strconv.Itoa(p.MinLength), 8, 64},
		{"min_classes", strconv.Itoa(p.MinClasses), 2, 4},
		{"lockout_threshold", strconv.Itoa(p.LockoutThreshold), 3, 10},
		{"lockout_minutes", strconv.Itoa(p.LockoutMinutes), 1, 1440},
		{"idle_minutes", strconv.Itoa(p.IdleMinutes), 1, 120},
		{"absolute_hours", strconv.Itoa(p.AbsoluteHours), 1, 72},
		{"password_history", strconv.Itoa(p.PasswordHistory), 1, auth.MaxPasswordHistory},
	}
}

type adminPolicyPage struct {
	Layout
	Items   []policyField
	Version int64
	Fields  map[string]string
	Error   string
}

func (s *Server) renderPolicy(w http.ResponseWriter, r *http.Request, status int, page adminPolicyPage) error {
	l, err := s.layout(w, r, "admin.policy", "nav.policy")
	if err != nil {
		return err
	}
	l.Crumbs = []Crumb{{Label: l.T("nav.policy")}}
	page.Layout = l
	return s.render(w, status, "admin_policy", &page)
}

// adminPolicy shows the password and session policy (安全策略).
func (s *Server) adminPolicy(w http.ResponseWriter, r *http.Request) error {
	p, version, err := s.db.Policy(r.Context())
	if err != nil {
		return err
	}
	return s.renderPolicy(w, r, http.StatusOK, adminPolicyPage{Items: policyFields(p), Version: version})
}

// adminPolicyUpdate stores the policy; the form's version guards against
// overwriting another change.
func (s *Server) adminPolicyUpdate(w http.ResponseWriter, r *http.Request) error {
	fields := map[string]string{}
	num := func(name string) int {
		n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(name)))
		if err != nil {
			fields[name] = "请输入整数"
		}
		return n
	}
	p := auth.Policy{MinLength: num("min_length"), MinClasses: num("min_classes"),
		LockoutThreshold: num("lockout_threshold"), LockoutMinutes: num("lockout_minutes"),
		IdleMinutes: num("idle_minutes"), AbsoluteHours: num("absolute_hours")}
	if _, ok := r.PostForm["password_history"]; ok {
		p.PasswordHistory = num("password_history")
	} else {
		// A form from before the field existed (a tab left open over an
		// upgrade) keeps the stored value.
		current, _, err := s.db.Policy(r.Context())
		if err != nil {
			return err
		}
		p.PasswordHistory = current.PasswordHistory
	}
	version, verr := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if verr != nil {
		version = -1 // matches nothing: a conflict
	}
	var err error
	if len(fields) > 0 {
		err = apperr.WithFields("安全策略有误", fields)
	} else {
		err = s.accounts.UpdatePolicy(r.Context(), s.source(r), p, version)
	}
	if fe := fieldErrors(err); fe != nil {
		items := policyFields(p)
		for i := range items {
			items[i].Value = r.PostFormValue(items[i].Name)
		}
		return s.renderPolicy(w, r, http.StatusUnprocessableEntity, adminPolicyPage{Items: items, Version: version,
			Fields: fe.Fields, Error: fe.Message})
	}
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, "/admin/policy", l10n(r, "admin.policy.saved"))
}

// onlineSession is a session with its user's unit.
type onlineSession struct {
	store.Session
	UnitName string
}

type adminOnlinePage struct {
	Layout
	Sessions []onlineSession
	Current  string
	Idle     int
}

// adminOnline lists everyone's live sessions (在线用户).
func (s *Server) adminOnline(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	l, err := s.layout(w, r, "admin.online", "nav.online")
	if err != nil {
		return err
	}
	l.Crumbs = []Crumb{{Label: l.T("nav.online")}}
	policy, _, err := s.db.Policy(ctx)
	if err != nil {
		return err
	}
	list, err := s.db.ActiveSessions(ctx, 0, s.db.Now(), time.Duration(policy.IdleMinutes)*time.Minute)
	if err != nil {
		return err
	}
	users, err := s.db.Users(ctx)
	if err != nil {
		return err
	}
	unitOf := map[int64]string{}
	for _, u := range users {
		unitOf[u.ID] = u.UnitName
	}
	out := make([]onlineSession, len(list))
	for i, sess := range list {
		out[i] = onlineSession{Session: sess, UnitName: unitOf[sess.UserID]}
	}
	return s.render(w, http.StatusOK, "admin_online", &adminOnlinePage{Layout: l, Sessions: out,
		Current: l.Actor.SessionID, Idle: policy.IdleMinutes})
}

// adminOnlineRevoke signs a session out (强制下线).
func (s *Server) adminOnlineRevoke(w http.ResponseWriter, r *http.Request) error {
	a := auth.ActorFrom(r.Context())
	id := r.PathValue("id")
	if err := s.accounts.RevokeSession(r.Context(), s.source(r), id, 0); err != nil {
		return err
	}
	if id == a.SessionID {
		s.clearSession(w)
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	return s.redirectFlash(w, r, "/admin/online", l10n(r, "admin.online.revoked"))
}
