// Package indicator holds the rules that judge an indicator's progress:
// time progress (时序进度), completion (完成率), status, the allocation check
// of 目标分解 and the year-end score. They are pure functions of numbers and
// dates so that the dashboard, the bulletin and the assessment agree, and so
// that every rule is tested with hand-worked examples.
//
// The rules are those of the product design:
//
//   - A flow (contract value, R&D spending: summed over the year) is expected
//     to reach m/12 of its target at the end of month m.
//   - A stock (enterprises holding a valid certificate: a level on a date) is
//     expected to move in a straight line from last year-end's value to the
//     target; its time progress is that expected level over the target.
//   - An annual count (TSMEs registered this year) starts from zero each year
//     and is judged like a flow.
//   - An increment target (新增 N) is judged on the growth over the year-start
//     value, like a flow.
//   - Statistics that arrive with a lag of L months are judged at the month
//     their data describe, not the month they are shown in.
//   - Completion is actual / target. Status is met when the comparator holds,
//     on track when completion ≥ time progress, at risk when at most 10
//     points below, behind otherwise.
package indicator

import (
	"fmt"
	"math"

	"github.com/luoshi/luoshi/internal/plan"
)

// Kind says how an indicator accumulates over the year.
type Kind string

const (
	// Flow is summed over the year: contract value, R&D spending, revenue.
	Flow Kind = "flow"
	// Stock is a level on a date: HTEs holding a valid certificate.
	Stock Kind = "stock"
	// Annual is a count that restarts every year: TSMEs registered this year.
	Annual Kind = "annual"
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == Flow || k == Stock || k == Annual }

// Status is the judgement of an indicator at a month.
type Status string

const (
	Met     Status = "met"
	OnTrack Status = "on_track"
	AtRisk  Status = "at_risk"
	Behind  Status = "behind"
)

// AtRiskBand is how far below time progress completion may fall and still
// be at risk rather than behind: 10 percentage points.
const AtRiskBand = 0.10

// eps absorbs binary rounding at the boundaries (0.3 - 0.1 is not 0.2), far
// below any difference a person would read off a percentage.
const eps = 1e-9

// Spec is what the rules need to know of an indicator.
type Spec struct {
	Kind       Kind
	Comparator plan.Comparator
	// Target is the city's (or a unit's allocated) target for the year.
	Target float64
	// Base is last year-end's value: the start of a stock's straight line,
	// and the value an increment target grows from.
	Base float64
	// Increment marks 新增 targets: Target is growth over Base.
	Increment bool
	// LagMonths is how many months the data trail the calendar (statistics).
	LagMonths int
}

// Validate returns an error for a spec the rules cannot judge.
func (s Spec) Validate() error {
	if !s.Kind.Valid() {
		return fmt.Errorf("indicator: unknown kind %q", s.Kind)
	}
	switch s.Comparator {
	case plan.AtLeast, plan.MoreThan, plan.About, plan.AtMost:
	default:
		return fmt.Errorf("indicator: unknown comparator %q", s.Comparator)
	}
	if s.LagMonths < 0 || s.LagMonths > 11 {
		return fmt.Errorf("indicator: lag of %d months is out of range 0–11", s.LagMonths)
	}
	if math.IsNaN(s.Target) || math.IsInf(s.Target, 0) || math.IsNaN(s.Base) || math.IsInf(s.Base, 0) {
		return fmt.Errorf("indicator: target and base must be finite")
	}
	return nil
}

// DataMonth is the month (0–12) whose data are shown at the end of month m:
// m less the lag, never before the year's start.
func (s Spec) DataMonth(m int) int {
	m = clampMonth(m) - s.LagMonths
	if m < 0 {
		return 0
	}
	return m
}

func clampMonth(m int) int {
	switch {
	case m < 0:
		return 0
	case m > 12:
		return 12
	}
	return m
}

// TimeProgress is the share of the target expected to be reached at the end
// of month m (1–12), as a fraction (0.5 is 50%).
func (s Spec) TimeProgress(m int) float64 {
	d := float64(s.DataMonth(m))
	if s.Kind != Stock || s.Increment {
		return d / 12
	}
	if s.Target == 0 {
		return d / 12
	}
	expected := s.Base + (s.Target-s.Base)*d/12
	return expected / s.Target
}

// Completion is actual against target as a fraction. An increment target
// counts only the growth over Base. A zero target has no completion: ok is
// false.
func (s Spec) Completion(actual float64) (c float64, ok bool) {
	if s.Target == 0 {
		return 0, false
	}
	if s.Increment {
		return (actual - s.Base) / s.Target, true
	}
	return actual / s.Target, true
}

// Reached reports whether actual satisfies the comparator against the target
// (for an increment target, the growth over Base does).
func (s Spec) Reached(actual float64) bool {
	v := actual
	if s.Increment {
		v = actual - s.Base
	}
	t := s.Target
	switch s.Comparator {
	case plan.AtLeast:
		return v >= t-eps*math.Max(1, math.Abs(t))
	case plan.MoreThan:
		return v > t
	case plan.About:
		return math.Abs(v-t) <= plan.AboutMargin*math.Abs(t)+eps*math.Max(1, math.Abs(t))
	case plan.AtMost:
		return v <= t+eps*math.Max(1, math.Abs(t))
	}
	return false
}

// Judgement is an indicator's standing at the end of a month.
type Judgement struct {
	Month        int     `json:"month"`
	DataMonth    int     `json:"data_month"`
	Actual       float64 `json:"actual"`
	Target       float64 `json:"target"`
	Completion   float64 `json:"completion"`
	TimeProgress float64 `json:"time_progress"`
	Status       Status  `json:"status"`
}

// Judge applies the rules to the actual value shown at the end of month m.
//
// An at-most target (以内, 不超过) is a ceiling: it is met while the actual
// stays at or under the share of the ceiling that time allows, at risk within
// 10 points above that share, behind beyond it; at year end it is met when
// the actual is at or under the ceiling.
func (s Spec) Judge(actual float64, m int) Judgement {
	tp := s.TimeProgress(m)
	c, ok := s.Completion(actual)
	j := Judgement{Month: clampMonth(m), DataMonth: s.DataMonth(m), Actual: actual, Target: s.Target, Completion: c, TimeProgress: tp}
	switch {
	case s.Comparator == plan.AtMost:
		j.Status = judgeCeiling(c, tp, ok)
	case s.Reached(actual):
		j.Status = Met
	case !ok:
		j.Status = Behind
	case c >= tp-eps:
		j.Status = OnTrack
	case c >= tp-AtRiskBand-eps:
		j.Status = AtRisk
	default:
		j.Status = Behind
	}
	return j
}

func judgeCeiling(c, tp float64, ok bool) Status {
	switch {
	case !ok:
		return Behind
	case c <= tp+eps:
		if tp >= 1-eps {
			return Met
		}
		return OnTrack
	case c <= tp+AtRiskBand+eps:
		return AtRisk
	}
	return Behind
}

// Aggregation says how a city value is made of its units' values.
type Aggregation string

const (
	Sum Aggregation = "sum"
	Max Aggregation = "max"
	Avg Aggregation = "avg"
)

// Aggregate combines the units' values; ok is false when there are none.
func Aggregate(a Aggregation, values []float64) (v float64, ok bool) {
	if len(values) == 0 {
		return 0, false
	}
	switch a {
	case Max:
		v = values[0]
		for _, x := range values[1:] {
			v = math.Max(v, x)
		}
		return v, true
	case Avg:
		for _, x := range values {
			v += x
		}
		return v / float64(len(values)), true
	default:
		for _, x := range values {
			v += x
		}
		return v, true
	}
}

// AllocationGap compares the units' allocated targets with the city target:
// the sum less the target. A negative gap means the allocation falls short
// of the city target, which the allocation page warns about; a positive one
// means the units were given more than the city needs (often deliberate).
func AllocationGap(cityTarget float64, allocations []float64) float64 {
	var sum float64
	for _, a := range allocations {
		sum += a
	}
	gap := sum - cityTarget
	if math.Abs(gap) < eps*math.Max(1, math.Abs(cityTarget)) {
		return 0
	}
	return gap
}
