package indicator

import "math"

// ScoreRule is the year-end scoring rule of one indicator (年度考核): full
// marks at 100 % completion, linear below it, and a capped bonus above it.
type ScoreRule struct {
	// Weight is the indicator's full marks.
	Weight float64
	// BonusRate is the marks per point of completion above 100 %, as a
	// share of Weight: 0.5 gives half a mark per point on a 100-mark weight.
	BonusRate float64
	// BonusCap is the largest bonus as a share of Weight: 0.2 caps a
	// 10-mark indicator at 12 marks.
	BonusCap float64
}

// DefaultScoreRule: no bonus unless the bureau sets one.
func DefaultScoreRule(weight float64) ScoreRule { return ScoreRule{Weight: weight} }

// Score returns the marks for a completion (a fraction; 1 is 100 %). A
// negative or unknown completion scores nothing. Scores are rounded to two
// decimals, as a published ranking shows them.
func (r ScoreRule) Score(completion float64) float64 {
	if math.IsNaN(completion) || completion <= 0 || r.Weight <= 0 {
		return 0
	}
	if completion <= 1 {
		return round2(r.Weight * completion)
	}
	bonus := r.Weight * (completion - 1) * r.BonusRate
	if limit := r.Weight * r.BonusCap; bonus > limit {
		bonus = limit
	}
	return round2(r.Weight + bonus)
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
