package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/assess"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/indicator"
	"github.com/luoshi/luoshi/internal/store"
)

func (s *Server) assessRoutes() []route {
	return []route{
		{"GET /plans/{id}/assessment", s.assessmentPage, bureauReaders},
		{"GET /plans/{id}/assessment.xlsx", s.assessmentXLSX, bureauReaders},
		{"POST /plans/{id}/assessment/weights", s.assessmentWeights, staffOnly},
	}
}

func (s *Server) loadAssessment(r *http.Request) (*assess.Assessment, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	if _, err := s.db.Plan(r.Context(), auth.ActorFrom(r.Context()).Scope, id); err != nil {
		return nil, err
	}
	period := r.URL.Query().Get("period")
	if r.Method == http.MethodPost {
		period = r.PostFormValue("period")
	}
	return assess.Make(r.Context(), s.db, id, period, s.db.Now())
}

type weightRow struct {
	assess.Weight
	Label, Key string
}

type assessmentPage struct {
	Layout
	A       *assess.Assessment
	Months  []indicator.Period
	Weights []weightRow
	Items   []weightRow // the columns of the score table
	Scores  []assessScore
	Fields  map[string]string
	Error   string
	XLSX    string
}

type assessScore struct {
	assess.UnitScore
	Cells []string
}

func (s *Server) assessmentPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderAssessment(w, r, http.StatusOK, nil, "")
}

func (s *Server) renderAssessment(w http.ResponseWriter, r *http.Request, status int, fields map[string]string, msg string) error {
	a, err := s.loadAssessment(r)
	if err != nil {
		return err
	}
	l, err := s.layout(w, r, "plan.assessment", "assess.title")
	if err != nil {
		return err
	}
	l.PlanID = a.Plan.ID
	l.Title = l.T("assess.title") + " · " + a.Plan.Title
	l.Crumbs = []Crumb{{Label: a.Plan.Title, URL: fmt.Sprintf("/plans/%d", a.Plan.ID)}, {Label: l.T("assess.title")}}
	page := &assessmentPage{Layout: l, A: a, Fields: fields, Error: msg,
		XLSX: fmt.Sprintf("/plans/%d/assessment.xlsx?period=%s", a.Plan.ID, url.QueryEscape(a.Period.String()))}
	for m := 1; m <= 12; m++ {
		page.Months = append(page.Months, indicator.Period{Year: a.Plan.Year, Month: m})
	}
	for _, wt := range a.Weights {
		row := weightRow{Weight: wt, Label: assess.Label(wt.Item, a.Cards), Key: strings.ReplaceAll(wt.Item, ":", "_")}
		page.Weights = append(page.Weights, row)
		if wt.Weight > 0 {
			page.Items = append(page.Items, row)
		}
	}
	for _, sc := range a.Scores {
		row := assessScore{UnitScore: sc}
		for _, it := range page.Items {
			cell := "—"
			for _, p := range sc.Parts {
				if p.Item == it.Item {
					cell = strconv.FormatFloat(p.Points, 'f', 2, 64)
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		page.Scores = append(page.Scores, row)
	}
	return s.render(w, status, "assessment", page)
}

func (s *Server) assessmentXLSX(w http.ResponseWriter, r *http.Request) error {
	a, err := s.loadAssessment(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := a.WriteXLSX(&buf); err != nil {
		return err
	}
	err = s.db.InTx(r.Context(), func(tx *store.Tx) error {
		return tx.Audit(s.source(r).New(audit.AssessmentExported, "plan", strconv.FormatInt(a.Plan.ID, 10), nil,
			map[string]any{"period": a.Period.String()}))
	})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"assessment-"+a.Period.String()+".xlsx\"; filename*=UTF-8''"+
		url.PathEscape("年度考核-"+a.Period.String()+".xlsx"))
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

// assessmentWeights saves every item's weight and bonus rule in one
// transaction; each change is audited.
func (s *Server) assessmentWeights(w http.ResponseWriter, r *http.Request) error {
	a, err := s.loadAssessment(r)
	if err != nil {
		return err
	}
	fields := map[string]string{}
	var changes []assess.Weight
	for _, wt := range a.Weights {
		key := strings.ReplaceAll(wt.Item, ":", "_")
		nw := assess.Weight{Item: wt.Item}
		if !a.Suggested {
			nw.Version, _ = strconv.ParseInt(r.PostFormValue("version_"+key), 10, 64)
		}
		for name, dst := range map[string]*float64{"weight": &nw.Weight, "bonus_rate": &nw.BonusRate, "bonus_cap": &nw.BonusCap} {
			raw := strings.TrimSpace(r.PostFormValue(name + "_" + key))
			if raw == "" {
				continue
			}
			v, ok := parseFigure(raw)
			if !ok {
				fields[name+"_"+wt.Item] = assess.Label(wt.Item, a.Cards) + ":须为数字"
				continue
			}
			*dst = v
		}
		if err := nw.Validate(); err != nil {
			for k, v := range fieldErrors(err).Fields {
				fields[k] = assess.Label(wt.Item, a.Cards) + ":" + v
			}
		}
		changes = append(changes, nw)
	}
	if len(fields) > 0 {
		return s.renderAssessment(w, r, http.StatusUnprocessableEntity, fields, "考核权重有误")
	}
	err = s.db.InTx(r.Context(), func(tx *store.Tx) error {
		for i := range changes {
			prev, err := tx.SetAssessmentWeight(a.Plan.ID, &changes[i])
			if err != nil {
				return err
			}
			if err := tx.Audit(s.source(r).New(audit.AssessmentWeightSet, "plan", strconv.FormatInt(a.Plan.ID, 10), prev, changes[i])); err != nil {
				return err
			}
		}
		return nil
	})
	if apperr.Is(err, apperr.Conflict) {
		return s.renderAssessment(w, r, http.StatusConflict, nil, apperr.As(err).Message)
	}
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, fmt.Sprintf("/plans/%d/assessment?period=%s", a.Plan.ID, url.QueryEscape(a.Period.String())),
		l10n(r, "assess.saved"))
}
