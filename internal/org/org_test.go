package org

import (
	"reflect"
	"testing"

	"github.com/luoshi/luoshi/internal/apperr"
)

func TestFlattenAndSubtree(t *testing.T) {
	units := []Unit{
		{ID: 1, Name: "市", Kind: City},
		{ID: 2, Name: "县甲", ParentID: 1},
		{ID: 3, Name: "园区", ParentID: 2},
		{ID: 4, Name: "县乙", ParentID: 1},
		{ID: 5, Name: "孤儿", ParentID: 99}, // parent missing: shown at the top
	}
	var order []int64
	var depth []int
	for _, n := range Flatten(units) {
		order = append(order, n.ID)
		depth = append(depth, n.Depth)
	}
	if !reflect.DeepEqual(order, []int64{1, 2, 3, 4, 5}) || !reflect.DeepEqual(depth, []int{0, 1, 2, 1, 0}) {
		t.Fatalf("Flatten: %v %v", order, depth)
	}
	if got := Subtree(units, 2); !reflect.DeepEqual(got, []int64{2, 3}) {
		t.Fatalf("Subtree(2) = %v", got)
	}
	if got := Subtree(units, 1); len(got) != 4 {
		t.Fatalf("Subtree(1) = %v", got)
	}
	// A cycle does not loop forever.
	cyc := []Unit{{ID: 1, ParentID: 2}, {ID: 2, ParentID: 1}}
	if got := Subtree(cyc, 1); len(got) != 2 {
		t.Fatalf("cycle: %v", got)
	}
}

func TestValidate(t *testing.T) {
	ok := Unit{Code: "510921", Name: " 蓬溪县 ", Kind: County, DivisionCode: "510921", ParentID: 1}
	if err := ok.Validate(); err != nil || ok.Name != "蓬溪县" {
		t.Fatalf("valid unit: %v %q", err, ok.Name)
	}
	for _, c := range []struct {
		u     Unit
		field string
	}{
		{Unit{Code: "x", Kind: Park, ParentID: 1}, "name"},
		{Unit{Code: "中文编码", Name: "a", Kind: Park, ParentID: 1}, "code"},
		{Unit{Code: "a", Name: "a", Kind: "town", ParentID: 1}, "kind"},
		{Unit{Code: "a", Name: "a", Kind: County, DivisionCode: "5109", ParentID: 1}, "division_code"},
		{Unit{Code: "a", Name: "a", Kind: District, ParentID: 1}, "division_code"},
		{Unit{Code: "a", Name: "a", Kind: Section}, "parent_id"},
	} {
		e := apperr.As(c.u.Validate())
		if e == nil || e.Fields[c.field] == "" {
			t.Errorf("%+v: want a message on %s, got %v", c.u, c.field, e)
		}
	}
}

func TestRoot(t *testing.T) {
	if _, ok := Root(nil); ok {
		t.Fatal("a root of no units")
	}
	units := []Unit{
		{ID: 5, Kind: Bureau, Sort: 0},              // no parent, but not a city
		{ID: 7, Kind: City, Sort: 3},                // a city, later in order
		{ID: 6, Kind: City, Sort: 3},                // the same order, lower id
		{ID: 2, Kind: County, ParentID: 6, Sort: 0}, // has a parent
	}
	if r, ok := Root(units); !ok || r.ID != 6 {
		t.Fatalf("root %+v, want the city with the lowest sort and id", r)
	}
	if r, _ := Root(units[:1]); r.ID != 5 {
		t.Fatalf("without a city the first parentless unit: %+v", r)
	}
}
