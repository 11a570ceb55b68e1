// Package bulletin makes the monthly bulletin (月度通报): a summary of the
// plan's indicators for a month, a ranking of units per indicator, the key
// items' progress, the overdue list and the missing reports. The same data
// go to an .xlsx workbook and to a printable A4 page.
package bulletin

import (
	"context"
	"sort"
	"time"

	"github.com/luoshi/luoshi/internal/indicator"
	"github.com/luoshi/luoshi/internal/plan"
)

// Summary counts the indicators and key items by standing.
type Summary struct {
	Indicators, Met, OnTrack, AtRisk, Behind, NoData int
	KeyItems, KeyItemsDone, KeyItemsOverdue          int
	OverdueMeasures, MissingReports                  int
}

// Rank is one unit's place on one indicator.
type Rank struct {
	Rank         int              `json:"rank"` // 0: not ranked (no figure or no target)
	UnitID       int64            `json:"unit_id"`
	UnitName     string           `json:"unit_name"`
	Target       float64          `json:"target"`
	Actual       float64          `json:"actual"`
	HasActual    bool             `json:"has_actual"`
	Completion   float64          `json:"completion"`
	TimeProgress float64          `json:"time_progress"`
	Status       indicator.Status `json:"status"`
}

// Ranking is the units' order on one indicator, by completion.
type Ranking struct {
	Indicator indicator.Card
	Units     []Rank
}

// KeyItem is a key item's progress at the month's end.
type KeyItem struct {
	ID          int64
	No          int
	Title       string
	LeadUnits   []string
	Done, Total int
	Overdue     []plan.Measure
}

// Overdue is a measure (or a milestone) past its due date and not done.
type Overdue struct {
	TaskID   int64
	TaskNo   int
	Task     string
	Text     string
	Due      string
	Units    []string
	DaysLate int
}

// Missing is a report a unit owes for the month and has not submitted.
type Missing struct {
	UnitID   int64
	UnitName string
	TaskID   int64
	Task     string
	Status   string // "missing" or "late"
}

// Bulletin is the month's bulletin.
type Bulletin struct {
	PlanID   int64
	Title    string // the plan's title
	Issuer   string
	Period   indicator.Period
	Issued   time.Time
	Summary  Summary
	Cards    []indicator.Card
	Rankings []Ranking
	KeyItems []KeyItem
	Overdue  []Overdue
	Missing  []Missing
	// TimeProgress is the share of the year gone, m/12.
	TimeProgress float64
}

// MissingSource lists the reports units owe for a period and have not
// submitted (or submitted late). A store without reporting returns none.
type MissingSource interface {
	MissingReports(ctx context.Context, planID int64, period indicator.Period) ([]Missing, error)
}

// Build assembles the bulletin of p for the dashboard d of the same month.
func Build(p *plan.Plan, d indicator.Dashboard, period indicator.Period, missing []Missing, now time.Time) *Bulletin {
	b := &Bulletin{PlanID: p.ID, Title: p.Title, Issuer: p.Issuer, Period: period, Issued: now, Cards: d.Cards,
		Missing: missing, TimeProgress: d.TimeProgress}
	for _, c := range d.Cards {
		b.Summary.Indicators++
		switch c.City.Status {
		case indicator.Met:
			b.Summary.Met++
		case indicator.OnTrack:
			b.Summary.OnTrack++
		case indicator.AtRisk:
			b.Summary.AtRisk++
		case indicator.Behind:
			b.Summary.Behind++
		default:
			b.Summary.NoData++
		}
		if len(c.Units) > 0 {
			b.Rankings = append(b.Rankings, rank(c))
		}
	}
	end := monthAfter(period)
	endText := end.Format(time.DateOnly)
	b.KeyItems = KeyItems(p, period)
	for _, ki := range b.KeyItems {
		for _, m := range ki.Overdue {
			b.Overdue = append(b.Overdue, Overdue{TaskID: ki.ID, TaskNo: ki.No, Task: ki.Title, Text: m.Text, Due: m.Due,
				Units: ki.LeadUnits, DaysLate: daysLate(m.Due, end)})
		}
		b.Summary.KeyItems++
		if ki.Finished() {
			b.Summary.KeyItemsDone++
		}
		if len(ki.Overdue) > 0 {
			b.Summary.KeyItemsOverdue++
		}
	}
	for _, s := range p.Sections {
		for _, t := range s.Items {
			if t.Due != "" && t.Due < endText {
				b.Overdue = append(b.Overdue, Overdue{TaskID: t.ID, TaskNo: t.No, Task: t.Title, Text: t.Title, Due: t.Due,
					Units: t.LeadUnits, DaysLate: daysLate(t.Due, end)})
			}
		}
	}
	sort.SliceStable(b.Overdue, func(i, j int) bool { return b.Overdue[i].DaysLate > b.Overdue[j].DaysLate })
	b.Summary.OverdueMeasures = len(b.Overdue)
	b.Summary.MissingReports = len(missing)
	return b
}

// monthAfter is the first day of the month after period: a due date before
// it has passed by the period's end.
func monthAfter(p indicator.Period) time.Time {
	return time.Date(p.Year, time.Month(p.Month)+1, 1, 0, 0, 0, 0, time.UTC)
}

// KeyItems sums up each key item of p at the end of period: its measures
// done, and those past their due date and not done.
func KeyItems(p *plan.Plan, period indicator.Period) []KeyItem {
	end := monthAfter(period).Format(time.DateOnly)
	var out []KeyItem
	for _, k := range p.KeyItems {
		ki := KeyItem{ID: k.ID, No: k.No, Title: k.Title, LeadUnits: k.LeadUnits, Total: len(k.Measures)}
		for _, m := range k.Measures {
			switch {
			case m.Done:
				ki.Done++
			case m.Due != "" && m.Due < end:
				ki.Overdue = append(ki.Overdue, m)
			}
		}
		out = append(out, ki)
	}
	return out
}

// Finished reports whether every measure of the key item is done.
func (k KeyItem) Finished() bool { return k.Total > 0 && k.Done == k.Total }

// daysLate counts the days from due to the last day of the month.
func daysLate(due string, end time.Time) int {
	d, err := time.Parse("2006-01-02", due)
	if err != nil {
		return 0
	}
	return int(end.AddDate(0, 0, -1).Sub(d).Hours() / 24)
}

// rank orders the units of a card: ranked units by completion (ties share a
// place and keep the unit order), then the units without a completion.
func rank(c indicator.Card) Ranking {
	r := Ranking{Indicator: c}
	for _, u := range c.Units {
		row := Rank{UnitID: u.UnitID, UnitName: u.UnitName, Target: u.Target, TimeProgress: u.TimeProgress, Status: u.Status}
		if u.Actual != nil {
			row.Actual, row.HasActual = *u.Actual, true
		}
		if u.Completion != nil {
			row.Completion = *u.Completion
		}
		r.Units = append(r.Units, row)
	}
	ranked := func(x Rank) bool { return x.HasActual && x.Status != "" }
	sort.SliceStable(r.Units, func(i, j int) bool {
		a, b := r.Units[i], r.Units[j]
		if ranked(a) != ranked(b) {
			return ranked(a)
		}
		return ranked(a) && a.Completion > b.Completion
	})
	place := 0
	for i := range r.Units {
		if !ranked(r.Units[i]) {
			continue
		}
		if i == 0 || r.Units[i].Completion != r.Units[i-1].Completion {
			place = i + 1
		}
		r.Units[i].Rank = place
	}
	return r
}
