package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/i18n"
	"github.com/luoshi/luoshi/internal/org"
)

// A save that lost a version race (409) shows the data as it is now beside
// what the user typed, field by field, and keeps the typed values in the
// form with the current version, so that saving again is a deliberate
// overwrite (issue 7).

// conflictRow is one field of a conflict table.
type conflictRow struct {
	Label   string
	Current string
	Yours   string
}

// Changed reports whether the stored value differs from the typed one.
func (r conflictRow) Changed() bool { return r.Current != r.Yours }

// conflictView is the table shown on a 409 page.
type conflictView struct {
	Rows []conflictRow
}

func yesNo(lang string, b bool) string {
	if b {
		return i18n.T(lang, "admin.user.status.disabled")
	}
	return i18n.T(lang, "admin.user.status.active")
}

// conflictUnitNames maps unit ids to names for the conflict tables.
func (s *Server) conflictUnitNames(ctx context.Context) map[int64]string {
	units, err := s.db.Units(ctx)
	names := map[int64]string{}
	if err != nil {
		return names
	}
	for _, u := range units {
		names[u.ID] = u.Name
	}
	return names
}

// userConflict compares the stored account with the typed one.
func (s *Server) userConflict(r *http.Request, current, typed auth.User) *conflictView {
	lang, names := lang(r), s.conflictUnitNames(r.Context())
	role := func(x auth.Role) string {
		if !x.Valid() {
			return string(x)
		}
		return i18n.T(lang, "role."+string(x))
	}
	return &conflictView{Rows: []conflictRow{
		{i18n.T(lang, "admin.user.name"), current.Name, typed.Name},
		{i18n.T(lang, "admin.user.role"), role(current.Role), role(typed.Role)},
		{i18n.T(lang, "admin.user.unit"), names[current.UnitID], names[typed.UnitID]},
		{i18n.T(lang, "admin.user.status"), yesNo(lang, current.Disabled), yesNo(lang, typed.Disabled)},
	}}
}

// unitConflict compares the stored unit with the typed one.
func (s *Server) unitConflict(r *http.Request, current, typed org.Unit) *conflictView {
	lang, names := lang(r), s.conflictUnitNames(r.Context())
	kind := func(k org.Kind) string {
		if k == "" {
			return ""
		}
		return i18n.T(lang, "unit.kind."+string(k))
	}
	return &conflictView{Rows: []conflictRow{
		{i18n.T(lang, "unit.name"), current.Name, typed.Name},
		{i18n.T(lang, "unit.code"), current.Code, typed.Code},
		{i18n.T(lang, "unit.kind"), kind(current.Kind), kind(typed.Kind)},
		{i18n.T(lang, "unit.division_code"), current.DivisionCode, typed.DivisionCode},
		{i18n.T(lang, "unit.parent"), names[current.ParentID], names[typed.ParentID]},
		{i18n.T(lang, "admin.unit.sort"), strconv.Itoa(current.Sort), strconv.Itoa(typed.Sort)},
	}}
}

// renderActivateConflict answers a plan activation that lost a race
// (someone activated or changed the plan since the page was read): 409
// with the plan's current status and version beside the requested ones.
func (s *Server) renderActivateConflict(w http.ResponseWriter, r *http.Request, id int64, cause error) error {
	current, err := s.db.Plan(r.Context(), auth.ActorFrom(r.Context()).Scope, id)
	if err != nil {
		return err
	}
	lang := lang(r)
	typedVersion := r.PostFormValue("version")
	l, err := s.layout(w, r, "plans", "err.title")
	if err != nil {
		return err
	}
	page := errorPage{Layout: l, Status: http.StatusConflict, RequestID: RequestID(r.Context()),
		Message: i18n.T(lang, "conflict.title"),
		Conflict: &conflictView{Rows: []conflictRow{
			{i18n.T(lang, "plan.title"), current.Title, current.Title},
			{i18n.T(lang, "plan.status"), i18n.T(lang, "status."+current.Status), i18n.T(lang, "status.active")},
			{i18n.T(lang, "conflict.version"), strconv.FormatInt(current.Version, 10), typedVersion},
		}}}
	s.log.InfoContext(r.Context(), "plan activation conflict", "plan", id, "err", cause, "request_id", page.RequestID)
	return s.render(w, http.StatusConflict, "error", &page)
}
