package store_test

import (
	"context"
	"testing"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/store"
)

// TestScope: a reporter's scope sees the tasks assigned to its unit and the
// units below it, and nothing else, in lists and by id.
func TestScope(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		city, a := createUnits(t, db)
		var b, aChild org.Unit
		mustTx(t, db, func(tx *store.Tx) error {
			b = org.Unit{Code: "510923", Name: "另一县", Kind: org.County, DivisionCode: "510923", ParentID: city.ID}
			if err := tx.CreateUnit(&b); err != nil {
				return err
			}
			aChild = org.Unit{Code: "a-park", Name: "县属园区", Kind: org.Park, ParentID: a.ID}
			return tx.CreateUnit(&aChild)
		})
		p := &plan.Plan{Title: "2024年工作要点", Year: 2024,
			Targets: []plan.Target{{Name: "高新技术企业", Value: 10, Unit: "家", Comparator: plan.AtLeast}},
			Sections: []plan.Section{
				{No: 1, Title: "甲", Items: []plan.Task{{No: 1, Title: "甲县的事"}, {No: 2, Title: "乙县的事"}}},
				{No: 2, Title: "乙", Items: []plan.Task{{No: 3, Title: "园区的事"}, {No: 4, Title: "没人管的事"}}},
			},
			KeyItems: []plan.Task{{No: 1, Title: "乙县重点", Measures: []plan.Measure{{No: 1, Text: "举措"}}}},
		}
		mustTx(t, db, func(tx *store.Tx) error {
			if err := tx.CreatePlan(p); err != nil {
				return err
			}
			items := p.Sections[0].Items
			for _, as := range []struct{ task, unit int64 }{
				{items[0].ID, a.ID}, {items[1].ID, b.ID}, {p.Sections[1].Items[0].ID, aChild.ID}, {p.KeyItems[0].ID, b.ID},
			} {
				if err := tx.Assign(as.task, as.unit, "lead"); err != nil {
					return err
				}
			}
			return nil
		})
		units, _ := db.Units(ctx)
		scopeA := auth.Scope{Units: org.Subtree(units, a.ID)}
		scopeB := auth.Scope{Units: org.Subtree(units, b.ID)}

		got, err := db.Plan(ctx, scopeA, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, s := range got.Sections {
			for _, it := range s.Items {
				titles = append(titles, it.Title)
			}
		}
		if len(titles) != 2 || titles[0] != "甲县的事" || titles[1] != "园区的事" || len(got.KeyItems) != 0 || len(got.Targets) != 0 {
			t.Fatalf("scope A sees %v, %d key items, %d headline targets", titles, len(got.KeyItems), len(got.Targets))
		}
		gotB, err := db.Plan(ctx, scopeB, p.ID)
		if err != nil || len(gotB.Sections) != 1 || len(gotB.KeyItems) != 1 {
			t.Fatalf("scope B: %+v %v", gotB, err)
		}

		// By id: another unit's task is not found.
		if _, err := db.Task(ctx, scopeA, p.Sections[0].Items[1].ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("A reads B's task: %v", err)
		}
		if _, err := db.Task(ctx, scopeA, p.KeyItems[0].ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("A reads B's key item: %v", err)
		}
		if d, err := db.Task(ctx, scopeA, p.Sections[1].Items[0].ID); err != nil || d.Title != "园区的事" || d.SectionNo != 2 {
			t.Fatalf("A reads its child unit's task: %+v %v", d, err)
		}
		if d, err := db.Task(ctx, scopeB, p.KeyItems[0].ID); err != nil || len(d.Measures) != 1 || len(d.LeadUnits) != 1 {
			t.Fatalf("B reads its key item: %+v %v", d, err)
		}
		if _, err := db.Task(ctx, auth.Everything, p.Sections[1].Items[1].ID); err != nil {
			t.Fatalf("bureau reads an unassigned task: %v", err)
		}

		// Lists: counts in scope; a scope with no assignment sees no plan.
		list, err := db.Plans(ctx, scopeA)
		if err != nil || len(list) != 1 || list[0].Items != 2 || list[0].KeyItems != 0 {
			t.Fatalf("scope A plans: %+v %v", list, err)
		}
		cityScope := auth.Scope{Units: []int64{city.ID}}
		if list, _ := db.Plans(ctx, cityScope); len(list) != 0 {
			t.Fatalf("a scope without assignments lists %d plans", len(list))
		}
		if _, err := db.Plan(ctx, cityScope, p.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("a scope without assignments reads the plan: %v", err)
		}
		if _, err := db.Plan(ctx, auth.Scope{}, p.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("the empty scope reads the plan: %v", err)
		}
	})
}
