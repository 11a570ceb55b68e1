package bulletin

import (
	"context"
	"time"

	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/indicator"
	"github.com/luoshi/luoshi/internal/plan"
)

// Source is what a bulletin needs of the store. When it also implements
// MissingSource, the bulletin lists the missing reports.
type Source interface {
	indicator.Source
	Plan(ctx context.Context, scope auth.Scope, id int64) (*plan.Plan, error)
}

// Make builds the bulletin of a plan for period ("YYYY-MM"; empty: the
// dashboard's default month).
func Make(ctx context.Context, src Source, planID int64, period string, now time.Time) (*Bulletin, error) {
	p, err := src.Plan(ctx, auth.Everything, planID)
	if err != nil {
		return nil, err
	}
	d, per, err := indicator.Compute(ctx, src, planID, p.Year, period, now)
	if err != nil {
		return nil, err
	}
	var missing []Missing
	if ms, ok := src.(MissingSource); ok {
		if missing, err = ms.MissingReports(ctx, planID, per); err != nil {
			return nil, err
		}
	}
	return Build(p, d, per, missing, now), nil
}
