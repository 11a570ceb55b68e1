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

// Load reads what the dashboard of a plan of year needs for the month named
// by period ("YYYY-MM"; empty: DefaultPeriod). A month outside the plan's
// year is a field error.
func Load(ctx context.Context, src Source, planID int64, year int, period string, now time.Time) (Input, error) {
	var p Period
	if period != "" {
		var err error
		if p, err = ParsePeriod(period); err != nil {
			return Input{}, err
		}
		if p.Year != year {
			return Input{}, apperr.WithFields("报告期有误",
				map[string]string{"period": fmt.Sprintf("报告期须在计划年度 %d 年内", year)})
		}
	} else {
		latest, ok, err := src.LatestValuePeriod(ctx, planID)
		if err != nil {
			return Input{}, err
		}
		p = DefaultPeriod(year, latest, ok, now)
	}
	return src.DashboardInput(ctx, planID, p)
}

// Compute loads and builds the dashboard (Load, then Build).
func Compute(ctx context.Context, src Source, planID int64, year int, period string, now time.Time) (Dashboard, Period, error) {
	in, err := Load(ctx, src, planID, year, period, now)
	if err != nil {
		return Dashboard{}, Period{}, err
	}
	return Build(in), in.Period, nil
}
