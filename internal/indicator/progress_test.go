package indicator

import (
	"math"
	"testing"

	"github.com/luoshi/luoshi/internal/plan"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// Every case is worked by hand in its comment; the boundaries sit exactly on
// the rule's edges (completion equal to time progress, exactly 10 points
// below it, the comparator's own edge).
func TestJudge(t *testing.T) {
	flow := Spec{Kind: Flow, Comparator: plan.AtLeast, Target: 1200}
	stock := Spec{Kind: Stock, Comparator: plan.AtLeast, Target: 185, Base: 150}
	cases := []struct {
		name   string
		spec   Spec
		actual float64
		month  int
		tp, c  float64
		status Status
	}{
		// Flow: time progress 6/12 = 0.5.
		{"flow equal to time progress is on track", flow, 600, 6, 0.5, 0.5, OnTrack},
		{"flow just under time progress is at risk", flow, 599, 6, 0.5, 599.0 / 1200, AtRisk},
		{"flow exactly 10 points under is at risk", flow, 480, 6, 0.5, 0.4, AtRisk},
		{"flow just past 10 points under is behind", flow, 479, 6, 0.5, 479.0 / 1200, Behind},
		{"flow reaching the target is met", flow, 1200, 6, 0.5, 1, Met},
		{"flow at year end short of target is behind", flow, 1000, 12, 1, 1000.0 / 1200, Behind},
		{"month 0 expects nothing", flow, 0, 0, 0, 0, OnTrack},
		{"month past 12 is year end", flow, 1100, 14, 1, 1100.0 / 1200, AtRisk},
		// 突破 1200: strictly greater.
		{"突破: equal is not met", Spec{Kind: Flow, Comparator: plan.MoreThan, Target: 1200}, 1200, 12, 1, 1, OnTrack},
		{"突破: one more is met", Spec{Kind: Flow, Comparator: plan.MoreThan, Target: 1200}, 1201, 12, 1, 1201.0 / 1200, Met},
		// 左右 100: 90..110 is met.
		{"左右: 90 is met", Spec{Kind: Flow, Comparator: plan.About, Target: 100}, 90, 12, 1, 0.9, Met},
		{"左右: 110 is met", Spec{Kind: Flow, Comparator: plan.About, Target: 100}, 110, 12, 1, 1.1, Met},
		{"左右: 89 at year end is behind", Spec{Kind: Flow, Comparator: plan.About, Target: 100}, 89, 12, 1, 0.89, Behind},
		{"左右: 111 is not met but ahead", Spec{Kind: Flow, Comparator: plan.About, Target: 100}, 111, 12, 1, 1.11, OnTrack},
		// Stock from 150 to 185: expected at June 150 + 35×6/12 = 167.5,
		// time progress 167.5/185.
		{"stock above the line is on track", stock, 168, 6, 167.5 / 185, 168.0 / 185, OnTrack},
		{"stock at last year's level is at risk", stock, 150, 6, 167.5 / 185, 150.0 / 185, AtRisk},
		{"stock exactly 10 points under the line is at risk", stock, 149, 6, 167.5 / 185, 149.0 / 185, AtRisk},
		{"stock past 10 points under is behind", stock, 148, 6, 167.5 / 185, 148.0 / 185, Behind},
		{"stock at the target is met", stock, 185, 3, (150 + 35*3/12.0) / 185, 1, Met},
		{"stock in January", stock, 152, 1, (150 + 35/12.0) / 185, 152.0 / 185, AtRisk},
		// 新增 50 over a base of 100: judged on growth, like a flow; March 3/12.
		{"increment at time progress", Spec{Kind: Stock, Comparator: plan.AtLeast, Target: 50, Base: 100, Increment: true}, 112.5, 3, 0.25, 0.25, OnTrack},
		{"increment just under", Spec{Kind: Stock, Comparator: plan.AtLeast, Target: 50, Base: 100, Increment: true}, 112, 3, 0.25, 0.24, AtRisk},
		{"increment met", Spec{Kind: Stock, Comparator: plan.AtLeast, Target: 50, Base: 100, Increment: true}, 150, 3, 0.25, 1, Met},
		// Annual counts restart each year: a flow.
		{"annual count", Spec{Kind: Annual, Comparator: plan.AtLeast, Target: 600, Base: 550}, 300, 6, 0.5, 0.5, OnTrack},
		// Statistics one quarter late: June shows March's data, 3/12.
		{"lagged statistics", Spec{Kind: Flow, Comparator: plan.AtLeast, Target: 100, LagMonths: 3}, 25, 6, 0.25, 0.25, OnTrack},
		{"lag longer than the months passed", Spec{Kind: Flow, Comparator: plan.AtLeast, Target: 100, LagMonths: 3}, 0, 2, 0, 0, OnTrack},
		// A ceiling of 100: June allows 50, at risk to 60.
		{"ceiling within the share", Spec{Kind: Flow, Comparator: plan.AtMost, Target: 100}, 50, 6, 0.5, 0.5, OnTrack},
		{"ceiling 10 points over the share", Spec{Kind: Flow, Comparator: plan.AtMost, Target: 100}, 60, 6, 0.5, 0.6, AtRisk},
		{"ceiling past 10 points over", Spec{Kind: Flow, Comparator: plan.AtMost, Target: 100}, 61, 6, 0.5, 0.61, Behind},
		{"ceiling kept at year end is met", Spec{Kind: Flow, Comparator: plan.AtMost, Target: 100}, 100, 12, 1, 1, Met},
		{"ceiling broken at year end", Spec{Kind: Flow, Comparator: plan.AtMost, Target: 100}, 101, 12, 1, 1.01, AtRisk},
		// Money in yuan: 15.3亿元 target, 7.65亿元 by June is on track.
		{"money in yuan", Spec{Kind: Flow, Comparator: plan.AtLeast, Target: 1530000000}, 765000000, 6, 0.5, 0.5, OnTrack},
		// 0.1 + 0.2 is not 0.3 in binary: the boundary must still hold.
		{"binary rounding at the boundary", Spec{Kind: Flow, Comparator: plan.AtLeast, Target: 1}, 0.1 + 0.2 + 0.2, 6, 0.5, 0.5, OnTrack},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.spec.Validate(); err != nil {
				t.Fatal(err)
			}
			j := c.spec.Judge(c.actual, c.month)
			if !near(j.TimeProgress, c.tp) {
				t.Errorf("time progress %v, want %v", j.TimeProgress, c.tp)
			}
			if !near(j.Completion, c.c) {
				t.Errorf("completion %v, want %v", j.Completion, c.c)
			}
			if j.Status != c.status {
				t.Errorf("status %s, want %s", j.Status, c.status)
			}
		})
	}
}

func TestZeroTarget(t *testing.T) {
	s := Spec{Kind: Flow, Comparator: plan.AtLeast, Target: 0}
	if _, ok := s.Completion(5); ok {
		t.Fatal("a zero target has a completion")
	}
	if got := s.Judge(0, 6).Status; got != Met {
		t.Fatalf("0 >= 0: status %s, want met", got)
	}
	s.Comparator = plan.MoreThan
	if got := s.Judge(0, 6).Status; got != Behind {
		t.Fatalf("0 > 0 with no completion: status %s, want behind", got)
	}
}

func TestValidate(t *testing.T) {
	good := Spec{Kind: Stock, Comparator: plan.AtLeast, Target: 10}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := []Spec{
		{Kind: "level", Comparator: plan.AtLeast},
		{Kind: Flow, Comparator: "=="},
		{Kind: Flow, Comparator: plan.AtLeast, LagMonths: 12},
		{Kind: Flow, Comparator: plan.AtLeast, LagMonths: -1},
		{Kind: Flow, Comparator: plan.AtLeast, Target: math.NaN()},
		{Kind: Flow, Comparator: plan.AtLeast, Base: math.Inf(1)},
	}
	for _, s := range bad {
		if s.Validate() == nil {
			t.Errorf("%+v accepted", s)
		}
	}
}

func TestAggregate(t *testing.T) {
	vals := []float64{1, 2, 6}
	for _, c := range []struct {
		a    Aggregation
		want float64
	}{{Sum, 9}, {Max, 6}, {Avg, 3}, {"", 9}} {
		got, ok := Aggregate(c.a, vals)
		if !ok || got != c.want {
			t.Errorf("%q: %v %v, want %v", c.a, got, ok, c.want)
		}
	}
	if _, ok := Aggregate(Sum, nil); ok {
		t.Error("no units aggregated to a value")
	}
}

func TestAllocationGap(t *testing.T) {
	if got := AllocationGap(185, []float64{30, 40, 50, 60}); got != -5 {
		t.Errorf("short allocation: gap %v, want -5", got)
	}
	if got := AllocationGap(185, []float64{100, 90}); got != 5 {
		t.Errorf("over allocation: gap %v, want 5", got)
	}
	if got := AllocationGap(0.3, []float64{0.1, 0.2}); got != 0 {
		t.Errorf("exact allocation in binary: gap %v, want 0", got)
	}
}

func TestScore(t *testing.T) {
	r := ScoreRule{Weight: 10, BonusRate: 0.5, BonusCap: 0.2}
	cases := []struct {
		c, want float64
	}{
		{0.8, 8},      // linear below 100 %
		{1, 10},       // full marks
		{1.1, 10.5},   // 10 points over: 10 × 0.1 × 0.5
		{1.4, 12},     // 10 × 0.4 × 0.5 = 2, at the cap
		{2, 12},       // capped at 20 % of 10
		{-0.1, 0},     // nothing for a negative completion
		{0.333, 3.33}, // rounded to two decimals
		{math.NaN(), 0},
	}
	for _, c := range cases {
		if got := r.Score(c.c); got != c.want {
			t.Errorf("Score(%v) = %v, want %v", c.c, got, c.want)
		}
	}
	if got := DefaultScoreRule(10).Score(1.5); got != 10 {
		t.Errorf("no bonus rule: %v, want 10", got)
	}
}
