package supervision_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/report"
	"github.com/luoshi/luoshi/internal/reporting"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/supervision"
	"github.com/luoshi/luoshi/internal/testenv"
)

// month is a plan with a work item led by a county (due 2023-09-30, a
// milestone on 2023-05-31) and a key item led by a park, whose second
// measure is due 2023-06-30.
type month struct {
	db           *store.DB
	now          time.Time
	sup          *supervision.Service
	rep          *reporting.Service
	plan         *plan.Plan
	county, park org.Unit
	staff, cty   *auth.Actor
}

func newMonth(t *testing.T, engine string) *month {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, testenv.DSN(t, engine))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	m := &month{db: db, now: time.Date(2023, 6, 10, 2, 0, 0, 0, time.UTC)}
	db.SetClock(func() time.Time { return m.now })
	m.sup = &supervision.Service{DB: db}
	m.rep = reporting.New(db, m.sup)
	m.plan = &plan.Plan{Title: "示例工作要点", Year: 2023, Status: "active",
		Sections: []plan.Section{{No: 1, Title: "平台", Items: []plan.Task{{No: 1, Title: "建设平台", Text: "建设平台。"}}}},
		KeyItems: []plan.Task{{No: 1, Title: "创建创新型县", Measures: []plan.Measure{
			{No: 1, Text: "编制方案"}, {No: 2, Text: "组织申报", Due: "2023-06-30"}}}},
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		city := org.Unit{Code: "510900", Name: "示例市", Kind: org.City, DivisionCode: "510900"}
		if err := tx.CreateUnit(&city); err != nil {
			return err
		}
		m.county = org.Unit{Code: "510921", Name: "示例县", Kind: org.County, DivisionCode: "510921", ParentID: city.ID}
		if err := tx.CreateUnit(&m.county); err != nil {
			return err
		}
		m.park = org.Unit{Code: "gxq", Name: "示例高新区", Kind: org.Park, ParentID: city.ID}
		if err := tx.CreateUnit(&m.park); err != nil {
			return err
		}
		staff := auth.User{Username: "staff", Role: auth.Staff, UnitID: city.ID}
		if err := tx.CreateUser(&staff, "x"); err != nil {
			return err
		}
		cty := auth.User{Username: "county", Role: auth.Reporter, UnitID: m.county.ID}
		if err := tx.CreateUser(&cty, "x"); err != nil {
			return err
		}
		m.staff = &auth.Actor{User: staff, Scope: auth.Everything}
		m.cty = &auth.Actor{User: cty, Scope: auth.Scope{Units: []int64{m.county.ID}}}
		return tx.CreatePlan(m.plan)
	})
	if err != nil {
		t.Fatal(err)
	}
	item, key := m.plan.Sections[0].Items[0], m.plan.KeyItems[0]
	err = m.rep.SaveAssignments(ctx, audit.System("t"), m.staff, []report.AssignmentInput{
		{TaskID: item.ID, LeadUnitIDs: []int64{m.county.ID}, PersonName: "李明", PersonUserID: m.cty.ID, DueOn: "2023-09-30",
			Milestones: []report.Milestone{{DueOn: "2023-05-31", Deliverable: "完成选址"}}},
		{TaskID: key.ID, LeadUnitIDs: []int64{m.park.ID}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// submit saves and submits the county's report on the work item.
func (m *month) submit(t *testing.T, period string, percent int) report.Report {
	t.Helper()
	ctx := context.Background()
	item := m.plan.Sections[0].Items[0]
	var version int64 // a returned report is corrected in place
	if old, _ := m.db.Reports(ctx, auth.Everything, store.ReportFilter{PlanID: m.plan.ID, UnitID: m.county.ID, Period: period,
		TaskID: item.ID}); len(old) == 1 {
		version = old[0].Version
	}
	saved, err := m.rep.SaveDrafts(ctx, audit.System("t"), m.cty, []report.Draft{{TaskID: item.ID, UnitID: m.county.ID,
		Period: period, Progress: "推进中", Percent: percent, State: report.InProgress, Version: version}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.rep.Submit(ctx, audit.System("t"), m.cty, []int64{saved[0].ID}, []int64{saved[0].Version}, nil); err != nil {
		t.Fatal(err)
	}
	r, err := m.db.Report(ctx, auth.Everything, saved[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func find(items []supervision.WatchItem, kind, title string) *supervision.WatchItem {
	for i := range items {
		if items[i].Kind == kind && strings.Contains(items[i].Title, title) {
			return &items[i]
		}
	}
	return nil
}

// TestWatchFromReports: missing and late reports, the percent against time
// progress, the assigned due date, milestones and measures, and each
// unit's last report, as the bureau and as the county see them.
func TestWatchFromReports(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			m := newMonth(t, engine)
			ctx := context.Background()
			m.submit(t, "2023-05", 20) // on 10 June: late (the window closed on the 5th)
			m.now = time.Date(2023, 7, 3, 2, 0, 0, 0, time.UTC)
			june := m.submit(t, "2023-06", 40) // on time
			m.now = time.Date(2023, 7, 7, 2, 0, 0, 0, time.UTC)
			w, err := m.sup.Watch(ctx, auth.Everything, m.now, 30)
			if err != nil {
				t.Fatal(err)
			}
			// The county: missing January to April, late in May.
			county := find(w.Reports, "report", "建设平台")
			if county == nil || county.Color != supervision.Red || !strings.Contains(county.Note, "缺报:2023年1月、2023年2月、2023年3月、2023年4月") ||
				!strings.Contains(county.Note, "迟报:2023年5月") || county.Units[0].ID != m.county.ID {
				t.Fatalf("county's report gaps: %+v", county)
			}
			// The park reported nothing on its measures.
			park := find(w.Reports, "report", "组织申报")
			if park == nil || park.Color != supervision.Red || !strings.Contains(park.Note, "2023年6月") {
				t.Fatalf("park's missing reports: %+v", park)
			}
			// 40% on 7 July against 68% of the span to 30 September: red.
			task := find(w.Tasks, "task", "建设平台")
			if task == nil || task.Due != "2023-09-30" || !task.Known || task.Percent != 40 || task.Color != supervision.Red ||
				!strings.Contains(task.Note, "李明") {
				t.Fatalf("task: %+v", task)
			}
			if ms := find(w.Measures, "milestone", "完成选址"); ms == nil || ms.Color != supervision.Red {
				t.Fatalf("milestone: %+v", ms)
			}
			if me := find(w.Measures, "measure", "组织申报"); me == nil || me.Color != supervision.Red || me.Due != "2023-06-30" {
				t.Fatalf("measure: %+v", me)
			}
			// The county reported on 3 July; the park never did nor signed in.
			for _, u := range w.Units {
				switch u.UnitID {
				case m.county.ID:
					if u.LastReport == nil || !u.LastReport.Equal(*june.SubmittedAt) || u.Silent {
						t.Errorf("county activity: %+v", u)
					}
				case m.park.ID:
					if !u.Silent || u.Days != -1 {
						t.Errorf("park activity: %+v", u)
					}
				}
			}
			// Its owner, the county's reporter, reported but never signed in.
			if len(w.Owners) != 1 || w.Owners[0].UserID != m.cty.ID || w.Owners[0].Items != 1 || w.Owners[0].LastReport == nil ||
				w.Owners[0].Silent || w.Owners[0].Days != 4 {
				t.Errorf("owners: %+v", w.Owners)
			}
			if w, _ := m.sup.Watch(ctx, auth.Everything, m.now.AddDate(0, 0, 30), 30); len(w.Owners) != 1 || !w.Owners[0].Silent {
				t.Errorf("a month later the owner is not silent: %+v", w.Owners)
			}
			// The county's own view holds only its rows.
			cw, err := m.sup.Watch(ctx, m.cty.Scope, m.now, 30)
			if err != nil {
				t.Fatal(err)
			}
			if find(cw.Reports, "report", "组织申报") != nil || find(cw.Reports, "report", "建设平台") == nil || len(cw.Units) != 1 {
				t.Fatalf("county's view: %+v", cw.Reports)
			}
			// The approval is told to the county.
			m.now = time.Date(2023, 7, 8, 2, 0, 0, 0, time.UTC)
			if err := m.rep.Review(ctx, audit.System("t"), m.staff, june.ID, june.Version, true, ""); err != nil {
				t.Fatal(err)
			}
			inbox, _ := m.db.Inbox(ctx, m.cty.ID, 10)
			if len(inbox) != 1 || !strings.HasPrefix(inbox[0].Subject, "【已通过】2023年6月") {
				t.Fatalf("county inbox after approval: %+v", inbox)
			}
		})
	}
}

// TestReturnNotifies: a returned report tells the unit, once per review.
func TestReturnNotifies(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			m := newMonth(t, engine)
			ctx := context.Background()
			m.now = time.Date(2023, 7, 3, 2, 0, 0, 0, time.UTC)
			r := m.submit(t, "2023-06", 40)
			if err := m.rep.Review(ctx, audit.System("t"), m.staff, r.ID, r.Version, false, "请补充照片"); err != nil {
				t.Fatal(err)
			}
			r = m.submit(t, "2023-06", 45)
			if err := m.rep.Review(ctx, audit.System("t"), m.staff, r.ID, r.Version, false, "仍缺批复"); err != nil {
				t.Fatal(err)
			}
			inbox, _ := m.db.Inbox(ctx, m.cty.ID, 10)
			if len(inbox) != 2 || !strings.Contains(inbox[0].Body, "仍缺批复") || !strings.Contains(inbox[1].Body, "请补充照片") {
				t.Fatalf("inbox: %+v", inbox)
			}
		})
	}
}

// TestRemindWindows: in the last days of a window, each unit with items
// not submitted is reminded once a day, however often the job runs.
func TestRemindWindows(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			m := newMonth(t, engine)
			ctx := context.Background()
			count := func() int {
				inbox, _ := m.db.Inbox(ctx, m.cty.ID, 50)
				return len(inbox)
			}
			// 1 August: the July window (1–5 August) has just opened.
			if n, err := m.sup.RemindWindows(ctx, time.Date(2023, 8, 1, 2, 0, 0, 0, time.UTC)); err != nil || n != 0 {
				t.Fatalf("first day: %d %v", n, err)
			}
			day4 := time.Date(2023, 8, 4, 2, 0, 0, 0, time.UTC)
			for range 3 {
				if n, err := m.sup.RemindWindows(ctx, day4); err != nil || n != 2 {
					t.Fatalf("4 August: %d units, %v; want the county and the park", n, err)
				}
			}
			if count() != 1 {
				t.Fatalf("three runs on one day gave the county %d reminders", count())
			}
			inbox, _ := m.db.Inbox(ctx, m.cty.ID, 1)
			if !strings.Contains(inbox[0].Subject, "2023年7月") || !strings.Contains(inbox[0].Body, "1 项未提交") {
				t.Fatalf("reminder: %+v", inbox[0])
			}
			// The county submits; on the last day only the park is reminded.
			m.now = day4
			m.submit(t, "2023-07", 50)
			if n, _ := m.sup.RemindWindows(ctx, day4.Add(24*time.Hour)); n != 1 || count() != 1 {
				t.Fatalf("5 August: %d reminders, county has %d", n, count())
			}
			// The window has closed.
			if n, _ := m.sup.RemindWindows(ctx, day4.Add(48*time.Hour)); n != 0 {
				t.Fatalf("6 August: %d reminders", n)
			}
		})
	}
}
