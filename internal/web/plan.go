package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/i18n"
	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/store"
)

// home sends each role to its start page (report.go: homeFor).
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	a := auth.ActorFrom(r.Context())
	switch a.Role {
	case auth.SysAdmin:
		http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
		return nil
	case auth.SecAdmin:
		http.Redirect(w, r, "/admin/policy", http.StatusSeeOther)
		return nil
	case auth.Auditor:
		http.Redirect(w, r, "/audit", http.StatusSeeOther)
		return nil
	}
	return s.homeFor(w, r, a)
}

// setLang stores the chosen language in a cookie and goes back.
func (s *Server) setLang(w http.ResponseWriter, r *http.Request) error {
	l := i18n.Match(r.PathValue("lang"))
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure})
	// Only a local path: never an open redirect.
	http.Redirect(w, r, localPath(r.URL.Query().Get("back")), http.StatusSeeOther)
	return nil
}

type planListPage struct {
	Layout
}

func (s *Server) planList(w http.ResponseWriter, r *http.Request) error {
	l, err := s.layout(w, r, "plans", "nav.plans")
	if err != nil {
		return err
	}
	l.Crumbs = []Crumb{{Label: l.T("nav.plans")}}
	return s.render(w, http.StatusOK, "plans", &planListPage{Layout: l})
}

type planPage struct {
	Layout
	Plan *plan.Plan
	Tab  string
	// Computed are the headline targets with their registry bindings
	// (registry.go), on the overview.
	Computed []ComputedTarget
}

// loadPlan reads the plan named by the {id} path value.
func (s *Server) loadPlan(w http.ResponseWriter, r *http.Request, tab, title string) (*planPage, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	p, err := s.db.Plan(r.Context(), auth.ActorFrom(r.Context()).Scope, id)
	if err != nil {
		return nil, err
	}
	l, err := s.layout(w, r, "plan."+tab, title)
	if err != nil {
		return nil, err
	}
	l.PlanID = p.ID
	l.Crumbs = []Crumb{{Label: l.T("nav.plans"), URL: "/plans"}, {Label: p.Title, URL: fmt.Sprintf("/plans/%d", p.ID)}}
	if tab != "overview" {
		l.Crumbs = append(l.Crumbs, Crumb{Label: l.T(title)})
	}
	l.Title = p.Title
	if tab != "overview" {
		l.Title = l.T(title) + " · " + p.Title
	}
	return &planPage{Layout: l, Plan: p, Tab: tab}, nil
}

func (s *Server) planOverview(w http.ResponseWriter, r *http.Request) error {
	page, err := s.loadPlan(w, r, "overview", "plan.overview")
	if err != nil {
		return err
	}
	if page.Computed, err = s.computedTargets(r, page.Plan.ID, page.Plan.Year, page.Plan.Targets); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "plan", page)
}

func (s *Server) planSections(w http.ResponseWriter, r *http.Request) error {
	page, err := s.loadPlan(w, r, "sections", "plan.sections")
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "sections", page)
}

func (s *Server) planKeyItems(w http.ResponseWriter, r *http.Request) error {
	page, err := s.loadPlan(w, r, "key_items", "plan.key_items")
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "keyitems", page)
}

type taskPage struct {
	Layout
	Task *store.TaskDetail
}

// taskPage shows one task; another unit's task is not found.
func (s *Server) taskPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	t, err := s.db.Task(r.Context(), auth.ActorFrom(r.Context()).Scope, id)
	if err != nil {
		return err
	}
	l, err := s.layout(w, r, "plan.task", "plan.task")
	if err != nil {
		return err
	}
	l.PlanID = t.PlanID
	l.Title = t.Title
	l.Crumbs = []Crumb{{Label: l.T("nav.plans"), URL: "/plans"}, {Label: t.PlanTitle, URL: fmt.Sprintf("/plans/%d", t.PlanID)},
		{Label: t.Title}}
	return s.render(w, http.StatusOK, "task", &taskPage{Layout: l, Task: t})
}

// planActivate starts carrying out a draft plan (草稿 → 执行中). Only a
// draft can be activated; the form's version guards against a change made
// in between (a replacement, another activation).
func (s *Server) planActivate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := s.db.Plan(r.Context(), auth.ActorFrom(r.Context()).Scope, id)
	if err != nil {
		return err
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		return apperr.New(apperr.Invalid, "表单缺少版本号,请刷新页面后重试")
	}
	err = s.db.InTx(r.Context(), func(tx *store.Tx) error {
		if err := tx.SetPlanStatus(id, "draft", "active", version); err != nil {
			return err
		}
		return tx.Audit(s.source(r).New(audit.PlanUpdated, "plan", strconv.FormatInt(id, 10),
			map[string]string{"status": p.Status}, map[string]string{"status": "active"}))
	})
	if apperr.Is(err, apperr.Conflict) {
		return s.renderActivateConflict(w, r, id, err)
	}
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, fmt.Sprintf("/plans/%d", id), l10n(r, "plan.activated"))
}
