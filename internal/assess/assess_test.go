package assess

import (
	"testing"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/indicator"
)

func f(v float64) *float64 { return &v }

func unit(id int64, name string, hasTarget bool, c *float64) indicator.UnitFigure {
	return indicator.UnitFigure{UnitID: id, UnitName: name, Figure: indicator.Figure{HasTarget: hasTarget, Completion: c}}
}

// Worked by hand:
//
//	A: 40 × 1.2 → 40 + 40 × 0.2 × 0.5 = 44; indicator 2 not reported → 0;
//	   key items half done → 15. 59 of 100 → 59.00.
//	B: 40 × 0.5 = 20; 30 × 1.0 = 30. 50 of 70 → 71.43.
//	C: indicator 1 not allocated to it, nothing else → not scored.
//	D: key items all done → 30 of 30 → 100.
func TestScore(t *testing.T) {
	d := indicator.Dashboard{Cards: []indicator.Card{
		{Indicator: indicator.Indicator{ID: 1, Name: "技术合同"}, Units: []indicator.UnitFigure{
			unit(1, "A", true, f(1.2)), unit(2, "B", true, f(0.5)), unit(3, "C", false, nil)}},
		{Indicator: indicator.Indicator{ID: 2, Name: "高企"}, Units: []indicator.UnitFigure{
			unit(1, "A", true, nil), unit(2, "B", true, f(1.0))}},
	}}
	weights := []Weight{
		{Item: IndicatorItem(1), Weight: 40, BonusRate: 0.5, BonusCap: 0.2},
		{Item: IndicatorItem(2), Weight: 30},
		{Item: CategoryItem(CategoryKeyItem), Weight: 30},
		{Item: CategoryItem(CategoryWorkItem), Weight: 0}, // weight 0: not scored
	}
	units := map[int64]indicator.UnitRef{1: {ID: 1, Name: "A"}, 2: {ID: 2, Name: "B"}, 3: {ID: 3, Name: "C"}, 4: {ID: 4, Name: "D"}}
	tasks := TaskShares{1: {CategoryKeyItem: 0.5, CategoryWorkItem: 1}, 4: {CategoryKeyItem: 1}}
	got := Score(Input{Dashboard: d, Weights: weights, Tasks: tasks, Units: units})
	want := []struct {
		name              string
		points, poss, scr float64
		rank              int
	}{{"D", 30, 30, 100, 1}, {"B", 50, 70, 71.43, 2}, {"A", 59, 100, 59, 3}}
	if len(got) != len(want) {
		t.Fatalf("%d scores: %+v", len(got), got)
	}
	for i, w := range want {
		g := got[i]
		if g.UnitName != w.name || g.Points != w.points || g.Possible != w.poss || g.Score != w.scr || g.Rank != w.rank {
			t.Errorf("place %d: %+v, want %+v", i, g, w)
		}
	}
	if a := got[2]; len(a.Parts) != 3 || a.Parts[0].Points != 44 || a.Parts[1].Points != 0 || a.Parts[2].Label != "重点任务" {
		t.Errorf("A's parts: %+v", a.Parts)
	}
}

func TestScoreTies(t *testing.T) {
	d := indicator.Dashboard{Cards: []indicator.Card{{Indicator: indicator.Indicator{ID: 1}, Units: []indicator.UnitFigure{
		unit(1, "甲", true, f(0.8)), unit(2, "乙", true, f(0.8)), unit(3, "丙", true, f(0.9))}}}}
	units := map[int64]indicator.UnitRef{1: {ID: 1, Sort: 2}, 2: {ID: 2, Sort: 1}, 3: {ID: 3, Sort: 3}}
	got := Score(Input{Dashboard: d, Weights: []Weight{{Item: IndicatorItem(1), Weight: 10}}, Units: units})
	if got[0].UnitID != 3 || got[1].UnitID != 2 || got[2].UnitID != 1 || got[1].Rank != 2 || got[2].Rank != 2 {
		t.Fatalf("ties: %+v", got)
	}
}

func TestWeightValidate(t *testing.T) {
	good := Weight{Item: IndicatorItem(3), Weight: 20, BonusRate: 0.5, BonusCap: 0.2}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := Weight{Item: "category:other", Weight: -1, BonusRate: 11, BonusCap: 2}
	e := apperr.As(bad.Validate())
	if e == nil || len(e.Fields) != 4 {
		t.Fatalf("bad weight: %v", e)
	}
}

func TestDefaultWeights(t *testing.T) {
	cards := []indicator.Card{{Indicator: indicator.Indicator{ID: 1}}, {Indicator: indicator.Indicator{ID: 2}},
		{Indicator: indicator.Indicator{ID: 3, TaskID: 9}}}
	w := DefaultWeights(cards)
	var sum float64
	for _, x := range w {
		sum += x.Weight
		if err := x.Validate(); err != nil {
			t.Errorf("%+v: %v", x, err)
		}
	}
	if len(w) != 4 || sum != 100 {
		t.Fatalf("default weights %+v (sum %v)", w, sum)
	}
}
