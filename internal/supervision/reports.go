package supervision

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/notify"
	"github.com/luoshi/luoshi/internal/period"
	"github.com/luoshi/luoshi/internal/report"
	"github.com/luoshi/luoshi/internal/reporting"
	"github.com/luoshi/luoshi/internal/store"
)

// Reports and supervision (issue 8): the watch lists built on assignments
// and progress reports, the reminders before a reporting window closes,
// and the notification of a report's review.

// ReportEvent notifies the unit when its report is returned or approved
// (report.Notifier; called after the review commits). The key holds the
// report's revision, so a resubmitted report's next review is told again.
func (s *Service) ReportEvent(e report.Event) {
	var subject, body string
	switch e.Kind {
	case string(report.Returned):
		subject = fmt.Sprintf("【退回】%s %s", periodLabel(e.Period), e.Title)
		body = "审核意见:" + e.Comment + "\n请修改后重新提交。"
	case string(report.Approved):
		subject = fmt.Sprintf("【已通过】%s %s", periodLabel(e.Period), e.Title)
		body = "进展报告已审核通过。"
		if e.Comment != "" {
			body += "\n审核意见:" + e.Comment
		}
	default:
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rev := 0
	if r, err := s.DB.Report(ctx, auth.Everything, e.ReportID); err == nil {
		rev = r.Revision
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		return tx.Notify(notify.Event{Key: fmt.Sprintf("report:%d:%s:%d", e.ReportID, e.Kind, rev), Type: "report." + e.Kind,
			UnitID: e.UnitID, Subject: subject, Body: body, Link: fmt.Sprintf("/reports/%d", e.ReportID)})
	})
	if err != nil && s.Log != nil {
		s.Log.Error("notify report event", "report", e.ReportID, "kind", e.Kind, "err", err)
	}
}

func periodLabel(key string) string {
	if p, err := period.Parse(key); err == nil {
		return p.Label()
	}
	return key
}

// activePlans lists the active plans the scope sees.
func (s *Service) activePlans(ctx context.Context, scope auth.Scope) ([]store.PlanSummary, error) {
	plans, err := s.DB.Plans(ctx, scope)
	if err != nil {
		return nil, err
	}
	var out []store.PlanSummary
	for _, p := range plans {
		if p.Status == "active" {
			out = append(out, p)
		}
	}
	return out, nil
}

// closedPeriods lists the periods of the plan year whose windows have
// closed by now, oldest first.
func closedPeriods(rules period.Rules, year int, now time.Time) []period.Period {
	var out []period.Period
	for _, p := range rules.Year(year) {
		if !now.Before(rules.Deadline(p, reporting.Loc)) {
			out = append(out, p)
		}
	}
	return out
}

// ReportLists is the Extra that adds what reports tell: missing and late
// reports, the percent each unit last reported on its tasks and measures,
// the dates staff assigned, milestones, and each unit's last report.
func (s *Service) ReportLists(ctx context.Context, scope auth.Scope, now time.Time, w *Watch) error {
	plans, err := s.activePlans(ctx, scope)
	if err != nil {
		return err
	}
	todayT, _ := time.Parse("2006-01-02", w.Today)
	lastReport := map[int64]time.Time{}
	lastBy := map[string]time.Time{} // by username
	owners := map[int64]*SilentOwner{}
	var ownerOrder []int64
	for _, pl := range plans {
		rules, year, err := s.DB.PlanRules(ctx, pl.ID)
		if err != nil {
			return err
		}
		reports, err := s.DB.Reports(ctx, scope, store.ReportFilter{PlanID: pl.ID})
		if err != nil {
			return err
		}
		// The latest submitted word of each unit on each item.
		type key struct {
			unit          int64
			task, measure int64
		}
		latest := map[key]report.Report{}
		for _, r := range reports {
			if r.SubmittedAt == nil {
				continue
			}
			if t := *r.SubmittedAt; t.After(lastReport[r.UnitID]) {
				lastReport[r.UnitID] = t
			}
			if t := *r.SubmittedAt; t.After(lastBy[r.SubmittedBy]) {
				lastBy[r.SubmittedBy] = t
			}
			k := key{r.UnitID, r.TaskID, r.MeasureID}
			if cur, ok := latest[k]; !ok || cur.Period < r.Period {
				latest[k] = r
			}
		}
		progressOf := func(task, measure int64, units []report.UnitRef) (pct float64, known, done bool) {
			done = len(units) > 0
			for _, u := range units {
				r, ok := latest[key{u.ID, task, measure}]
				if !ok {
					done = false
					continue
				}
				// The slowest lead unit sets the item's pace.
				if !known || float64(r.Percent) < pct {
					pct = float64(r.Percent)
				}
				known = true
				done = done && r.State == report.Done && r.Status == report.Approved
			}
			return pct, known, done
		}
		assignments, err := s.DB.Assignments(ctx, scope, store.AssignmentFilter{PlanID: pl.ID})
		if err != nil {
			return err
		}
		start := yearStart(year)
		fromAssign := map[int64]bool{}
		for _, a := range assignments {
			if len(a.LeadUnits) == 0 {
				continue
			}
			if a.PersonUserID != 0 {
				o := owners[a.PersonUserID]
				if o == nil {
					o = &SilentOwner{UserID: a.PersonUserID, Name: a.Person(), UnitName: a.LeadNames()}
					owners[a.PersonUserID] = o
					ownerOrder = append(ownerOrder, a.PersonUserID)
				}
				o.Items++
			}
			units := make([]store.WatchUnit, len(a.LeadUnits))
			for i, u := range a.LeadUnits {
				units[i] = store.WatchUnit{ID: u.ID, Name: u.Name}
			}
			pct, known, done := progressOf(a.TaskID, a.MeasureID, a.LeadUnits)
			due := a.DueOn
			if due == "" && a.MeasureID == 0 {
				due = fmt.Sprintf("%d-12-31", year)
			}
			if dueT, err := time.Parse("2006-01-02", due); err == nil {
				p := Progress{Start: start, Due: dueT, Today: todayT, Done: done, Percent: pct, Known: known}
				it := WatchItem{ID: a.TaskID, TaskID: a.TaskID, PlanID: pl.ID, Units: units, Due: due, Color: p.Color(),
					TimeProgress: round1(p.TimeProgress() * 100), Percent: pct, Known: known}
				if a.Person() != "" {
					it.Note = "责任人:" + a.Person()
				}
				if a.MeasureID == 0 {
					it.Kind, it.Title = "task", fmt.Sprintf("%d. %s", a.TaskNo, a.Title)
					replaceItem(&w.Tasks, it)
				} else {
					it.Kind, it.ID = "measure", a.MeasureID
					it.Title, it.Detail = fmt.Sprintf("%d.%d %s", a.TaskNo, a.MeasureNo, a.Title), a.TaskTitle
					if !done {
						fromAssign[a.MeasureID] = true
						replaceItem(&w.Measures, it)
					}
				}
			}
			for _, m := range a.Milestones {
				dueT, err := time.Parse("2006-01-02", m.DueOn)
				if err != nil || done {
					continue
				}
				p := Progress{Start: start, Due: dueT, Today: todayT, Percent: pct, Known: known}
				w.Measures = append(w.Measures, WatchItem{Kind: "milestone", ID: m.ID, TaskID: a.TaskID, PlanID: pl.ID,
					Title: m.Deliverable, Detail: fmt.Sprintf("%d. %s", a.TaskNo, a.Title), Units: units, Due: m.DueOn,
					Color: p.Color(), TimeProgress: round1(p.TimeProgress() * 100), Percent: pct, Known: known})
			}
		}
		// Missing and late reports over the closed periods of the year:
		// one line per unit and item, naming the periods.
		type gap struct {
			row     store.SheetRow
			missing []string
			late    []string
		}
		gaps := map[string]*gap{}
		var order []string
		for _, p := range closedPeriods(rules, year, now) {
			rows, err := s.DB.Sheet(ctx, scope, pl.ID, p.Key(), nil)
			if err != nil {
				return err
			}
			for _, row := range rows {
				var sub time.Time
				if row.Report.SubmittedAt != nil {
					sub = *row.Report.SubmittedAt
				}
				st := rules.Judge(p, sub, now, reporting.Loc)
				if st != period.Missing && st != period.Late {
					continue
				}
				k := row.Key()
				g := gaps[k]
				if g == nil {
					g = &gap{row: row}
					gaps[k] = g
					order = append(order, k)
				}
				if st == period.Missing {
					g.missing = append(g.missing, p.Label())
				} else {
					g.late = append(g.late, p.Label())
				}
			}
		}
		for _, k := range order {
			g := gaps[k]
			a := g.row.Assignment
			it := WatchItem{Kind: "report", ID: a.MeasureID, TaskID: a.TaskID, PlanID: pl.ID, Title: a.Title,
				Units: []store.WatchUnit{{ID: g.row.UnitID, Name: g.row.UnitName}}, Color: Yellow}
			if a.MeasureID != 0 {
				it.Detail = a.TaskTitle
			}
			var notes []string
			if len(g.missing) > 0 {
				it.Color = Red
				it.Due = g.missing[len(g.missing)-1]
				notes = append(notes, "缺报:"+strings.Join(g.missing, "、"))
			}
			if len(g.late) > 0 {
				if it.Due == "" {
					it.Due = g.late[len(g.late)-1]
				}
				notes = append(notes, "迟报:"+strings.Join(g.late, "、"))
			}
			it.Note = strings.Join(notes, ";")
			w.Reports = append(w.Reports, it)
		}
	}
	logins, err := s.DB.UserLogins(ctx, ownerOrder)
	if err != nil {
		return err
	}
	for _, id := range ownerOrder {
		o := owners[id]
		o.Username, o.LastLogin = logins[id].Username, logins[id].LastLogin
		if t, ok := lastBy[o.Username]; ok {
			o.LastReport = &t
		}
		w.Owners = append(w.Owners, *o)
	}
	for i := range w.Units {
		if t, ok := lastReport[w.Units[i].UnitID]; ok {
			t := t
			w.Units[i].LastReport = &t
		}
	}
	return nil
}

// replaceItem puts it in list in place of the item of the same kind and
// id, or appends it.
func replaceItem(list *[]WatchItem, it WatchItem) {
	for i := range *list {
		if (*list)[i].Kind == it.Kind && (*list)[i].ID == it.ID {
			(*list)[i] = it
			return
		}
	}
	*list = append(*list, it)
}

// WindowRemindDays is how many days before a reporting window closes (the
// closing day included) units that have not submitted are reminded.
const WindowRemindDays = 3

// RemindWindows queues a reminder to every unit that has items not yet
// submitted for the period whose window is open and closes within
// WindowRemindDays: one per unit, plan, period and Beijing day.
func (s *Service) RemindWindows(ctx context.Context, now time.Time) (int, error) {
	plans, err := s.activePlans(ctx, auth.Everything)
	if err != nil {
		return 0, err
	}
	today := Today(now)
	local := now.In(reporting.Loc)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	sent := 0
	for _, pl := range plans {
		rules, _, err := s.DB.PlanRules(ctx, pl.ID)
		if err != nil {
			return sent, err
		}
		p, open := rules.OpenOn(day)
		if !open {
			continue
		}
		_, closeDay := rules.Window(p)
		if closeDay.Sub(day) >= WindowRemindDays*24*time.Hour {
			continue
		}
		rows, err := s.DB.Sheet(ctx, auth.Everything, pl.ID, p.Key(), nil)
		if err != nil {
			return sent, err
		}
		pending := map[int64]int{}
		names := map[int64]string{}
		var units []int64
		for _, row := range rows {
			if row.Report.SubmittedAt != nil {
				continue
			}
			if pending[row.UnitID] == 0 {
				units = append(units, row.UnitID)
			}
			pending[row.UnitID]++
			names[row.UnitID] = row.UnitName
		}
		if len(units) == 0 {
			continue
		}
		err = s.DB.InTx(ctx, func(tx *store.Tx) error {
			for _, u := range units {
				ev := notify.Event{Key: fmt.Sprintf("window:%d:%d:%s:%s", pl.ID, u, p.Key(), today), Type: "report.window",
					UnitID: u, Subject: fmt.Sprintf("【填报提醒】%s进展报告 %s 截止", p.Label(), closeDay.Format("1月2日")),
					Body: fmt.Sprintf("%s还有 %d 项未提交,请于 %s 前完成填报。", names[u], pending[u], closeDay.Format("2006-01-02")),
					Link: fmt.Sprintf("/plans/%d/report?period=%s", pl.ID, p.Key())}
				if err := tx.Notify(ev); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return sent, err
		}
		sent += len(units)
	}
	return sent, nil
}
