package indicator

import (
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/plan"
)

func val(ind, unit int64, y, m int, v float64, src string) Value {
	return Value{IndicatorID: ind, UnitID: unit, Period: Period{y, m}, Value: v, Source: src,
		AsOf: Period{y, m}.String() + "-28", EnteredBy: "staff"}
}

// The example is worked by hand: June 2023, time progress 0.5.
func TestBuild(t *testing.T) {
	units := map[int64]UnitRef{1: {1, "市", 0}, 2: {2, "甲县", 1}, 3: {3, "乙区", 2}, 4: {4, "丙园区", 3}}
	contracts := Indicator{ID: 10, Name: "技术合同认定登记额", Unit: "元",
		Spec: Spec{Kind: Flow, Comparator: plan.MoreThan, Target: 1200}, Aggregation: Sum}
	hte := Indicator{ID: 20, Name: "国家高新技术企业", Unit: "家",
		Spec: Spec{Kind: Stock, Comparator: plan.AtLeast, Target: 185, Base: 150}, HasBase: true, Aggregation: Sum}
	in := Input{
		Period: Period{2023, 6}, CityUnitID: 1, Units: units,
		Indicators:  []Indicator{contracts, hte},
		Allocations: []Allocation{{IndicatorID: 10, UnitID: 2, Target: 700}, {IndicatorID: 10, UnitID: 3, Target: 400}},
		Values: []Value{
			val(10, 2, 2023, 3, 300, SourceReport),
			val(10, 2, 2023, 5, 340, SourceReport),
			val(10, 2, 2023, 7, 999, SourceReport),  // after the period
			val(10, 2, 2022, 12, 888, SourceReport), // last year
			val(10, 3, 2023, 6, 100, SourceReport),
			val(10, 4, 2023, 6, 50, SourceManual),
			val(20, 1, 2023, 6, 170, SourceManual),
			val(20, 2, 2023, 6, 100, SourceRegistry),
		},
	}
	d := Build(in)
	if d.Period != "2023-06" || d.TimeProgress != 0.5 {
		t.Fatalf("period %s %v", d.Period, d.TimeProgress)
	}
	if len(d.Cards) != 2 {
		t.Fatalf("%d cards", len(d.Cards))
	}
	c := d.Cards[0]
	// City: no city row, so 340 + 100 + 50 = 490; 490/1200 is 9.2 points
	// under 0.5: at risk.
	if c.City.Actual == nil || *c.City.Actual != 490 {
		t.Fatalf("city actual %v, want 490", c.City.Actual)
	}
	if !near(*c.City.Completion, 490.0/1200) || c.City.Status != AtRisk {
		t.Errorf("city completion %v status %s", *c.City.Completion, c.City.Status)
	}
	if p := c.City.Provenance; p.Source != "sum" || p.UnitCount != 3 || p.Period != "2023-06" {
		t.Errorf("city provenance %+v", p)
	}
	if !c.Allocated || c.AllocationGap != -100 {
		t.Errorf("allocation gap %v (allocated %v), want -100", c.AllocationGap, c.Allocated)
	}
	if len(c.Units) != 3 {
		t.Fatalf("%d unit rows, want 3", len(c.Units))
	}
	u2, u3, u4 := c.Units[0], c.Units[1], c.Units[2]
	if u2.UnitName != "甲县" || *u2.Actual != 340 || u2.Target != 700 || u2.Status != AtRisk || u2.Provenance.Period != "2023-05" {
		t.Errorf("甲县 carries May's 340 against 700: %+v %v", u2, *u2.Actual)
	}
	if *u3.Actual != 100 || u3.Status != Behind {
		t.Errorf("乙区 100 of 400 is behind: %+v", u3)
	}
	if *u4.Actual != 50 || u4.Status != "" || u4.Completion != nil || u4.Provenance.Source != SourceManual {
		t.Errorf("丙园区 has no share: no status, %+v", u4)
	}
	wantTrend := []float64{-1, -1, 300, 300, 340, 490}
	for i, p := range c.Trend {
		got := -1.0
		if p.Actual != nil {
			got = *p.Actual
		}
		if got != wantTrend[i] || !near(p.Expected, 100*float64(i+1)) {
			t.Errorf("trend %s: %v expected %v", p.Period, got, p.Expected)
		}
	}
	// The stock: the city's own 170 against the line at 167.5, on track; the
	// county's registry figure does not replace it.
	h := d.Cards[1]
	if *h.City.Actual != 170 || h.City.Status != OnTrack || h.City.Provenance.Source != SourceManual || h.City.Provenance.EnteredBy != "staff" {
		t.Errorf("stock city figure %+v", h.City)
	}
	if !near(h.City.TimeProgress, 167.5/185) {
		t.Errorf("stock time progress %v", h.City.TimeProgress)
	}
	if h.Allocated {
		t.Error("an indicator with no shares is allocated")
	}
	// 滞后清单: behind first, then at risk by distance.
	want := []struct {
		unit   int64
		status Status
	}{{3, Behind}, {1, AtRisk}, {2, AtRisk}}
	if len(d.Behind) != len(want) {
		t.Fatalf("behind list %+v", d.Behind)
	}
	for i, w := range want {
		if d.Behind[i].UnitID != w.unit || d.Behind[i].Status != w.status {
			t.Errorf("behind[%d] = %+v, want unit %d %s", i, d.Behind[i], w.unit, w.status)
		}
	}
}

func TestBuildNoValues(t *testing.T) {
	ind := Indicator{ID: 1, Name: "x", Spec: Spec{Kind: Flow, Comparator: plan.AtLeast, Target: 10}}
	d := Build(Input{Period: Period{2023, 1}, CityUnitID: 1, Indicators: []Indicator{ind}})
	c := d.Cards[0]
	if c.City.Actual != nil || c.City.Status != "" || len(c.Units) != 0 || len(d.Behind) != 0 {
		t.Fatalf("no values: %+v", c)
	}
}

func TestBuildAggregations(t *testing.T) {
	ind := Indicator{ID: 1, Spec: Spec{Kind: Stock, Comparator: plan.AtLeast, Target: 100}, Aggregation: Max}
	in := Input{Period: Period{2023, 12}, CityUnitID: 1, Indicators: []Indicator{ind},
		Values: []Value{val(1, 2, 2023, 12, 40, SourceReport), val(1, 3, 2023, 11, 90, SourceReport)}}
	if got := *Build(in).Cards[0].City.Actual; got != 90 {
		t.Errorf("max: %v, want 90", got)
	}
	in.Indicators[0].Aggregation = Avg
	if got := *Build(in).Cards[0].City.Actual; got != 65 {
		t.Errorf("avg: %v, want 65", got)
	}
}

func TestParsePeriod(t *testing.T) {
	p, err := ParsePeriod("2023-06")
	if err != nil || p != (Period{2023, 6}) || p.String() != "2023-06" {
		t.Fatalf("%v %v", p, err)
	}
	for _, bad := range []string{"", "2023-6", "2023-13", "2023-00", "23-06-01", "abcd-ef", "1999-01"} {
		if _, err := ParsePeriod(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if !(Period{2022, 12}).Before(Period{2023, 1}) || (Period{2023, 2}).Before(Period{2023, 2}) {
		t.Error("Before")
	}
}

func TestGuessKind(t *testing.T) {
	cases := []struct {
		name, unit string
		inc        bool
		kind       Kind
		lag        int
	}{
		{"国家高新技术企业", "家", false, Stock, 0},
		{"入库备案国家科技型中小企业", "家", false, Annual, 0},
		{"全社会研发投入", "元", false, Flow, 3},
		{"技术合同认定登记额", "元", false, Flow, 0},
		{"高新技术产业营业收入", "元", false, Flow, 1},
		{"省级以上创新平台", "个", true, Stock, 0},
		{"农业科技项目", "项", false, Flow, 0},
		{"研发经费投入强度", "%", false, Stock, 3},
	}
	for _, c := range cases {
		if got := GuessKind(c.name, c.unit, c.inc); got != c.kind {
			t.Errorf("GuessKind(%s) = %s, want %s", c.name, got, c.kind)
		}
		if got := GuessLag(c.name); got != c.lag {
			t.Errorf("GuessLag(%s) = %d, want %d", c.name, got, c.lag)
		}
	}
}

func TestSettingsAndValidation(t *testing.T) {
	ind := Indicator{Spec: Spec{Kind: Flow}, Aggregation: Sum}
	k, lag, agg, base := Stock, 2, Max, 150.0
	if err := (Settings{Kind: &k, LagMonths: &lag, Aggregation: &agg, Base: &base}).Apply(&ind); err != nil {
		t.Fatal(err)
	}
	if ind.Kind != Stock || ind.LagMonths != 2 || ind.Aggregation != Max || !ind.HasBase || ind.Base != 150 {
		t.Fatalf("%+v", ind)
	}
	badKind, badLag, badAgg := Kind("x"), 12, Aggregation("median")
	err := (Settings{Kind: &badKind, LagMonths: &badLag, Aggregation: &badAgg}).Apply(&ind)
	if e := asFields(err); len(e) != 3 {
		t.Fatalf("want 3 field errors, got %v", err)
	}
	if (Settings{ClearBase: true}).Apply(&ind); ind.HasBase {
		t.Error("base not cleared")
	}
	if err := (&Allocation{UnitID: 0, Target: -1}).Validate(); len(asFields(err)) != 2 {
		t.Errorf("allocation: %v", err)
	}
	if err := (&Value{Value: 1, Source: "guess", Period: Period{2023, 0}}).Validate(); len(asFields(err)) != 2 {
		t.Errorf("value: %v", err)
	}
}

func asFields(err error) map[string]string {
	if e := apperr.As(err); e != nil {
		return e.Fields
	}
	return nil
}

func TestDefaultPeriod(t *testing.T) {
	now := time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		year   int
		latest Period
		has    bool
		want   Period
	}{
		{2023, Period{2023, 7}, true, Period{2023, 7}},  // the latest month with data
		{2023, Period{}, false, Period{2023, 12}},       // a past year: December
		{2026, Period{}, false, Period{2026, 2}},        // this year: last month
		{2027, Period{}, false, Period{2027, 1}},        // a future year: January
		{2026, Period{2025, 12}, true, Period{2026, 2}}, // data of another year do not count
	}
	for _, c := range cases {
		if got := DefaultPeriod(c.year, c.latest, c.has, now); got != c.want {
			t.Errorf("DefaultPeriod(%d, %v, %v) = %v, want %v", c.year, c.latest, c.has, got, c.want)
		}
	}
	if got := DefaultPeriod(2026, Period{}, false, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)); got != (Period{2026, 1}) {
		t.Errorf("January: %v", got)
	}
}

// Statistics one quarter late: in June the dashboard shows March's figure,
// judged against March's time progress, even when later months are known.
func TestBuildLaggedIndicator(t *testing.T) {
	ind := Indicator{ID: 1, Spec: Spec{Kind: Flow, Comparator: plan.AtLeast, Target: 1200, LagMonths: 3}, Aggregation: Sum}
	in := Input{Period: Period{2023, 6}, CityUnitID: 1, Indicators: []Indicator{ind},
		Values: []Value{val(1, 2, 2023, 3, 250, SourceReport), val(1, 2, 2023, 5, 500, SourceReport)}}
	c := Build(in).Cards[0]
	if *c.City.Actual != 250 || !near(c.City.TimeProgress, 0.25) || c.City.Status != AtRisk || c.City.Provenance.Period != "2023-03" {
		t.Fatalf("lagged: %+v actual %v", c.City, *c.City.Actual)
	}
	if c.Trend[5].Actual == nil || *c.Trend[5].Actual != 250 || c.Trend[1].Actual != nil {
		t.Fatalf("lagged trend: %+v", c.Trend)
	}
}
