package reporting_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/report"
	"github.com/luoshi/luoshi/internal/reporting"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/testenv"
)

// fixture is a plan with a work item (with a target) and a key item with
// two measures, a county and a park.
type fixture struct {
	db             *store.DB
	plan           *plan.Plan
	county, park   org.Unit
	staff, county1 *auth.Actor
	park1          *auth.Actor
}

func setup(t *testing.T, engine string) *fixture {
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
	f := &fixture{db: db}
	f.plan = &plan.Plan{Title: "示例工作要点", Year: 2023, Status: "active",
		Sections: []plan.Section{{No: 1, Title: "平台", Items: []plan.Task{
			{No: 1, Title: "建设平台", Text: "示例县建设平台。", Units: []string{"示例县"},
				Targets: []plan.Target{{Name: "省级平台", Value: 2, Unit: "个", Comparator: plan.AtLeast, Source: "新增省级平台2个"}}},
		}}},
		KeyItems: []plan.Task{{No: 1, Title: "创建创新型县", LeadUnits: []string{"办公室"}, Measures: []plan.Measure{
			{No: 1, Text: "编制方案"}, {No: 2, Text: "组织申报", Due: "2023-06-30"}}}},
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		city := org.Unit{Code: "510900", Name: "示例市", Kind: org.City, DivisionCode: "510900"}
		if err := tx.CreateUnit(&city); err != nil {
			return err
		}
		f.county = org.Unit{Code: "510921", Name: "示例县", Kind: org.County, DivisionCode: "510921", ParentID: city.ID}
		if err := tx.CreateUnit(&f.county); err != nil {
			return err
		}
		f.park = org.Unit{Code: "gxq", Name: "示例高新区", Kind: org.Park, ParentID: city.ID}
		if err := tx.CreateUnit(&f.park); err != nil {
			return err
		}
		return tx.CreatePlan(f.plan)
	})
	if err != nil {
		t.Fatal(err)
	}
	f.staff = &auth.Actor{User: auth.User{ID: 1, Username: "staff", Role: auth.Staff}, Scope: auth.Everything}
	f.county1 = &auth.Actor{User: auth.User{ID: 2, Username: "county", Role: auth.Reporter, UnitID: f.county.ID},
		Scope: auth.Scope{Units: []int64{f.county.ID}}}
	f.park1 = &auth.Actor{User: auth.User{ID: 3, Username: "park", Role: auth.Reporter, UnitID: f.park.ID},
		Scope: auth.Scope{Units: []int64{f.park.ID}}}
	return f
}

func src(a *auth.Actor) audit.Source {
	return audit.Source{ActorID: a.ID, ActorName: a.Username, UnitID: a.UnitID}
}

// TestMonth runs a month on both engines: suggestions are not assignments;
// staff assign in bulk; the county saves drafts, adds evidence, submits;
// the reviewer returns; the county corrects and resubmits; the reviewer
// approves; every version is kept and every step audited.
func TestMonth(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			f := setup(t, engine)
			svc := reporting.New(f.db, nil)
			item, key := f.plan.Sections[0].Items[0], f.plan.KeyItems[0]

			// Parsed units are suggestions: nobody is responsible yet, so
			// the county sees no plan and has nothing due.
			if ps, _ := f.db.Plans(ctx, f.county1.Scope); len(ps) != 0 {
				t.Fatalf("a suggestion gave the county %d plans", len(ps))
			}
			list, err := f.db.Assignments(ctx, auth.Everything, store.AssignmentFilter{PlanID: f.plan.ID})
			if err != nil || len(list) != 4 {
				t.Fatalf("assignments: %d %v", len(list), err)
			}
			if s := list[0].Suggestions; len(s) != 1 || s[0].UnitID != f.county.ID {
				t.Fatalf("work item suggestions %+v", s)
			}
			if s := list[1].Suggestions; len(s) != 1 || s[0].Name != "办公室" || s[0].UnitID != 0 {
				t.Fatalf("key item suggestions %+v", s)
			}
			// Accept the county for the work item; reject 办公室.
			if err := svc.DecideSuggestion(ctx, src(f.staff), f.staff, list[0].Suggestions[0].ID, 1, "lead", 0); err != nil {
				t.Fatal(err)
			}
			if err := svc.DecideSuggestion(ctx, src(f.staff), f.staff, list[1].Suggestions[0].ID, 1, "", 0); err != nil {
				t.Fatal(err)
			}
			// Reporters do not assign.
			if err := svc.SaveAssignments(ctx, src(f.county1), f.county1, []report.AssignmentInput{{TaskID: key.ID}}, nil); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("reporter assigned: %v", err)
			}
			// Bulk: a bad row fails the whole save, naming the row.
			rows := []report.AssignmentInput{
				{TaskID: key.ID, LeadUnitIDs: []int64{f.county.ID}, CoUnitIDs: []int64{f.park.ID}, PersonName: "李明", PersonPhone: "0825-1234567",
					DueOn: "2023-12-31", Milestones: []report.Milestone{{DueOn: "2023-06-30", Deliverable: "申报材料"}}},
				{TaskID: key.ID, MeasureID: key.Measures[1].ID, LeadUnitIDs: []int64{f.county.ID}, DueOn: "2023-06-31"},
			}
			err = svc.SaveAssignments(ctx, src(f.staff), f.staff, rows, []string{"第1行 ", "第2行 "})
			if e := apperr.As(err); e == nil || !strings.Contains(e.Fields["第2行 due_on"], "第2行") {
				t.Fatalf("bad row: %v", err)
			}
			if a, _ := f.db.Assignment(ctx, auth.Everything, key.ID, 0); a.ID != 0 {
				t.Fatal("a failed bulk save wrote a row")
			}
			rows[1].DueOn = "2023-06-30"
			if err := svc.SaveAssignments(ctx, src(f.staff), f.staff, rows, nil); err != nil {
				t.Fatal(err)
			}
			a, err := f.db.Assignment(ctx, auth.Everything, key.ID, key.Measures[0].ID)
			if err != nil || !a.Inherited || !a.HasLead(f.county.ID) || a.PersonName != "李明" {
				t.Fatalf("measure 1 inherits the key item: %+v %v", a, err)
			}
			if k, _ := f.db.Assignment(ctx, auth.Everything, key.ID, 0); len(k.Milestones) != 1 || k.CoNames() != "示例高新区" || k.Version != 1 {
				t.Fatalf("key item %+v", k)
			}

			// The county's June: the work item (with its indicator) and both measures.
			sheet, err := f.db.Sheet(ctx, f.county1.Scope, f.plan.ID, "2023-06", []int64{f.county.ID})
			if err != nil || len(sheet) != 3 || len(sheet[0].Values) != 1 || sheet[1].Assignment.MeasureID != key.Measures[0].ID {
				t.Fatalf("sheet %d %v", len(sheet), err)
			}
			// The park is only a co-unit: nothing due.
			if s, _ := f.db.Sheet(ctx, f.park1.Scope, f.plan.ID, "2023-06", []int64{f.park.ID}); len(s) != 0 {
				t.Fatalf("co-unit has %d rows due", len(s))
			}
			two := 2.0
			drafts := []report.Draft{
				{TaskID: item.ID, UnitID: f.county.ID, Period: "2023-06", Progress: "已完成选址", Percent: 40, State: report.InProgress,
					Values: map[int64]*float64{item.Targets[0].ID: &two}},
				{TaskID: key.ID, MeasureID: key.Measures[0].ID, UnitID: f.county.ID, Period: "2023-06", Progress: "方案已印发", Percent: 100, State: report.Done},
			}
			// Another unit cannot report for the county.
			if _, err := svc.SaveDrafts(ctx, src(f.park1), f.park1, drafts[:1], nil); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("park reported for the county: %v", err)
			}
			saved, err := svc.SaveDrafts(ctx, src(f.county1), f.county1, drafts, nil)
			if err != nil || len(saved) != 2 {
				t.Fatalf("drafts: %v %v", saved, err)
			}
			pdf := []byte("%PDF-1.4 evidence")
			id, version, err := svc.AddEvidence(ctx, src(f.county1), f.county1, report.Draft{TaskID: item.ID, UnitID: f.county.ID,
				Period: "2023-06", Version: saved[0].Version}, "现场照片.pdf", pdf)
			if err != nil || id != saved[0].ID {
				t.Fatalf("evidence: %d %v", id, err)
			}
			// The same bytes on the other report are stored once.
			if _, _, err := svc.AddEvidence(ctx, src(f.county1), f.county1, report.Draft{TaskID: key.ID, MeasureID: key.Measures[0].ID,
				UnitID: f.county.ID, Period: "2023-06"}, "方案.pdf", pdf); err != nil {
				t.Fatal(err)
			}
			if _, _, err := svc.AddEvidence(ctx, src(f.county1), f.county1, report.Draft{TaskID: item.ID, UnitID: f.county.ID,
				Period: "2023-06"}, "setup.pdf", []byte("MZ\x90")); !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("an exe named .pdf: %v", err)
			}
			r, err := f.db.Report(ctx, f.county1.Scope, id)
			if err != nil || len(r.Files) != 1 || r.Files[0].Kind != "pdf" || len(r.Values) != 1 || *r.Values[0].Value != 2 {
				t.Fatalf("report %+v %v", r, err)
			}
			if _, err := f.db.Report(ctx, f.park1.Scope, id); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("park reads the county's report: %v", err)
			}

			if err := svc.Submit(ctx, src(f.county1), f.county1, []int64{id}, []int64{version}, nil); err != nil {
				t.Fatal(err)
			}
			// A return needs a comment; then the report is editable again.
			if err := svc.Review(ctx, src(f.staff), f.staff, id, version+1, false, " "); !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("return without comment: %v", err)
			}
			if err := svc.Review(ctx, src(f.county1), f.county1, id, version+1, true, ""); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("a reporter reviewed: %v", err)
			}
			if err := svc.Review(ctx, src(f.staff), f.staff, id, version+1, false, "请补充选址批复"); err != nil {
				t.Fatal(err)
			}
			r, _ = f.db.Report(ctx, auth.Everything, id)
			if r.Status != report.Returned || r.ReviewComment != "请补充选址批复" {
				t.Fatalf("returned: %+v", r)
			}
			drafts[0].Progress, drafts[0].Version = "已完成选址,取得批复", r.Version
			saved, err = svc.SaveDrafts(ctx, src(f.county1), f.county1, drafts[:1], nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.Submit(ctx, src(f.county1), f.county1, []int64{id}, []int64{saved[0].Version}, nil); err != nil {
				t.Fatal(err)
			}
			if err := svc.Review(ctx, src(f.staff), f.staff, id, saved[0].Version+1, true, "同意"); err != nil {
				t.Fatal(err)
			}
			// The approved value is the county's June figure for the dashboard.
			vals, err := f.db.ValuesOf(ctx, item.Targets[0].ID)
			if err != nil || len(vals) != 1 || vals[0].Value != 2 || vals[0].Source != "report" || vals[0].UnitID != f.county.ID ||
				vals[0].Period.String() != "2023-06" {
				t.Fatalf("indicator values after approval: %+v %v", vals, err)
			}
			revs, err := f.db.ReportRevisions(ctx, f.county1.Scope, id)
			if err != nil || len(revs) != 4 {
				t.Fatalf("revisions %d %v", len(revs), err)
			}
			if revs[0].Snapshot.Progress != "已完成选址" || revs[2].Snapshot.Progress != "已完成选址,取得批复" ||
				revs[3].Action != "approved" || revs[3].Snapshot.Revision != 2 {
				t.Fatalf("revisions %+v", revs)
			}
			// An approved report is closed to edits.
			drafts[0].Version = revs[3].Snapshot.Version
			if _, err := svc.SaveDrafts(ctx, src(f.county1), f.county1, drafts[:1], nil); !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("edit after approval: %v", err)
			}
			for _, action := range []string{audit.AssignmentUpdated, audit.SuggestionAccepted, audit.SuggestionRejected,
				audit.ReportSaved, audit.ReportEvidence, audit.ReportSubmitted, audit.ReportReturned, audit.ReportApproved} {
				if es, _, _ := f.db.AuditEntries(ctx, audit.Filter{Action: action}); len(es) == 0 {
					t.Errorf("no audit entry %s", action)
				}
			}
			// 已完成 and approved: the measure is no longer due in July once approved.
			if res, err := f.db.VerifyAudit(ctx); err != nil || !res.OK() {
				t.Fatalf("audit chain: %+v %v", res, err)
			}
		})
	}
}

// TestConflicts: two people save the same report or assignment from the
// same version, at once; exactly one wins, the other gets a conflict that
// says what the winner saved. On both engines.
func TestConflicts(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			f := setup(t, engine)
			svc := reporting.New(f.db, nil)
			item := f.plan.Sections[0].Items[0]
			assign := func(person string, version int64) error {
				return svc.SaveAssignments(ctx, src(f.staff), f.staff, []report.AssignmentInput{{TaskID: item.ID,
					LeadUnitIDs: []int64{f.county.ID}, PersonName: person, Version: version}}, nil)
			}
			// Two first assignments at once (both from version 0).
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, who := range []string{"张三", "李四"} {
				wg.Add(1)
				go func() { defer wg.Done(); errs[i] = assign(who, 0) }()
			}
			wg.Wait()
			if (errs[0] == nil) == (errs[1] == nil) {
				t.Fatalf("both or neither won: %v / %v", errs[0], errs[1])
			}
			lost := errs[0]
			if lost == nil {
				lost = errs[1]
			}
			winnerName := "张三"
			if errs[0] != nil {
				winnerName = "李四"
			}
			if e := apperr.As(lost); e == nil || e.Code != apperr.Conflict || !strings.Contains(e.Fields["person"], winnerName) {
				t.Fatalf("loser: %v %+v", lost, e)
			}
			// A later stale save shows who owns it now.
			a, _ := f.db.Assignment(ctx, auth.Everything, item.ID, 0)
			if err := assign("王五", a.Version); err != nil {
				t.Fatal(err)
			}
			err := assign("赵六", a.Version)
			if e := apperr.As(err); e == nil || e.Code != apperr.Conflict || !strings.Contains(e.Fields["person"], "王五") {
				t.Fatalf("stale assignment: %v %+v", err, e)
			}

			// Reports: two tabs of the county save from the same version.
			d := report.Draft{TaskID: item.ID, UnitID: f.county.ID, Period: "2023-06", Progress: "第一稿", State: report.InProgress}
			saved, err := svc.SaveDrafts(ctx, src(f.county1), f.county1, []report.Draft{d}, nil)
			if err != nil {
				t.Fatal(err)
			}
			first, second := d, d
			first.Version, second.Version = saved[0].Version, saved[0].Version
			first.Progress, second.Progress = "甲写的进展", "乙写的进展"
			for i, dr := range []report.Draft{first, second} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = svc.SaveDrafts(ctx, src(f.county1), f.county1, []report.Draft{dr}, nil)
				}()
			}
			wg.Wait()
			if (errs[0] == nil) == (errs[1] == nil) {
				t.Fatalf("both or neither won: %v / %v", errs[0], errs[1])
			}
			winner, lost := "甲写的进展", errs[1]
			if errs[0] != nil {
				winner, lost = "乙写的进展", errs[0]
			}
			e := apperr.As(lost)
			if e == nil || e.Code != apperr.Conflict || !strings.Contains(e.Fields["progress"], winner) {
				t.Fatalf("report conflict: %v %+v", lost, e)
			}
			r, _ := f.db.Report(ctx, auth.Everything, saved[0].ID)
			if r.Progress != winner || r.Version != saved[0].Version+1 {
				t.Fatalf("saved %q v%d", r.Progress, r.Version)
			}
			// Reviewing twice from the same version: the second is told.
			if err := svc.Submit(ctx, src(f.county1), f.county1, []int64{r.ID}, []int64{r.Version}, nil); err != nil {
				t.Fatal(err)
			}
			if err := svc.Review(ctx, src(f.staff), f.staff, r.ID, r.Version+1, true, ""); err != nil {
				t.Fatal(err)
			}
			err = svc.Review(ctx, src(f.staff), f.staff, r.ID, r.Version+1, false, "退回")
			if e := apperr.As(err); e == nil || e.Code != apperr.Conflict || !strings.Contains(e.Message, "已通过") {
				t.Fatalf("second review: %v", err)
			}
		})
	}
}
