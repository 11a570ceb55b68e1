package store_test

import (
	"context"
	"testing"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/assess"
	"github.com/luoshi/luoshi/internal/store"
)

func TestAssessmentWeightsAndShares(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, county := createUnits(t, db)
		p := samplePlan()
		mustTx(t, db, func(tx *store.Tx) error {
			if err := tx.CreatePlan(p); err != nil {
				return err
			}
			// The parser's units are suggestions (issue 8): assign the lead.
			return tx.Assign(p.KeyItems[0].ID, county.ID, "lead")
		})

		w := assess.Weight{Item: assess.IndicatorItem(p.Targets[0].ID), Weight: 40, BonusRate: 0.5, BonusCap: 0.2}
		mustTx(t, db, func(tx *store.Tx) error { _, err := tx.SetAssessmentWeight(p.ID, &w); return err })
		again := assess.Weight{Item: w.Item, Weight: 10}
		if err := db.InTx(ctx, func(tx *store.Tx) error { _, err := tx.SetAssessmentWeight(p.ID, &again); return err }); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("second new weight: %v", err)
		}
		w.Weight = 35
		var prev *assess.Weight
		mustTx(t, db, func(tx *store.Tx) error { var err error; prev, err = tx.SetAssessmentWeight(p.ID, &w); return err })
		if prev == nil || prev.Weight != 40 || w.Version != 2 {
			t.Fatalf("change: prev %+v now %+v", prev, w)
		}
		stale := w
		stale.Version = 1
		if err := db.InTx(ctx, func(tx *store.Tx) error { _, err := tx.SetAssessmentWeight(p.ID, &stale); return err }); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("stale weight: %v", err)
		}
		bad := assess.Weight{Item: "category:x", Weight: 1}
		if err := db.InTx(ctx, func(tx *store.Tx) error { _, err := tx.SetAssessmentWeight(p.ID, &bad); return err }); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("bad item: %v", err)
		}
		ws, err := db.AssessmentWeights(ctx, p.ID)
		if err != nil || len(ws) != 1 || ws[0].Weight != 35 || ws[0].BonusCap != 0.2 {
			t.Fatalf("weights: %+v %v", ws, err)
		}
		// The sample's key item, led by the county, has one of two measures done.
		shares, err := db.KeyItemShares(ctx, p.ID)
		if err != nil || len(shares) != 1 || shares[county.ID][assess.CategoryKeyItem] != 0.5 {
			t.Fatalf("shares: %+v %v", shares, err)
		}
	})
}
