package supervision

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/store"
)

// WatchItem is one line of an automatic supervision list.
type WatchItem struct {
	Kind   string            `json:"kind"` // task, measure, milestone, report
	ID     int64             `json:"id"`
	TaskID int64             `json:"task_id"`
	PlanID int64             `json:"plan_id"`
	Title  string            `json:"title"`
	Detail string            `json:"detail,omitempty"`
	Units  []store.WatchUnit `json:"units"`
	Due    string            `json:"due"`
	Color  string            `json:"color"`
	// TimeProgress is the percent of the item's span that has passed.
	TimeProgress float64 `json:"time_progress"`
	Percent      float64 `json:"percent,omitempty"`
	Known        bool    `json:"percent_known"`
	Note         string  `json:"note,omitempty"`
}

// SilentUnit is a responsible unit that has not reported or signed in.
type SilentUnit struct {
	store.UnitActivity
	Silent bool `json:"silent"`
	// Days since its last sign-in or report, whichever is later; -1: never.
	Days int `json:"days"`
}

// SilentOwner is a person responsible for items (an assignment's person
// with an account), with when they last signed in and reported.
type SilentOwner struct {
	UserID     int64      `json:"user_id"`
	Username   string     `json:"username"`
	Name       string     `json:"name"`
	UnitName   string     `json:"unit_name"`
	Items      int        `json:"items"`
	LastLogin  *time.Time `json:"last_login,omitempty"`
	LastReport *time.Time `json:"last_report,omitempty"`
	Silent     bool       `json:"silent"`
	Days       int        `json:"days"` // -1: never active
}

// Watch is the automatic supervision lists on a day.
type Watch struct {
	Today      string         `json:"today"`
	SilentDays int            `json:"silent_days"`
	Measures   []WatchItem    `json:"measures"` // measures and milestones with due dates
	Tasks      []WatchItem    `json:"tasks"`    // tasks against their due date and time progress
	Reports    []WatchItem    `json:"reports"`  // missing and late reports
	Units      []SilentUnit   `json:"units"`    // units by last activity, silent first
	Owners     []SilentOwner  `json:"owners"`   // responsible persons with an account, silent first
	Counts     map[string]int `json:"counts"`   // items per colour, over all lists
}

// DefaultSilentDays is how long a unit may stay quiet before it is flagged.
const DefaultSilentDays = 30

// Extra adds lists from other parts of the product (reports, milestones):
// it may append to w.Measures and w.Reports and set the units' LastReport.
type Extra func(ctx context.Context, scope auth.Scope, now time.Time, w *Watch) error

var colorRank = map[string]int{Red: 0, Yellow: 1, Green: 2}

// Watch builds the lists the scope sees on now's Beijing date.
func (s *Service) Watch(ctx context.Context, scope auth.Scope, now time.Time, silentDays int, extra ...Extra) (*Watch, error) {
	if silentDays <= 0 {
		silentDays = DefaultSilentDays
	}
	today := Today(now)
	todayT, _ := time.Parse("2006-01-02", today)
	w := &Watch{Today: today, SilentDays: silentDays, Counts: map[string]int{}}
	tasks, measures, err := s.DB.Watched(ctx, scope)
	if err != nil {
		return nil, err
	}
	for _, m := range measures {
		due, err := time.Parse("2006-01-02", m.DueOn)
		if err != nil {
			continue
		}
		p := Progress{Start: yearStart(m.Year), Due: due, Today: todayT}
		w.Measures = append(w.Measures, WatchItem{Kind: "measure", ID: m.ID, TaskID: m.TaskID, PlanID: m.PlanID,
			Title: fmt.Sprintf("%d.%d %s", m.TaskNo, m.No, m.Text), Detail: m.TaskTitle, Units: m.Lead, Due: m.DueOn,
			Color: p.Color(), TimeProgress: round1(p.TimeProgress() * 100)})
	}
	for _, t := range tasks {
		dueS := t.DueOn
		if dueS == "" {
			dueS = fmt.Sprintf("%d-12-31", t.Year)
		}
		due, err := time.Parse("2006-01-02", dueS)
		if err != nil {
			continue
		}
		p := Progress{Start: yearStart(t.Year), Due: due, Today: todayT, Done: t.Measures > 0 && t.Done == t.Measures}
		if t.Measures > 0 {
			// Done measures are the only progress known before reports.
			p.Percent, p.Known = round1(float64(t.Done)*100/float64(t.Measures)), t.Done > 0
		}
		w.Tasks = append(w.Tasks, WatchItem{Kind: "task", ID: t.ID, TaskID: t.ID, PlanID: t.PlanID,
			Title: fmt.Sprintf("%d. %s", t.No, t.Title), Units: t.Lead, Due: dueS, Color: p.Color(),
			TimeProgress: round1(p.TimeProgress() * 100), Percent: p.Percent, Known: p.Known})
	}
	acts, err := s.DB.UnitActivities(ctx, scope)
	if err != nil {
		return nil, err
	}
	for _, a := range acts {
		w.Units = append(w.Units, SilentUnit{UnitActivity: a})
	}
	if err := s.ReportLists(ctx, scope, now, w); err != nil {
		return nil, err
	}
	for _, x := range extra {
		if err := x(ctx, scope, now, w); err != nil {
			return nil, err
		}
	}
	for i := range w.Units {
		u := &w.Units[i]
		u.Days, u.Silent = quiet(now, silentDays, u.LastLogin, u.LastReport)
	}
	for i := range w.Owners {
		o := &w.Owners[i]
		o.Days, o.Silent = quiet(now, silentDays, o.LastLogin, o.LastReport)
	}
	sort.SliceStable(w.Owners, func(i, j int) bool { return w.Owners[i].Silent && !w.Owners[j].Silent })
	sort.SliceStable(w.Units, func(i, j int) bool {
		a, b := w.Units[i], w.Units[j]
		if a.Silent != b.Silent {
			return a.Silent
		}
		return a.Days > b.Days || (a.Days == -1 && b.Days != -1)
	})
	for _, list := range [][]WatchItem{w.Measures, w.Tasks, w.Reports} {
		sort.SliceStable(list, func(i, j int) bool { return colorRank[list[i].Color] < colorRank[list[j].Color] })
		for _, it := range list {
			w.Counts[it.Color]++
		}
	}
	return w, nil
}

// quiet returns the days since the later of two activities (-1: never)
// and whether that is at least silentDays.
func quiet(now time.Time, silentDays int, a, b *time.Time) (int, bool) {
	last := a
	if b != nil && (last == nil || b.After(*last)) {
		last = b
	}
	if last == nil {
		return -1, true
	}
	days := int(now.Sub(*last).Hours() / 24)
	return days, days >= silentDays
}

func yearStart(year int) time.Time { return time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC) }

func round1(f float64) float64 { return float64(int(f*10+0.5)) / 10 }
