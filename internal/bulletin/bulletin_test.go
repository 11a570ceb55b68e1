package bulletin

import (
	"bytes"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/luoshi/luoshi/internal/indicator"
	"github.com/luoshi/luoshi/internal/plan"
)

func f(v float64) *float64 { return &v }

func sample() (*plan.Plan, indicator.Dashboard) {
	p := &plan.Plan{ID: 1, Title: "2023年全县科技工作要点", Issuer: "某县科技局", Year: 2023,
		KeyItems: []plan.Task{
			{ID: 10, No: 1, Title: "建设平台", LeadUnits: []string{"甲县"}, Measures: []plan.Measure{
				{No: 1, Text: "完成方案", Done: true},
				{No: 2, Text: "组织申报", Due: "2023-05-31"},
				{No: 3, Text: "通过验收", Due: "2023-07-31"}, // after June: not overdue
			}},
			{ID: 11, No: 2, Title: "培育企业", Measures: []plan.Measure{{No: 1, Text: "入库", Done: true}}},
		},
		Sections: []plan.Section{{No: 1, Items: []plan.Task{{ID: 20, No: 1, Title: "落实政策", Due: "2023-06-15"}}}},
	}
	money := indicator.Card{Indicator: indicator.Indicator{ID: 1, Name: "技术合同认定登记额", Unit: "元", Display: "12亿元",
		Spec: indicator.Spec{Target: 1.2e9}},
		City: indicator.Figure{Target: 1.2e9, HasTarget: true, Actual: f(4.9e8), Completion: f(4.9e8 / 1.2e9), TimeProgress: 0.5, Status: indicator.AtRisk},
		Units: []indicator.UnitFigure{
			{UnitID: 2, UnitName: "甲县", Figure: indicator.Figure{Target: 7e8, HasTarget: true, Actual: f(3.5e8), Completion: f(0.5), TimeProgress: 0.5, Status: indicator.OnTrack}},
			{UnitID: 3, UnitName: "乙区", Figure: indicator.Figure{Target: 4e8, HasTarget: true, Actual: f(1e8), Completion: f(0.25), TimeProgress: 0.5, Status: indicator.Behind}},
			{UnitID: 4, UnitName: "丙园区", Figure: indicator.Figure{Actual: f(4e7), TimeProgress: 0.5}},
			{UnitID: 5, UnitName: "丁镇", Figure: indicator.Figure{Target: 1e8, HasTarget: true, Actual: f(5e7), Completion: f(0.5), TimeProgress: 0.5, Status: indicator.OnTrack}},
		}}
	count := indicator.Card{Indicator: indicator.Indicator{ID: 2, Name: "高新技术企业", Unit: "家", Spec: indicator.Spec{Target: 100}},
		City: indicator.Figure{Target: 100, HasTarget: true, Actual: f(100), Completion: f(1), TimeProgress: 0.9, Status: indicator.Met}}
	return p, indicator.Dashboard{Period: "2023-06", TimeProgress: 0.5, Cards: []indicator.Card{money, count}}
}

func TestBuild(t *testing.T) {
	p, d := sample()
	now := time.Date(2023, 7, 3, 2, 0, 0, 0, time.UTC)
	b := Build(p, d, indicator.Period{Year: 2023, Month: 6}, []Missing{{UnitName: "乙区", Task: "落实政策", Status: "missing"}}, now)
	want := Summary{Indicators: 2, Met: 1, AtRisk: 1, KeyItems: 2, KeyItemsDone: 1, KeyItemsOverdue: 1, OverdueMeasures: 2, MissingReports: 1}
	if b.Summary != want {
		t.Fatalf("summary %+v, want %+v", b.Summary, want)
	}
	// Ranking: 甲县 and 丁镇 tie at 50 % and share first place in unit
	// order; 乙区 is third; 丙园区 has no share and is not ranked.
	if len(b.Rankings) != 1 {
		t.Fatalf("%d rankings (an indicator with no unit rows has none)", len(b.Rankings))
	}
	var got []string
	var places []int
	for _, u := range b.Rankings[0].Units {
		got = append(got, u.UnitName)
		places = append(places, u.Rank)
	}
	if got[0] != "甲县" || got[1] != "丁镇" || got[2] != "乙区" || got[3] != "丙园区" ||
		places[0] != 1 || places[1] != 1 || places[2] != 3 || places[3] != 0 {
		t.Fatalf("ranking %v %v", got, places)
	}
	// Overdue at the end of June: the measure due 31 May (30 days late)
	// and the work item due 15 June (15 days), latest first.
	if len(b.Overdue) != 2 || b.Overdue[0].Text != "组织申报" || b.Overdue[0].DaysLate != 30 || b.Overdue[1].DaysLate != 15 {
		t.Fatalf("overdue %+v", b.Overdue)
	}
	if b.KeyItems[0].Done != 1 || len(b.KeyItems[0].Overdue) != 1 || b.KeyItems[0].Total != 3 {
		t.Fatalf("key item %+v", b.KeyItems[0])
	}
	if h := b.Heading(); h != "2023年全县科技工作要点落实情况通报(2023年6月)" {
		t.Fatalf("heading %q", h)
	}
}

func TestWriteXLSX(t *testing.T) {
	p, d := sample()
	b := Build(p, d, indicator.Period{Year: 2023, Month: 6}, nil, time.Date(2023, 7, 3, 2, 0, 0, 0, time.UTC))
	var buf bytes.Buffer
	if err := b.WriteXLSX(&buf); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheets := x.GetSheetList()
	if len(sheets) != 5 || sheets[0] != SheetSummary || sheets[4] != SheetMissing {
		t.Fatalf("sheets %v", sheets)
	}
	// Money in 亿元 as numbers, completion as a percentage format.
	if v, _ := x.GetCellValue(SheetSummary, "A5"); v != "技术合同认定登记额(亿元)" {
		t.Errorf("A5 %q", v)
	}
	raw, _ := x.GetCellValue(SheetSummary, "C5", excelize.Options{RawCellValue: true})
	if raw != "4.9" {
		t.Errorf("actual in 亿元: %q, want 4.9", raw)
	}
	if v, _ := x.GetCellValue(SheetSummary, "D5"); v != "40.8%" {
		t.Errorf("completion shown as %q, want 40.8%%", v)
	}
	if v, _ := x.GetCellValue(SheetSummary, "F5"); v != "预警" {
		t.Errorf("status %q", v)
	}
	rows, _ := x.GetRows(SheetRanking)
	if len(rows) < 6 || rows[2][1] != "1" || rows[2][2] != "甲县" || rows[5][2] != "丙园区" || rows[5][4] != "0.40" {
		t.Errorf("ranking rows %q", rows)
	}
	over, _ := x.GetRows(SheetOverdue)
	if len(over) != 3 || over[1][3] != "30" {
		t.Errorf("overdue rows %q", over)
	}
}
