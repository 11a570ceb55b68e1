package indicator

import (
	"sort"
)

// UnitRef is what the dashboard shows of a unit.
type UnitRef struct {
	ID   int64
	Name string
	Sort int
}

// Input is everything the dashboard of one month is computed from.
type Input struct {
	Period      Period
	CityUnitID  int64 // the root of the unit tree: its values are the city's own figures
	Units       map[int64]UnitRef
	Indicators  []Indicator
	Allocations []Allocation
	// Values of the plan's year up to and including Period, in any order.
	Values []Value
}

// Provenance says where a figure came from, one click away from it.
type Provenance struct {
	Source    string `json:"source"`               // report, registry, manual, demo, or "sum" of units
	SourceRef string `json:"source_ref,omitempty"` // report id, registry query
	EnteredBy string `json:"entered_by,omitempty"`
	AsOf      string `json:"as_of,omitempty"`      // the date the figure describes
	Period    string `json:"period,omitempty"`     // the month it was reported for
	UnitCount int    `json:"unit_count,omitempty"` // for an aggregate: how many units' figures
}

// Text says in words where the figure came from, with t translating the
// catalogue keys ind.prov.* (the page's language, or Chinese for the
// bulletin's workbook).
func (p Provenance) Text(t func(key string, args ...any) string) string {
	switch p.Source {
	case "":
		return t("ind.prov.none")
	case string(Sum), string(Max), string(Avg):
		return t("ind.prov.aggregate."+p.Source, p.UnitCount, p.Period)
	}
	who := p.EnteredBy
	if who == "" {
		who = "—"
	}
	text := t("ind.prov."+p.Source, who, p.AsOf)
	if p.SourceRef != "" && p.SourceRef != p.EnteredBy {
		text += " · " + p.SourceRef
	}
	return text
}

// Figure is one indicator's standing for the city or a unit.
type Figure struct {
	Target       float64    `json:"target"`
	HasTarget    bool       `json:"-"`
	Actual       *float64   `json:"actual"`
	Completion   *float64   `json:"completion"`
	TimeProgress float64    `json:"time_progress"`
	Status       Status     `json:"status"` // "" when there is no actual or no target
	Provenance   Provenance `json:"provenance"`
}

// UnitFigure is a unit's row of an indicator.
type UnitFigure struct {
	UnitID   int64  `json:"unit_id"`
	UnitName string `json:"unit_name"`
	Figure
}

// TrendPoint is the city's figure at the end of one month, with the value
// time progress expects then.
type TrendPoint struct {
	Period   string   `json:"period"`
	Actual   *float64 `json:"actual"`
	Expected float64  `json:"expected"`
}

// Card is one indicator on the dashboard.
type Card struct {
	Indicator
	City  Figure       `json:"city"`
	Units []UnitFigure `json:"units"`
	Trend []TrendPoint `json:"trend"`
	// AllocationGap is allocated less city target when the target has been
	// allocated (Allocated); negative means the units' shares fall short.
	Allocated     bool    `json:"allocated"`
	AllocationGap float64 `json:"allocation_gap"`
}

// BehindRow is one entry of 滞后清单: an indicator of a unit (or the city)
// that is behind or at risk.
type BehindRow struct {
	IndicatorID int64   `json:"indicator_id"`
	Indicator   string  `json:"indicator"`
	UnitID      int64   `json:"unit_id"`
	UnitName    string  `json:"unit_name"`
	Status      Status  `json:"status"`
	Completion  float64 `json:"completion"`
	Expected    float64 `json:"time_progress"`
}

// Dashboard is the leaders' view of one month.
type Dashboard struct {
	Period       string      `json:"period"`
	TimeProgress float64     `json:"time_progress"` // m/12, the share of the year gone
	Cards        []Card      `json:"indicators"`
	Behind       []BehindRow `json:"behind"`
}

// Build computes the dashboard of in.Period. A unit's actual is its latest
// value in the year up to the month the period's data describe (the period
// less the indicator's lag: in June, statistics one quarter late show
// March); the figure of an earlier month carries forward, and its provenance
// says which month. The city's actual is the
// root unit's own value when it has one, else the aggregate of its units'.
func Build(in Input) Dashboard {
	d := Dashboard{Period: in.Period.String(), TimeProgress: float64(in.Period.Month) / 12}
	allocs := map[int64][]Allocation{}
	for _, a := range in.Allocations {
		allocs[a.IndicatorID] = append(allocs[a.IndicatorID], a)
	}
	// series[indicator][unit] holds the unit's values by month.
	series := map[int64]map[int64]map[int]Value{}
	for _, v := range in.Values {
		if v.Period.Year != in.Period.Year || in.Period.Before(v.Period) {
			continue
		}
		byUnit := series[v.IndicatorID]
		if byUnit == nil {
			byUnit = map[int64]map[int]Value{}
			series[v.IndicatorID] = byUnit
		}
		if byUnit[v.UnitID] == nil {
			byUnit[v.UnitID] = map[int]Value{}
		}
		byUnit[v.UnitID][v.Period.Month] = v
	}
	for _, ind := range in.Indicators {
		c := Card{Indicator: ind}
		m := in.Period.Month
		c.City = cityFigure(in, ind, series[ind.ID], m)
		for month := 1; month <= m; month++ {
			f := cityFigure(in, ind, series[ind.ID], month)
			c.Trend = append(c.Trend, TrendPoint{Period: Period{in.Period.Year, month}.String(), Actual: f.Actual,
				Expected: ind.Target * ind.TimeProgress(month)})
		}
		// Units: those given a share of the target, and those that reported.
		rows := map[int64]*UnitFigure{}
		var shares []float64
		for _, a := range allocs[ind.ID] {
			if a.UnitID == in.CityUnitID {
				continue
			}
			spec := ind.Spec
			spec.Target, spec.Base = a.Target, 0
			if a.Base != nil {
				spec.Base = *a.Base
			}
			v, ok := latest(series[ind.ID][a.UnitID], ind.DataMonth(m))
			rows[a.UnitID] = &UnitFigure{UnitID: a.UnitID, Figure: judge(spec, true, v, ok, m)}
			shares = append(shares, a.Target)
		}
		if len(shares) > 0 {
			c.Allocated = true
			c.AllocationGap = AllocationGap(ind.Target, shares)
		}
		for unitID, vals := range series[ind.ID] {
			if unitID == in.CityUnitID || rows[unitID] != nil {
				continue
			}
			if v, ok := latest(vals, ind.DataMonth(m)); ok {
				f := judge(ind.Spec, false, v, true, m)
				rows[unitID] = &UnitFigure{UnitID: unitID, Figure: f}
			}
		}
		for _, r := range rows {
			r.UnitName = in.Units[r.UnitID].Name
			c.Units = append(c.Units, *r)
		}
		sort.Slice(c.Units, func(i, j int) bool {
			a, b := in.Units[c.Units[i].UnitID], in.Units[c.Units[j].UnitID]
			if a.Sort != b.Sort {
				return a.Sort < b.Sort
			}
			return a.ID < b.ID
		})
		if s := c.City.Status; s == Behind || s == AtRisk {
			d.Behind = append(d.Behind, behindRow(ind, in.CityUnitID, in.Units[in.CityUnitID].Name, c.City))
		}
		for _, u := range c.Units {
			if u.Status == Behind || u.Status == AtRisk {
				d.Behind = append(d.Behind, behindRow(ind, u.UnitID, u.UnitName, u.Figure))
			}
		}
		d.Cards = append(d.Cards, c)
	}
	// Behind before at risk, then the furthest behind first.
	sort.SliceStable(d.Behind, func(i, j int) bool {
		a, b := d.Behind[i], d.Behind[j]
		if a.Status != b.Status {
			return a.Status == Behind
		}
		return a.Expected-a.Completion > b.Expected-b.Completion
	})
	return d
}

func behindRow(ind Indicator, unitID int64, unitName string, f Figure) BehindRow {
	r := BehindRow{IndicatorID: ind.ID, Indicator: ind.Name, UnitID: unitID, UnitName: unitName, Status: f.Status,
		Expected: f.TimeProgress}
	if f.Completion != nil {
		r.Completion = *f.Completion
	}
	return r
}

// latest returns the value of the latest month at or before m.
func latest(vals map[int]Value, m int) (Value, bool) {
	for month := m; month >= 1; month-- {
		if v, ok := vals[month]; ok {
			return v, true
		}
	}
	return Value{}, false
}

func provenanceOf(v Value) Provenance {
	return Provenance{Source: v.Source, SourceRef: v.SourceRef, EnteredBy: v.EnteredBy, AsOf: v.AsOf, Period: v.Period.String()}
}

// judge makes a figure of spec from a value (ok false: nothing reported).
func judge(spec Spec, hasTarget bool, v Value, ok bool, m int) Figure {
	f := Figure{Target: spec.Target, HasTarget: hasTarget, TimeProgress: spec.TimeProgress(m)}
	if !ok {
		return f
	}
	actual := v.Value
	f.Actual = &actual
	f.Provenance = provenanceOf(v)
	if !hasTarget {
		return f
	}
	j := spec.Judge(actual, m)
	if c, ok := spec.Completion(actual); ok {
		f.Completion = &c
	}
	f.Status = j.Status
	return f
}

func cityFigure(in Input, ind Indicator, byUnit map[int64]map[int]Value, m int) Figure {
	dm := ind.DataMonth(m)
	if v, ok := latest(byUnit[in.CityUnitID], dm); ok {
		return judge(ind.Spec, true, v, true, m)
	}
	var vals []float64
	var last Provenance
	for unitID, series := range byUnit {
		if unitID == in.CityUnitID {
			continue
		}
		if v, ok := latest(series, dm); ok {
			vals = append(vals, v.Value)
			if v.AsOf > last.AsOf {
				last.AsOf, last.Period = v.AsOf, v.Period.String()
			}
		}
	}
	sum, ok := Aggregate(ind.Aggregation, vals)
	f := judge(ind.Spec, true, Value{Value: sum}, ok, m)
	if ok {
		f.Provenance = Provenance{Source: string(aggregationOrSum(ind.Aggregation)), AsOf: last.AsOf, Period: last.Period, UnitCount: len(vals)}
	}
	return f
}

func aggregationOrSum(a Aggregation) Aggregation {
	if a == "" {
		return Sum
	}
	return a
}
