package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/store"
)

// adminUnitForm is the new-unit and edit-unit form.
type adminUnitForm struct {
	Layout
	New     bool
	Unit    org.Unit
	Kinds   []org.Kind
	Parents []unitOption
	Fields  map[string]string
	Error   string
	// Conflict is set when the save lost a version race (409).
	Conflict *conflictView
}

func (s *Server) renderUnitForm(w http.ResponseWriter, r *http.Request, status int, f adminUnitForm) error {
	title := "admin.unit.edit"
	if f.New {
		title = "admin.unit.new"
	}
	l, err := s.layout(w, r, "units", title)
	if err != nil {
		return err
	}
	l.Crumbs = []Crumb{{Label: l.T("nav.units"), URL: "/units"}, {Label: l.Title}}
	units, err := s.db.Units(r.Context())
	if err != nil {
		return err
	}
	// A unit cannot sit below itself: its subtree is not offered as parent.
	f.Layout, f.Kinds, f.Parents = l, org.Kinds, unitOptions(units, f.Unit.ID)
	return s.render(w, status, "admin_unit_form", &f)
}

// unitFromForm reads the unit fields of the form into u.
func unitFromForm(r *http.Request, u *org.Unit) map[string]string {
	fields := map[string]string{}
	u.Code = strings.TrimSpace(r.PostFormValue("code"))
	u.Name = strings.TrimSpace(r.PostFormValue("name"))
	u.Kind = org.Kind(r.PostFormValue("kind"))
	u.DivisionCode = strings.TrimSpace(r.PostFormValue("division_code"))
	u.ParentID, _ = strconv.ParseInt(r.PostFormValue("parent_id"), 10, 64)
	u.Sort = int(formInt(r, "sort", fields))
	return fields
}

func (s *Server) adminUnitNew(w http.ResponseWriter, r *http.Request) error {
	return s.renderUnitForm(w, r, http.StatusOK, adminUnitForm{New: true})
}

func (s *Server) adminUnitCreate(w http.ResponseWriter, r *http.Request) error {
	var u org.Unit
	fields := unitFromForm(r, &u)
	err := u.Validate()
	if err == nil && len(fields) == 0 {
		err = s.db.InTx(r.Context(), func(tx *store.Tx) error {
			if err := tx.CreateUnit(&u); err != nil {
				return err
			}
			return tx.Audit(s.source(r).New(audit.UnitCreated, "unit", strconv.FormatInt(u.ID, 10), nil, u))
		})
	}
	if fe := fieldErrors(err); fe != nil || len(fields) > 0 {
		if fe != nil {
			for k, v := range fe.Fields {
				fields[k] = v
			}
		}
		return s.renderUnitForm(w, r, http.StatusUnprocessableEntity, adminUnitForm{New: true, Unit: u, Fields: fields,
			Error: "单位信息有误"})
	}
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, "/units", l10n(r, "admin.unit.created", u.Name))
}

func (s *Server) adminUnitEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := s.db.Unit(r.Context(), id)
	if err != nil {
		return err
	}
	return s.renderUnitForm(w, r, http.StatusOK, adminUnitForm{Unit: u})
}

// adminUnitUpdate changes a unit, guarded by the form's version, with its
// before and after in the audit log.
func (s *Server) adminUnitUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.db.Unit(r.Context(), id); err != nil {
		return err
	}
	u := org.Unit{ID: id}
	fields := unitFromForm(r, &u)
	// A missing or bad version is 0, which matches no row: a conflict.
	u.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	err = u.Validate()
	if err == nil && len(fields) == 0 {
		err = s.db.InTx(r.Context(), func(tx *store.Tx) error {
			before, err := tx.Unit(id)
			if err != nil {
				return err
			}
			if err := tx.UpdateUnit(&u); err != nil {
				return err
			}
			return tx.Audit(s.source(r).New(audit.UnitUpdated, "unit", strconv.FormatInt(id, 10), before, u))
		})
	}
	if apperr.Is(err, apperr.Conflict) {
		current, cerr := s.db.Unit(r.Context(), id)
		if cerr != nil {
			return cerr
		}
		typed := u
		typed.Version = current.Version
		return s.renderUnitForm(w, r, http.StatusConflict, adminUnitForm{Unit: typed,
			Conflict: s.unitConflict(r, current, typed), Error: l10n(r, "conflict.title")})
	}
	if fe := fieldErrors(err); fe != nil || len(fields) > 0 {
		if fe != nil {
			for k, v := range fe.Fields {
				fields[k] = v
			}
		}
		return s.renderUnitForm(w, r, http.StatusUnprocessableEntity, adminUnitForm{Unit: u, Fields: fields,
			Error: "单位信息有误"})
	}
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, "/units", l10n(r, "admin.unit.saved", u.Name))
}
