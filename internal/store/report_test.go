package store_test

import (
	"context"
	"testing"

	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/period"
	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/report"
	"github.com/luoshi/luoshi/internal/store"
)

// TestCurrentPlan: the active plan of the year comes first, then the
// newest active plan, then the newest plan; a newer draft import does not
// take the home page.
func TestCurrentPlan(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mk := func(year int, status string) int64 {
			p := &plan.Plan{Title: "计划", Year: year, Status: status}
			mustTx(t, db, func(tx *store.Tx) error { return tx.CreatePlan(p) })
			return p.ID
		}
		if id, err := db.CurrentPlanID(ctx, auth.Everything, 2023); err != nil || id != 0 {
			t.Fatalf("no plans: %d %v", id, err)
		}
		old := mk(2022, "active")
		if id, _ := db.CurrentPlanID(ctx, auth.Everything, 2023); id != old {
			t.Fatalf("only an old active plan: %d", id)
		}
		cur := mk(2023, "active")
		mk(2024, "draft")
		mk(2023, "draft")
		if id, _ := db.CurrentPlanID(ctx, auth.Everything, 2023); id != cur {
			t.Fatalf("current plan %d, want %d", id, cur)
		}
		if id, _ := db.CurrentPlanID(ctx, auth.Everything, 2025); id != cur {
			t.Fatalf("newest active plan %d, want %d", id, cur)
		}
	})
}

// TestSheetRules: an item approved as 已完成 is no longer due afterwards;
// quarterly rules take quarterly keys; rules are version-checked.
func TestSheetRules(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, county := createUnits(t, db)
		p := &plan.Plan{Title: "计划", Year: 2023, Status: "active", Sections: []plan.Section{{No: 1, Title: "一",
			Items: []plan.Task{{No: 1, Title: "甲", Text: "甲。"}, {No: 2, Title: "乙", Text: "乙。"}}}}}
		mustTx(t, db, func(tx *store.Tx) error {
			if err := tx.CreatePlan(p); err != nil {
				return err
			}
			for _, it := range p.Sections[0].Items {
				if _, err := tx.SaveAssignment(report.AssignmentInput{TaskID: it.ID, LeadUnitIDs: []int64{county.ID}}); err != nil {
					return err
				}
			}
			return nil
		})
		done := p.Sections[0].Items[0]
		mustTx(t, db, func(tx *store.Tx) error {
			id, v, err := tx.SaveDraft(p.ID, report.Draft{TaskID: done.ID, UnitID: county.ID, Period: "2023-03",
				Progress: "完成", Percent: 100, State: report.Done}, false)
			if err != nil {
				return err
			}
			if _, err := tx.SetReportStatus(id, v, []report.Status{report.StatusDraft}, report.Submitted, "x", ""); err != nil {
				return err
			}
			_, err = tx.SetReportStatus(id, v+1, []report.Status{report.Submitted}, report.Approved, "y", "")
			return err
		})
		scope := auth.Scope{Units: []int64{county.ID}}
		for key, want := range map[string]int{"2023-02": 2, "2023-03": 2, "2023-04": 1} {
			rows, err := db.Sheet(ctx, scope, p.ID, key, []int64{county.ID})
			if err != nil || len(rows) != want {
				t.Errorf("%s: %d rows, want %d (%v)", key, len(rows), want, err)
			}
		}
		// April carries March's state forward for the open item only.
		rows, _ := db.Sheet(ctx, scope, p.ID, "2023-04", nil)
		if len(rows) != 1 || rows[0].Assignment.TaskID == done.ID || rows[0].Previous != nil {
			t.Fatalf("April rows %+v", rows)
		}
		if _, err := db.Sheet(ctx, scope, p.ID, "2023-13", nil); err == nil {
			t.Fatal("a bad period key was accepted")
		}
		got, _ := db.Plan(ctx, auth.Everything, p.ID)
		q := period.Rules{Frequency: period.Quarterly, OpenDay: 1, CloseDay: 10}
		mustTx(t, db, func(tx *store.Tx) error { return tx.SetPlanRules(p.ID, q, got.Version) })
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.SetPlanRules(p.ID, q, got.Version) }); err == nil {
			t.Fatal("stale rules saved")
		}
		r, year, err := db.PlanRules(ctx, p.ID)
		if err != nil || r != q || year != 2023 || len(r.Year(year)) != 4 {
			t.Fatalf("rules %+v %d %v", r, year, err)
		}
	})
}
