package api

import (
	"net/http"
	"strconv"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/indicator"
)

// The dashboard is for the bureau's readers: staff and leaders.
var bureauReaders = []auth.Role{auth.Staff, auth.Leader}

// dashFigure is one indicator's standing, for the city or a unit, in the
// shape DESIGN.md fixes: name, unit, target, actual, completion,
// time_progress, status. actual and completion are null when there is no
// figure (or no target); status is "" then.
type dashFigure struct {
	UnitID       int64                `json:"unit_id,omitempty"`
	Name         string               `json:"name"`
	Unit         string               `json:"unit"`
	Target       *float64             `json:"target"`
	Actual       *float64             `json:"actual"`
	Completion   *float64             `json:"completion"`
	TimeProgress float64              `json:"time_progress"`
	Status       indicator.Status     `json:"status"`
	Provenance   indicator.Provenance `json:"provenance"`
}

type dashIndicator struct {
	ID         int64                  `json:"id"`
	TaskID     int64                  `json:"task_id,omitempty"`
	Kind       indicator.Kind         `json:"kind"`
	Comparator string                 `json:"comparator"`
	Display    string                 `json:"display,omitempty"`
	AllocGap   *float64               `json:"allocation_gap,omitempty"`
	Trend      []indicator.TrendPoint `json:"trend"`
	dashFigure
	Units []dashFigure `json:"units"`
}

func figure(name, unit string, f indicator.Figure) dashFigure {
	d := dashFigure{Name: name, Unit: unit, Actual: f.Actual, Completion: f.Completion, TimeProgress: f.TimeProgress,
		Status: f.Status, Provenance: f.Provenance}
	if f.HasTarget {
		t := f.Target
		d.Target = &t
	}
	return d
}

// dashboard serves GET /dashboard?plan=ID&period=YYYY-MM.
func (h *handler) dashboard(w http.ResponseWriter, r *http.Request) error {
	planID, err := strconv.ParseInt(r.URL.Query().Get("plan"), 10, 64)
	if err != nil || planID <= 0 {
		return apperr.WithFields("缺少计划编号", map[string]string{"plan": "请用 ?plan= 指定计划编号"})
	}
	p, err := h.cfg.DB.Plan(r.Context(), auth.ActorFrom(r.Context()).Scope, planID)
	if err != nil {
		return err
	}
	d, period, err := indicator.Compute(r.Context(), h.cfg.DB, planID, p.Year, r.URL.Query().Get("period"), h.cfg.DB.Now())
	if err != nil {
		return err
	}
	out := struct {
		Plan         int64                 `json:"plan"`
		Period       string                `json:"period"`
		TimeProgress float64               `json:"time_progress"`
		Indicators   []dashIndicator       `json:"indicators"`
		Behind       []indicator.BehindRow `json:"behind"`
	}{Plan: planID, Period: period.String(), TimeProgress: d.TimeProgress, Indicators: []dashIndicator{},
		Behind: d.Behind}
	if out.Behind == nil {
		out.Behind = []indicator.BehindRow{}
	}
	for _, c := range d.Cards {
		di := dashIndicator{ID: c.ID, TaskID: c.TaskID, Kind: c.Kind, Comparator: string(c.Comparator),
			Display: c.Display, Trend: c.Trend, dashFigure: figure(c.Name, c.Unit, c.City), Units: []dashFigure{}}
		if c.Allocated {
			g := c.AllocationGap
			di.AllocGap = &g
		}
		for _, u := range c.Units {
			f := figure(u.UnitName, c.Unit, u.Figure)
			f.UnitID = u.UnitID
			di.Units = append(di.Units, f)
		}
		out.Indicators = append(out.Indicators, di)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
