package assess

import (
	"context"
	"time"

	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/indicator"
	"github.com/luoshi/luoshi/internal/plan"
)

// Source is what an assessment needs of the store.
type Source interface {
	indicator.Source
	Plan(ctx context.Context, scope auth.Scope, id int64) (*plan.Plan, error)
	AssessmentWeights(ctx context.Context, planID int64) ([]Weight, error)
	TaskShares(ctx context.Context, planID int64) (TaskShares, error)
}

// Assessment is a plan's scores at a month.
type Assessment struct {
	Plan      *plan.Plan
	Period    indicator.Period
	Weights   []Weight
	Suggested bool // no weights saved: DefaultWeights are shown
	Cards     []indicator.Card
	Scores    []UnitScore
}

// Make scores the units of a plan at period ("YYYY-MM"; empty: the
// dashboard's default month, December once the year's figures are in).
func Make(ctx context.Context, src Source, planID int64, period string, now time.Time) (*Assessment, error) {
	p, err := src.Plan(ctx, auth.Everything, planID)
	if err != nil {
		return nil, err
	}
	// One load serves the dashboard and the units' names and order.
	in, err := indicator.Load(ctx, src, planID, p.Year, period, now)
	if err != nil {
		return nil, err
	}
	d, per := indicator.Build(in), in.Period
	weights, err := src.AssessmentWeights(ctx, planID)
	if err != nil {
		return nil, err
	}
	a := &Assessment{Plan: p, Period: per, Weights: weights, Cards: d.Cards}
	if len(weights) == 0 {
		a.Weights, a.Suggested = DefaultWeights(d.Cards), true
	}
	shares, err := src.TaskShares(ctx, planID)
	if err != nil {
		return nil, err
	}
	a.Scores = Score(Input{Dashboard: d, Weights: a.Weights, Tasks: shares, Units: in.Units})
	return a, nil
}
