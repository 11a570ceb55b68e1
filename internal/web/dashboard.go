package web

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/bulletin"
	"github.com/luoshi/luoshi/internal/indicator"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/registry"
	"github.com/luoshi/luoshi/internal/store"
)

// Leaders and staff read the dashboard and the indicator pages; staff
// change settings, allocations and values.
var bureauReaders = []auth.Role{auth.Staff, auth.Leader}

func (s *Server) indicatorRoutes() []route {
	return []route{
		{"GET /plans/{id}/dashboard", s.dashboardPage, bureauReaders},
		{"GET /indicators/{id}", s.indicatorPage, bureauReaders},
		{"POST /indicators/{id}/settings", s.indicatorSettings, staffOnly},
		{"POST /indicators/{id}/allocations", s.indicatorAllocations, staffOnly},
		{"POST /indicators/{id}/values", s.indicatorValue, staffOnly},
	}
}

// dashboardData is the plan, its month and the computed dashboard.
type dashboardData struct {
	Plan      *plan.Plan
	Period    indicator.Period
	Dashboard indicator.Dashboard
}

func (s *Server) dashboardData(r *http.Request, planID int64) (*dashboardData, error) {
	p, err := s.db.Plan(r.Context(), auth.ActorFrom(r.Context()).Scope, planID)
	if err != nil {
		return nil, err
	}
	d, period, err := indicator.Compute(r.Context(), s.db, planID, p.Year, r.URL.Query().Get("period"), s.db.Now())
	if err != nil {
		return nil, err
	}
	return &dashboardData{Plan: p, Period: period, Dashboard: d}, nil
}

type dashCard struct {
	indicator.Card
	Target, Actual, Completion, TimeProgress string
	Provenance                               string
	UnitChart, TrendChart                    string
	Units                                    []dashUnit
	GapText                                  string
}

type dashUnit struct {
	indicator.UnitFigure
	Target, Actual, Completion, TimeProgress, Provenance string
}

type keyItemRow struct {
	ID          int64
	No          int
	Title       string
	Done, Total int
	Overdue     int
	Status      string // done, overdue, open
}

type dashboardPage struct {
	Layout
	Data     *dashboardData
	Months   []indicator.Period
	Cards    []dashCard
	KeyItems []keyItemRow
	Behind   []indicator.BehindRow
	More     []indicator.BehindRow // past the first ten, folded
	Unit     *org.Unit             // ?unit=: one unit's view
	TP       string
}

func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	data, err := s.dashboardData(r, id)
	if err != nil {
		return err
	}
	l, err := s.layout(w, r, "plan.dashboard", "dashboard.title")
	if err != nil {
		return err
	}
	l.PlanID = id
	l.Crumbs = []Crumb{{Label: l.T("nav.plans"), URL: "/plans"}, {Label: data.Plan.Title, URL: fmt.Sprintf("/plans/%d", id)},
		{Label: l.T("dashboard.title")}}
	l.Title = l.T("dashboard.title") + " · " + data.Period.String()
	page := &dashboardPage{Layout: l, Data: data, TP: pct(data.Dashboard.TimeProgress), Behind: data.Dashboard.Behind}
	if len(page.Behind) > 10 {
		page.Behind, page.More = page.Behind[:10], page.Behind[10:]
	}
	for m := 1; m <= 12; m++ {
		page.Months = append(page.Months, indicator.Period{Year: data.Plan.Year, Month: m})
	}
	for _, c := range data.Dashboard.Cards {
		page.Cards = append(page.Cards, s.viewCard(&l, c))
	}
	page.KeyItems = keyItemRows(data.Plan, data.Period)
	if q := r.URL.Query().Get("unit"); q != "" {
		// One unit's view: its row of every indicator, and what it is
		// behind on.
		unitID, _ := strconv.ParseInt(q, 10, 64)
		u, err := s.db.Unit(r.Context(), unitID)
		if err != nil {
			return err
		}
		page.Unit = &u
		for i := range page.Cards {
			var rows []dashUnit
			for _, du := range page.Cards[i].Units {
				if du.UnitID == u.ID {
					rows = append(rows, du)
				}
			}
			page.Cards[i].Units = rows
		}
		var behind []indicator.BehindRow
		for _, b := range data.Dashboard.Behind {
			if b.UnitID == u.ID {
				behind = append(behind, b)
			}
		}
		page.Behind, page.More = behind, nil
		l.Crumbs = append(l.Crumbs[:2], Crumb{Label: l.T("dashboard.title"), URL: fmt.Sprintf("/plans/%d/dashboard?period=%s", id, data.Period)},
			Crumb{Label: u.Name})
		page.Layout.Crumbs = l.Crumbs
	}
	return s.render(w, http.StatusOK, "dashboard", page)
}

func (s *Server) viewCard(l *Layout, c indicator.Card) dashCard {
	v := dashCard{Card: c, Target: formatTarget(c.Indicator), Actual: valueText(c.City.Actual, c.Unit),
		Completion: ratioText(c.City.Completion), TimeProgress: pct(c.City.TimeProgress),
		Provenance: provenanceText(l, c.City.Provenance)}
	if c.Allocated && c.AllocationGap != 0 {
		v.GapText = plan.FormatValue(c.AllocationGap, c.Unit)
	}
	var names []string
	var completion, expected []any
	for _, u := range c.Units {
		du := dashUnit{UnitFigure: u, Target: "—", Actual: valueText(u.Actual, c.Unit), Completion: ratioText(u.Completion),
			TimeProgress: pct(u.TimeProgress), Provenance: provenanceText(l, u.Provenance)}
		if u.HasTarget {
			du.Target = figureText(u.Target, c.Unit)
		}
		v.Units = append(v.Units, du)
		if u.Completion != nil {
			names = append(names, u.UnitName)
			completion = append(completion, round1(*u.Completion*100))
			expected = append(expected, round1(u.TimeProgress*100))
		}
	}
	if len(names) > 0 {
		v.UnitChart = chartJSON(map[string]any{
			"animation": false,
			"tooltip":   map[string]any{"trigger": "axis"},
			"legend":    map[string]any{"top": 0, "data": []string{l.T("dashboard.completion"), l.T("dashboard.time_progress")}},
			"grid":      map[string]any{"left": 40, "right": 10, "bottom": 60, "top": 40},
			"xAxis":     map[string]any{"type": "category", "data": names, "axisLabel": map[string]any{"rotate": 30}},
			"yAxis":     map[string]any{"type": "value", "name": "%"},
			"series": []any{
				map[string]any{"name": l.T("dashboard.completion"), "type": "bar", "data": completion},
				map[string]any{"name": l.T("dashboard.time_progress"), "type": "line", "data": expected},
			},
		})
	}
	var months []string
	var actual, line []any
	for _, p := range c.Trend {
		months = append(months, p.Period[5:]+l.T("dashboard.month_suffix"))
		if p.Actual != nil {
			actual = append(actual, *p.Actual)
		} else {
			actual = append(actual, nil)
		}
		line = append(line, p.Expected)
	}
	v.TrendChart = chartJSON(map[string]any{
		"animation": false,
		"tooltip":   map[string]any{"trigger": "axis"},
		"legend":    map[string]any{"top": 0, "data": []string{l.T("dashboard.actual"), l.T("dashboard.expected")}},
		"grid":      map[string]any{"left": 70, "right": 10, "bottom": 30, "top": 40},
		"xAxis":     map[string]any{"type": "category", "data": months},
		"yAxis":     map[string]any{"type": "value", "name": c.Unit},
		"series": []any{
			map[string]any{"name": l.T("dashboard.actual"), "type": "line", "data": actual, "connectNulls": true},
			map[string]any{"name": l.T("dashboard.expected"), "type": "line", "data": line, "lineStyle": map[string]any{"type": "dashed"}},
		},
	})
	return v
}

// keyItemRows is the key items board: bulletin.KeyItems at the period's end.
func keyItemRows(p *plan.Plan, period indicator.Period) []keyItemRow {
	var out []keyItemRow
	for _, k := range bulletin.KeyItems(p, period) {
		row := keyItemRow{ID: k.ID, No: k.No, Title: k.Title, Done: k.Done, Total: k.Total, Overdue: len(k.Overdue), Status: "open"}
		switch {
		case k.Finished():
			row.Status = "done"
		case row.Overdue > 0:
			row.Status = "overdue"
		}
		out = append(out, row)
	}
	return out
}

func chartJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

func pct(x float64) string { return strconv.FormatFloat(x*100, 'f', 1, 64) + "%" }

func ratioText(c *float64) string {
	if c == nil {
		return "—"
	}
	return pct(*c)
}

func valueText(v *float64, unit string) string {
	if v == nil {
		return "—"
	}
	return figureText(*v, unit)
}

// figureText formats a figure as a bulletin prints it: money in 亿元 or 万元
// with two decimals, counts with at most one.
func figureText(v float64, unit string) string {
	if unit == "元" {
		switch a := math.Abs(v); {
		case a >= 1e8:
			return strconv.FormatFloat(v/1e8, 'f', 2, 64) + "亿元"
		case a >= 1e4:
			return strconv.FormatFloat(v/1e4, 'f', 2, 64) + "万元"
		}
	}
	return strings.TrimSuffix(strings.TrimRight(strconv.FormatFloat(v, 'f', 1, 64), "0"), ".") + unit
}

func formatTarget(ind indicator.Indicator) string {
	if ind.Display != "" {
		return ind.Display
	}
	return plan.FormatValue(ind.Target, ind.Unit)
}

// provenanceText says where a figure came from in the page's language.
func provenanceText(l *Layout, p indicator.Provenance) string { return p.Text(l.T) }

// ---- indicator page ----

type valueCell struct {
	Text, Title string
	Value       string
	Version     int64
	Has         bool
}

type valueRow struct {
	UnitID   int64
	UnitName string
	Target   string
	TargetV  string
	BaseV    string
	AllocVer int64
	Cells    []valueCell
}

type indicatorPage struct {
	Layout
	Ind      indicator.Indicator
	Plan     *plan.Plan
	Target   string
	Base     string
	Kinds    []indicator.Kind
	Aggs     []indicator.Aggregation
	Months   []string
	Rows     []valueRow
	GapText  string
	Fields   map[string]string
	Error    string
	Periods  []indicator.Period
	Selected string
	Bound    string // the registry query computing the figures, if any
}

func (s *Server) indicatorPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderIndicator(w, r, http.StatusOK, nil, "")
}

func (s *Server) renderIndicator(w http.ResponseWriter, r *http.Request, status int, fields map[string]string, msg string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ind, err := s.db.Indicator(r.Context(), id)
	if err != nil {
		return err
	}
	p, err := s.db.Plan(r.Context(), auth.ActorFrom(r.Context()).Scope, ind.PlanID)
	if err != nil {
		return err
	}
	l, err := s.layout(w, r, "plan.dashboard", "indicator.title")
	if err != nil {
		return err
	}
	l.PlanID = p.ID
	l.Title = ind.Name
	l.Crumbs = []Crumb{{Label: p.Title, URL: fmt.Sprintf("/plans/%d", p.ID)},
		{Label: l.T("dashboard.title"), URL: fmt.Sprintf("/plans/%d/dashboard", p.ID)}, {Label: ind.Name}}
	page := &indicatorPage{Layout: l, Ind: ind, Plan: p, Target: formatTarget(ind),
		Kinds: []indicator.Kind{indicator.Flow, indicator.Stock, indicator.Annual},
		Aggs:  []indicator.Aggregation{indicator.Sum, indicator.Max, indicator.Avg}, Fields: fields, Error: msg,
		Selected: r.URL.Query().Get("period")}
	if ind.HasBase {
		page.Base = strconv.FormatFloat(ind.Base, 'f', -1, 64)
	}
	for m := 1; m <= 12; m++ {
		page.Months = append(page.Months, strconv.Itoa(m)+l.T("dashboard.month_suffix"))
		page.Periods = append(page.Periods, indicator.Period{Year: p.Year, Month: m})
	}
	units, err := s.db.Units(r.Context())
	if err != nil {
		return err
	}
	allocs, err := s.db.Allocations(r.Context(), p.ID)
	if err != nil {
		return err
	}
	bindings, err := s.db.IndicatorBindings(r.Context(), p.ID)
	if err != nil {
		return err
	}
	var values []indicator.Value
	if b, ok := bindings[ind.ID]; ok {
		// A bound indicator's figures are the registry's answers, month by
		// month; nothing is typed.
		page.Bound = string(b.Query)
		if info, ok := registry.QueryByKind(b.Query); ok {
			page.Bound = info.Title
		}
		in := indicator.Input{Period: indicator.DefaultPeriod(p.Year, indicator.Period{}, false, s.db.Now()),
			Indicators: []indicator.Indicator{ind}, Allocations: allocs}
		if root, ok := org.Root(units); ok {
			in.CityUnitID = root.ID
		}
		if in, err = s.db.RegistryValues(r.Context(), in, units, bindings); err != nil {
			return err
		}
		values = in.Values
	} else if values, err = s.db.ValuesOf(r.Context(), ind.ID); err != nil {
		return err
	}
	byUnit := map[int64]map[int]indicator.Value{}
	for _, v := range values {
		if byUnit[v.UnitID] == nil {
			byUnit[v.UnitID] = map[int]indicator.Value{}
		}
		byUnit[v.UnitID][v.Period.Month] = v
	}
	share := map[int64]indicator.Allocation{}
	var shares []float64
	for _, a := range allocs {
		if a.IndicatorID == ind.ID {
			share[a.UnitID] = a
			shares = append(shares, a.Target)
		}
	}
	if len(shares) > 0 {
		if gap := indicator.AllocationGap(ind.Target, shares); gap != 0 {
			page.GapText = plan.FormatValue(gap, ind.Unit)
		}
	}
	for _, u := range units {
		// The bureau and its sections do not report figures of the city.
		if u.Kind == org.Bureau || u.Kind == org.Section {
			continue
		}
		row := valueRow{UnitID: u.ID, UnitName: u.Name, Target: "—"}
		if a, ok := share[u.ID]; ok {
			row.Target, row.TargetV, row.AllocVer = plan.FormatValue(a.Target, ind.Unit), strconv.FormatFloat(a.Target, 'f', -1, 64), a.Version
			if a.Base != nil {
				row.BaseV = strconv.FormatFloat(*a.Base, 'f', -1, 64)
			}
		}
		for m := 1; m <= 12; m++ {
			c := valueCell{Text: ""}
			if v, ok := byUnit[u.ID][m]; ok {
				c = valueCell{Text: figureText(v.Value, ind.Unit), Title: provenanceText(&l, v.Provenance()),
					Value: strconv.FormatFloat(v.Value, 'f', -1, 64), Version: v.Version, Has: true}
			}
			row.Cells = append(row.Cells, c)
		}
		page.Rows = append(page.Rows, row)
	}
	return s.render(w, status, "indicator", page)
}

// indicatorSettings saves kind, base, lag and aggregation.
func (s *Server) indicatorSettings(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ind, err := s.db.Indicator(r.Context(), id)
	if err != nil {
		return err
	}
	fields := map[string]string{}
	kind := indicator.Kind(r.PostFormValue("kind"))
	agg := indicator.Aggregation(r.PostFormValue("aggregation"))
	lag := int(formInt(r, "lag_months", fields))
	set := indicator.Settings{Kind: &kind, Aggregation: &agg, LagMonths: &lag}
	if b := strings.TrimSpace(r.PostFormValue("base")); b == "" {
		set.ClearBase = true
	} else if v, ok := parseFigure(b); ok {
		set.Base = &v
	} else {
		fields["base"] = "上年基数须为数字"
	}
	ind.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err := set.Apply(&ind); err != nil {
		for k, v := range fieldErrors(err).Fields {
			fields[k] = v
		}
	}
	if len(fields) > 0 {
		return s.renderIndicator(w, r, http.StatusUnprocessableEntity, fields, "指标设置有误")
	}
	err = s.db.InTx(r.Context(), func(tx *store.Tx) error {
		before, err := tx.UpdateIndicatorSettings(&ind)
		if err != nil {
			return err
		}
		return tx.Audit(s.source(r).New(audit.IndicatorUpdated, "indicator", strconv.FormatInt(id, 10), settingsOf(before), settingsOf(ind)))
	})
	if err != nil {
		return s.indicatorError(w, r, err)
	}
	return s.redirectFlash(w, r, fmt.Sprintf("/indicators/%d", id), l10n(r, "indicator.saved"))
}

func settingsOf(ind indicator.Indicator) map[string]any {
	m := map[string]any{"kind": ind.Kind, "lag_months": ind.LagMonths, "aggregation": ind.Aggregation}
	if ind.HasBase {
		m["base"] = ind.Base
	}
	return m
}

// indicatorError re-renders the page with a conflict or field message, and
// passes anything else on.
func (s *Server) indicatorError(w http.ResponseWriter, r *http.Request, err error) error {
	if fe := fieldErrors(err); fe != nil {
		return s.renderIndicator(w, r, http.StatusUnprocessableEntity, fe.Fields, fe.Message)
	}
	if apperr.Is(err, apperr.Conflict) {
		return s.renderIndicator(w, r, http.StatusConflict, nil, apperr.As(err).Message)
	}
	return err
}

// parseFigure reads a number as people type it: 1,234.5 or 1234.
func parseFigure(s string) (float64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	s = strings.ReplaceAll(s, "，", "")
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != v {
		return 0, false
	}
	return v, true
}

// indicatorAllocations saves the units' shares: one row per unit with a
// target typed; all rows in one transaction.
func (s *Server) indicatorAllocations(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ind, err := s.db.Indicator(r.Context(), id)
	if err != nil {
		return err
	}
	units, err := s.db.Units(r.Context())
	if err != nil {
		return err
	}
	fields := map[string]string{}
	var changes []indicator.Allocation
	for _, u := range units {
		key := strconv.FormatInt(u.ID, 10)
		raw := strings.TrimSpace(r.PostFormValue("target_" + key))
		if raw == "" {
			continue
		}
		v, ok := parseFigure(raw)
		if !ok || v < 0 {
			fields["target_"+key] = u.Name + ":分解目标须为不小于0的数字"
			continue
		}
		a := indicator.Allocation{IndicatorID: id, UnitID: u.ID, Target: v}
		a.Version, _ = strconv.ParseInt(r.PostFormValue("version_"+key), 10, 64)
		if b := strings.TrimSpace(r.PostFormValue("base_" + key)); b != "" {
			bv, ok := parseFigure(b)
			if !ok {
				fields["base_"+key] = u.Name + ":上年基数须为数字"
				continue
			}
			a.Base = &bv
		}
		changes = append(changes, a)
	}
	if len(fields) > 0 {
		return s.renderIndicator(w, r, http.StatusUnprocessableEntity, fields, "目标分解有误")
	}
	err = s.db.InTx(r.Context(), func(tx *store.Tx) error {
		for i := range changes {
			a := &changes[i]
			prev, err := tx.SetAllocation(a)
			if err != nil {
				return err
			}
			if prev != nil && prev.Target == a.Target && equalBase(prev.Base, a.Base) {
				continue
			}
			if err := tx.Audit(s.source(r).New(audit.IndicatorAllocated, "indicator", strconv.FormatInt(id, 10), prev, a)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return s.indicatorError(w, r, err)
	}
	msg := l10n(r, "indicator.allocated")
	var sum []float64
	for _, a := range changes {
		sum = append(sum, a.Target)
	}
	if gap := indicator.AllocationGap(ind.Target, sum); gap < 0 {
		msg = l10n(r, "indicator.allocation_short", plan.FormatValue(-gap, ind.Unit))
	}
	return s.redirectFlash(w, r, fmt.Sprintf("/indicators/%d", id), msg)
}

func equalBase(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// indicatorValue records or corrects one unit's figure for one month.
func (s *Server) indicatorValue(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ind, err := s.db.Indicator(r.Context(), id)
	if err != nil {
		return err
	}
	if bindings, err := s.db.IndicatorBindings(r.Context(), ind.PlanID); err != nil {
		return err
	} else if _, bound := bindings[id]; bound {
		return s.renderIndicator(w, r, http.StatusUnprocessableEntity, map[string]string{"value": "本指标由科技主体库自动计算,不能手工填报"}, "完成值有误")
	}
	fields := map[string]string{}
	unitID, _ := strconv.ParseInt(r.PostFormValue("unit_id"), 10, 64)
	if _, err := s.db.Unit(r.Context(), unitID); err != nil {
		fields["unit_id"] = "请选择单位"
	}
	period, perr := indicator.ParsePeriod(r.PostFormValue("period"))
	if perr != nil {
		fields["period"] = "请选择月份"
	}
	v, ok := parseFigure(r.PostFormValue("value"))
	if !ok {
		fields["value"] = "完成值须为数字"
	}
	if len(fields) > 0 {
		return s.renderIndicator(w, r, http.StatusUnprocessableEntity, fields, "完成值有误")
	}
	a := auth.ActorFrom(r.Context())
	val := indicator.Value{IndicatorID: id, UnitID: unitID, Period: period, Value: v, Source: indicator.SourceManual,
		EnteredBy: a.Username, SourceRef: strings.TrimSpace(r.PostFormValue("note"))}
	val.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if len([]rune(val.SourceRef)) > 100 {
		return s.renderIndicator(w, r, http.StatusUnprocessableEntity, map[string]string{"note": "说明不能超过100个字"}, "完成值有误")
	}
	err = s.db.InTx(r.Context(), func(tx *store.Tx) error {
		prev, err := tx.SetIndicatorValue(&val)
		if err != nil {
			return err
		}
		return tx.Audit(s.source(r).New(audit.IndicatorValueSet, "indicator", strconv.FormatInt(id, 10), prev, val))
	})
	if err != nil {
		return s.indicatorError(w, r, err)
	}
	return s.redirectFlash(w, r, fmt.Sprintf("/indicators/%d", id), l10n(r, "indicator.value_saved"))
}

// statusClass is the badge colour of a status: 三色预警, red for behind,
// yellow for at risk, green for on track and met.
func statusClass(s indicator.Status) string {
	switch s {
	case indicator.Behind:
		return "badge-danger"
	case indicator.AtRisk:
		return "badge-warn"
	case indicator.Met, indicator.OnTrack:
		return "badge-done"
	}
	return "badge-open"
}
