package indicator

import (
	"context"
	"fmt"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
)

// Source is what computing a dashboard needs of the store.
type Source interface {
	DashboardInput(ctx context.Context, planID int64, p Period) (Input, error)
	LatestValuePeriod(ctx context.Context, planID int64) (Period, bool, error)
}

// Compute builds the dashboard of a plan of year for the month named by
// period ("YYYY-MM"; empty: DefaultPeriod). A month outside the plan's year
// is a field error.
func Compute(ctx context.Context, src Source, planID int64, year int, period string, now time.Time) (Dashboard, Period, error) {
	var p Period
	if period != "" {
		var err error
		if p, err = ParsePeriod(period); err != nil {
			return Dashboard{}, p, err
		}
		if p.Year != year {
			return Dashboard{}, p, apperr.WithFields("报告期有误",
				map[string]string{"period": fmt.Sprintf("报告期须在计划年度 %d 年内", year)})
		}
	} else {
		latest, ok, err := src.LatestValuePeriod(ctx, planID)
		if err != nil {
			return Dashboard{}, p, err
		}
		p = DefaultPeriod(year, latest, ok, now)
	}
	in, err := src.DashboardInput(ctx, planID, p)
	if err != nil {
		return Dashboard{}, p, err
	}
	return Build(in), p, nil
}
