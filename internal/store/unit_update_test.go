package store_test

import (
	"context"
	"testing"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/store"
)

func TestUpdateUnit(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		city := org.Unit{Code: "510900", Name: "某市", Kind: org.City, DivisionCode: "510900"}
		county := org.Unit{Code: "510981", Name: "某县", Kind: org.County, DivisionCode: "510981"}
		park := org.Unit{Code: "park", Name: "高新区", Kind: org.Park}
		mustTx(t, db, func(tx *store.Tx) error {
			if err := tx.CreateUnit(&city); err != nil {
				return err
			}
			county.ParentID, park.ParentID = city.ID, city.ID
			if err := tx.CreateUnit(&county); err != nil {
				return err
			}
			return tx.CreateUnit(&park)
		})

		// A change with the current version is stored and bumps it.
		park.Name, park.ParentID = "某县高新区", county.ID
		mustTx(t, db, func(tx *store.Tx) error { return tx.UpdateUnit(&park) })
		got, err := db.Unit(ctx, park.ID)
		if err != nil || got.Name != "某县高新区" || got.ParentID != county.ID || got.Version != 2 || park.Version != 2 {
			t.Fatalf("after update: %+v (%+v) %v", got, park, err)
		}

		// A stale version is a conflict and changes nothing.
		stale := got
		stale.Version, stale.Name = 1, "旧名称"
		err = db.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateUnit(&stale) })
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("stale version: %v, want conflict", err)
		}
		if got, _ := db.Unit(ctx, park.ID); got.Name != "某县高新区" {
			t.Fatalf("stale update changed the name to %q", got.Name)
		}

		fieldErr := func(t *testing.T, u org.Unit, field string) {
			t.Helper()
			err := db.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateUnit(&u) })
			e := apperr.As(err)
			if e == nil || e.Code != apperr.Invalid || e.Fields[field] == "" {
				t.Fatalf("update %+v: %v, want a %s field error", u, err, field)
			}
		}
		cur, _ := db.Unit(ctx, city.ID)
		t.Run("own parent", func(t *testing.T) {
			u := cur
			u.ParentID = city.ID
			fieldErr(t, u, "parent_id")
		})
		t.Run("descendant as parent", func(t *testing.T) {
			// city → county → park: the park cannot become the city's parent.
			u := cur
			u.ParentID = park.ID
			fieldErr(t, u, "parent_id")
		})
		t.Run("missing parent", func(t *testing.T) {
			u, _ := db.Unit(ctx, county.ID)
			u.ParentID = 999999
			fieldErr(t, u, "parent_id")
		})
		t.Run("duplicate code", func(t *testing.T) {
			u, _ := db.Unit(ctx, county.ID)
			u.Code = "park"
			fieldErr(t, u, "code")
		})
		t.Run("duplicate division code", func(t *testing.T) {
			u, _ := db.Unit(ctx, county.ID)
			u.DivisionCode = "510900"
			fieldErr(t, u, "division_code")
		})
		t.Run("invalid", func(t *testing.T) {
			u, _ := db.Unit(ctx, county.ID)
			u.Name = " "
			fieldErr(t, u, "name")
		})
		if got, _ := db.Unit(ctx, city.ID); got.Version != cur.Version || got.ParentID != 0 {
			t.Fatalf("refused updates changed the city: %+v", got)
		}

		// CheckUnit also serves new units (ID 0).
		err = db.InTx(ctx, func(tx *store.Tx) error {
			return tx.CheckUnit(&org.Unit{Code: "510981", Name: "x", Kind: org.Park, ParentID: city.ID})
		})
		if e := apperr.As(err); e == nil || e.Fields["code"] == "" {
			t.Fatalf("new unit with a used code: %v", err)
		}

		// An unknown unit is not found.
		err = db.InTx(ctx, func(tx *store.Tx) error {
			return tx.UpdateUnit(&org.Unit{ID: 999999, Code: "x", Name: "x", Kind: org.Park, ParentID: city.ID, Version: 1})
		})
		if !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("unknown unit: %v", err)
		}
	})
}
