// Package assess scores units at year end (年度考核): each indicator and
// each task category carries a weight; an indicator scores by its rule (full
// marks at 100 % completion, linear below, a capped bonus above) and a task
// category by the share of the unit's tasks in it that are done. A unit is
// scored on what applies to it — the indicators allocated to it and the
// categories it has tasks in — and its score is put on a 100-point scale so
// that units with different assignments compare fairly.
package assess

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/indicator"
)

// Task categories a weight can name.
const (
	CategoryWorkItem = "work_item"
	CategoryKeyItem  = "key_item"
)

// Weight is one scored item of a plan: "indicator:<id>" or
// "category:<work_item|key_item>".
type Weight struct {
	Item      string  `json:"item"`
	Weight    float64 `json:"weight"`
	BonusRate float64 `json:"bonus_rate"`
	BonusCap  float64 `json:"bonus_cap"`
	Version   int64   `json:"version"`
}

// IndicatorItem names an indicator's weight.
func IndicatorItem(id int64) string { return "indicator:" + strconv.FormatInt(id, 10) }

// CategoryItem names a task category's weight.
func CategoryItem(c string) string { return "category:" + c }

// Rule returns the weight's scoring rule.
func (w Weight) Rule() indicator.ScoreRule {
	return indicator.ScoreRule{Weight: w.Weight, BonusRate: w.BonusRate, BonusCap: w.BonusCap}
}

// Validate checks a weight typed by staff.
func (w *Weight) Validate() error {
	fields := map[string]string{}
	ok := strings.HasPrefix(w.Item, "indicator:") || w.Item == CategoryItem(CategoryWorkItem) || w.Item == CategoryItem(CategoryKeyItem)
	if !ok {
		fields["item"] = "考核项无效"
	}
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) || v < 0 }
	if bad(w.Weight) || w.Weight > 1000 {
		fields["weight"] = "权重须为0至1000之间的数字"
	}
	if bad(w.BonusRate) || w.BonusRate > 10 {
		fields["bonus_rate"] = "加分系数须为0至10之间的数字"
	}
	if bad(w.BonusCap) || w.BonusCap > 1 {
		fields["bonus_cap"] = "加分上限须为0至1之间的比例(如0.2表示权重的20%)"
	}
	if len(fields) > 0 {
		return apperr.WithFields("考核权重有误", prefixed(w.Item, fields))
	}
	return nil
}

func prefixed(item string, fields map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range fields {
		out[k+"_"+item] = v
	}
	return out
}

// Part is one scored item of a unit.
type Part struct {
	Item       string   `json:"item"`
	Label      string   `json:"label"`
	Weight     float64  `json:"weight"`
	Completion *float64 `json:"completion"` // nil: not reported, scores 0
	Points     float64  `json:"points"`
}

// UnitScore is a unit's assessment.
type UnitScore struct {
	UnitID   int64   `json:"unit_id"`
	UnitName string  `json:"unit_name"`
	Parts    []Part  `json:"parts"`
	Points   float64 `json:"points"`   // sum of the parts' points
	Possible float64 `json:"possible"` // sum of the parts' weights
	Score    float64 `json:"score"`    // Points / Possible × 100, two decimals
	Rank     int     `json:"rank"`
}

// TaskShares gives, per unit and category, the share (0–1) of the unit's
// tasks in that category that are done; a unit with no task in a category
// has no entry.
type TaskShares map[int64]map[string]float64

// Input is what the scores are computed from.
type Input struct {
	Dashboard indicator.Dashboard // the month judged, usually December
	Weights   []Weight
	Tasks     TaskShares
	Units     map[int64]indicator.UnitRef
}

// Score computes and ranks the units' scores. Units that no weighted item
// applies to are left out. Ties share a place.
func Score(in Input) []UnitScore {
	byUnit := map[int64]*UnitScore{}
	get := func(id int64) *UnitScore {
		s := byUnit[id]
		if s == nil {
			s = &UnitScore{UnitID: id, UnitName: in.Units[id].Name}
			byUnit[id] = s
		}
		return s
	}
	cards := map[string]indicator.Card{}
	for _, c := range in.Dashboard.Cards {
		cards[IndicatorItem(c.ID)] = c
	}
	for _, w := range in.Weights {
		if w.Weight <= 0 {
			continue
		}
		rule := w.Rule()
		if c, ok := cards[w.Item]; ok {
			for _, u := range c.Units {
				if !u.HasTarget {
					continue // the indicator is not allocated to this unit
				}
				p := Part{Item: w.Item, Label: c.Name, Weight: w.Weight, Completion: u.Completion}
				if u.Completion != nil {
					p.Points = rule.Score(*u.Completion)
				}
				s := get(u.UnitID)
				s.Parts = append(s.Parts, p)
			}
			continue
		}
		cat, ok := strings.CutPrefix(w.Item, "category:")
		if !ok {
			continue
		}
		for unitID, shares := range in.Tasks {
			share, ok := shares[cat]
			if !ok {
				continue
			}
			sh := share
			// A share of tasks done earns no bonus: it cannot pass 100 %.
			p := Part{Item: w.Item, Label: Label(w.Item, nil), Weight: w.Weight, Completion: &sh,
				Points: indicator.ScoreRule{Weight: w.Weight}.Score(share)}
			s := get(unitID)
			s.Parts = append(s.Parts, p)
		}
	}
	var out []UnitScore
	for _, s := range byUnit {
		for _, p := range s.Parts {
			s.Points += p.Points
			s.Possible += p.Weight
		}
		s.Points = round2(s.Points)
		if s.Possible > 0 {
			s.Score = round2(s.Points / s.Possible * 100)
		}
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		a, b := in.Units[out[i].UnitID], in.Units[out[j].UnitID]
		if a.Sort != b.Sort {
			return a.Sort < b.Sort
		}
		return out[i].UnitID < out[j].UnitID
	})
	for i := range out {
		if i > 0 && out[i].Score == out[i-1].Score {
			out[i].Rank = out[i-1].Rank
		} else {
			out[i].Rank = i + 1
		}
	}
	return out
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// DefaultWeights proposes equal weights for the headline indicators adding
// up to 70 and 15 each for the two task categories, until staff set them.
func DefaultWeights(cards []indicator.Card) []Weight {
	var headline []indicator.Card
	for _, c := range cards {
		if c.TaskID == 0 {
			headline = append(headline, c)
		}
	}
	var out []Weight
	for _, c := range headline {
		out = append(out, Weight{Item: IndicatorItem(c.ID), Weight: round2(70 / float64(len(headline))), BonusRate: 0.5, BonusCap: 0.2})
	}
	out = append(out, Weight{Item: CategoryItem(CategoryKeyItem), Weight: 15}, Weight{Item: CategoryItem(CategoryWorkItem), Weight: 15})
	return out
}

// Label names an item for people.
func Label(item string, cards []indicator.Card) string {
	for _, c := range cards {
		if IndicatorItem(c.ID) == item {
			return c.Name
		}
	}
	switch item {
	case CategoryItem(CategoryKeyItem):
		return "重点任务"
	case CategoryItem(CategoryWorkItem):
		return "工作要点条目"
	}
	return fmt.Sprint(item)
}
