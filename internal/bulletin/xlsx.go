package bulletin

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/luoshi/luoshi/internal/i18n"
	"github.com/luoshi/luoshi/internal/indicator"
	"github.com/luoshi/luoshi/internal/period"
)

// Sheet names of the workbook, in order.
const (
	SheetSummary  = "汇总"
	SheetRanking  = "指标排名"
	SheetKeyItems = "重点任务"
	SheetOverdue  = "逾期清单"
	SheetMissing  = "未报送"
)

var statusText = map[indicator.Status]string{
	indicator.Met: "已达标", indicator.OnTrack: "正常推进", indicator.AtRisk: "预警", indicator.Behind: "滞后", "": "暂无数据",
}

// scale says how a figure of unit is written in the workbook: money in 亿元
// (or 万元 when small), counts as they are.
func scale(unit string, target float64) (div float64, label, format string) {
	if unit == "元" {
		if target >= 1e8 {
			return 1e8, "亿元", `0.00`
		}
		return 1e4, "万元", `0.00`
	}
	return 1, unit, `#,##0.##`
}

type book struct {
	f      *excelize.File
	styles map[string]int
	err    error
}

func (b *book) style(key string, s *excelize.Style) int {
	if id, ok := b.styles[key]; ok {
		return id
	}
	id, err := b.f.NewStyle(s)
	if err != nil && b.err == nil {
		b.err = err
	}
	b.styles[key] = id
	return id
}

func (b *book) numFmt(format string) int {
	return b.style("n:"+format, &excelize.Style{CustomNumFmt: &format,
		Border: borders(), Alignment: &excelize.Alignment{Horizontal: "right"}})
}

func (b *book) pct() int {
	f := "0.0%"
	return b.style("pct", &excelize.Style{CustomNumFmt: &f, Border: borders(), Alignment: &excelize.Alignment{Horizontal: "right"}})
}

func (b *book) text() int {
	return b.style("text", &excelize.Style{Border: borders(), Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
}

func (b *book) header() int {
	return b.style("header", &excelize.Style{Font: &excelize.Font{Bold: true}, Border: borders(),
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DCE6F1"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
}

func (b *book) title() int {
	return b.style("title", &excelize.Style{Font: &excelize.Font{Bold: true, Size: 16},
		Alignment: &excelize.Alignment{Horizontal: "center"}})
}

func borders() []excelize.Border {
	var out []excelize.Border
	for _, side := range []string{"left", "right", "top", "bottom"} {
		out = append(out, excelize.Border{Type: side, Color: "999999", Style: 1})
	}
	return out
}

func (b *book) set(sheet string, col, row int, v any, style int) {
	if b.err != nil {
		return
	}
	cell, _ := excelize.CoordinatesToCellName(col, row)
	if err := b.f.SetCellValue(sheet, cell, v); err != nil {
		b.err = err
		return
	}
	if style != 0 {
		if err := b.f.SetCellStyle(sheet, cell, cell, style); err != nil {
			b.err = err
		}
	}
}

func (b *book) headerRow(sheet string, row int, names ...string) {
	for i, n := range names {
		b.set(sheet, i+1, row, n, b.header())
	}
}

func (b *book) widths(sheet string, widths ...float64) {
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := b.f.SetColWidth(sheet, col, col, w); err != nil && b.err == nil {
			b.err = err
		}
	}
}

// WriteXLSX writes the bulletin as a workbook: 汇总, 指标排名, 重点任务,
// 逾期清单, 未报送. Money is in 亿元 (or 万元) with two decimals, completion
// and time progress are percentages, so the cells compute in Excel.
func (bl *Bulletin) WriteXLSX(w io.Writer) error {
	b := &book{f: excelize.NewFile(), styles: map[string]int{}}
	defer b.f.Close()
	if err := b.f.SetSheetName("Sheet1", SheetSummary); err != nil {
		return err
	}
	for _, s := range []string{SheetRanking, SheetKeyItems, SheetOverdue, SheetMissing} {
		if _, err := b.f.NewSheet(s); err != nil {
			return err
		}
	}
	bl.summarySheet(b)
	bl.rankingSheet(b)
	bl.keyItemSheet(b)
	bl.overdueSheet(b)
	bl.missingSheet(b)
	if b.err != nil {
		return fmt.Errorf("bulletin: xlsx: %w", b.err)
	}
	b.f.SetActiveSheet(0)
	if err := b.f.Write(w); err != nil {
		return fmt.Errorf("bulletin: xlsx: %w", err)
	}
	return nil
}

// Heading is the bulletin's title line.
func (bl *Bulletin) Heading() string {
	return fmt.Sprintf("%s落实情况通报(%d年%d月)", strings.TrimSuffix(bl.Title, "。"), bl.Period.Year, bl.Period.Month)
}

func (bl *Bulletin) summarySheet(b *book) {
	s := SheetSummary
	b.widths(s, 30, 16, 16, 12, 12, 12, 44)
	b.set(s, 1, 1, bl.Heading(), b.title())
	if b.err == nil {
		b.err = b.f.MergeCell(s, "A1", "G1")
	}
	b.set(s, 1, 2, fmt.Sprintf("%s · 时序进度 %.1f%% · 生成于 %s", bl.Issuer, bl.TimeProgress*100,
		bl.Issued.In(period.China).Format("2006-01-02 15:04")), 0)
	b.headerRow(s, 4, "指标", "目标值", "完成值", "完成率", "时序进度", "状态", "数据来源")
	row := 5
	for _, c := range bl.Cards {
		div, label, format := scale(c.Unit, c.Target)
		b.set(s, 1, row, fmt.Sprintf("%s(%s)", c.Name, label), b.text())
		b.set(s, 2, row, c.Target/div, b.numFmt(format))
		if c.City.Actual != nil {
			b.set(s, 3, row, *c.City.Actual/div, b.numFmt(format))
		} else {
			b.set(s, 3, row, "—", b.text())
		}
		if c.City.Completion != nil {
			b.set(s, 4, row, *c.City.Completion, b.pct())
		} else {
			b.set(s, 4, row, "—", b.text())
		}
		b.set(s, 5, row, c.City.TimeProgress, b.pct())
		b.set(s, 6, row, statusText[c.City.Status], b.text())
		b.set(s, 7, row, provenance(c.City.Provenance), b.text())
		row++
	}
	row++
	sm := bl.Summary
	for _, kv := range [][2]any{
		{"指标总数", sm.Indicators}, {"已达标", sm.Met}, {"正常推进", sm.OnTrack}, {"预警", sm.AtRisk}, {"滞后", sm.Behind},
		{"暂无数据", sm.NoData}, {"重点任务", sm.KeyItems}, {"重点任务已完成", sm.KeyItemsDone},
		{"有逾期举措的重点任务", sm.KeyItemsOverdue}, {"逾期事项", sm.OverdueMeasures}, {"未报送月报", sm.MissingReports},
	} {
		b.set(s, 1, row, kv[0], b.text())
		b.set(s, 2, row, kv[1], b.numFmt("0"))
		row++
	}
}

// provenance is the figure's source in the catalogue's Chinese, as the page
// shows it.
func provenance(p indicator.Provenance) string {
	return p.Text(func(key string, args ...any) string { return i18n.T(i18n.Default, key, args...) })
}

func (bl *Bulletin) rankingSheet(b *book) {
	s := SheetRanking
	b.widths(s, 30, 8, 18, 16, 16, 12, 12, 12)
	row := 1
	for _, r := range bl.Rankings {
		div, label, format := scale(r.Indicator.Unit, r.Indicator.Target)
		b.set(s, 1, row, fmt.Sprintf("%s(目标 %s)", r.Indicator.Name, r.Indicator.Display), b.header())
		if b.err == nil {
			cell, _ := excelize.CoordinatesToCellName(8, row)
			b.err = b.f.MergeCell(s, "A"+fmt.Sprint(row), cell)
		}
		row++
		b.headerRow(s, row, "指标", "排名", "单位", "分解目标("+label+")", "完成值("+label+")", "完成率", "时序进度", "状态")
		row++
		for _, u := range r.Units {
			b.set(s, 1, row, r.Indicator.Name, b.text())
			if u.Rank > 0 {
				b.set(s, 2, row, u.Rank, b.numFmt("0"))
			} else {
				b.set(s, 2, row, "—", b.text())
			}
			b.set(s, 3, row, u.UnitName, b.text())
			if u.Status != "" {
				b.set(s, 4, row, u.Target/div, b.numFmt(format))
			} else {
				b.set(s, 4, row, "—", b.text())
			}
			if u.HasActual {
				b.set(s, 5, row, u.Actual/div, b.numFmt(format))
			} else {
				b.set(s, 5, row, "未报送", b.text())
			}
			if u.Rank > 0 {
				b.set(s, 6, row, u.Completion, b.pct())
			} else {
				b.set(s, 6, row, "—", b.text())
			}
			b.set(s, 7, row, u.TimeProgress, b.pct())
			b.set(s, 8, row, statusText[u.Status], b.text())
			row++
		}
		row++
	}
}

func (bl *Bulletin) keyItemSheet(b *book) {
	s := SheetKeyItems
	b.widths(s, 6, 40, 20, 12, 12, 60)
	b.headerRow(s, 1, "序号", "重点任务", "牵头单位", "已完成举措", "举措总数", "逾期举措")
	for i, k := range bl.KeyItems {
		row := i + 2
		b.set(s, 1, row, k.No, b.numFmt("0"))
		b.set(s, 2, row, k.Title, b.text())
		b.set(s, 3, row, strings.Join(k.LeadUnits, "、"), b.text())
		b.set(s, 4, row, k.Done, b.numFmt("0"))
		b.set(s, 5, row, k.Total, b.numFmt("0"))
		var late []string
		for _, m := range k.Overdue {
			late = append(late, fmt.Sprintf("%d. %s(应于 %s 完成)", m.No, m.Text, m.Due))
		}
		b.set(s, 6, row, strings.Join(late, "\n"), b.text())
	}
}

func (bl *Bulletin) overdueSheet(b *book) {
	s := SheetOverdue
	b.widths(s, 36, 60, 14, 10, 20)
	b.headerRow(s, 1, "任务", "事项", "应完成日期", "逾期天数", "责任单位")
	for i, o := range bl.Overdue {
		row := i + 2
		b.set(s, 1, row, fmt.Sprintf("%d. %s", o.TaskNo, o.Task), b.text())
		b.set(s, 2, row, o.Text, b.text())
		b.set(s, 3, row, o.Due, b.text())
		b.set(s, 4, row, o.DaysLate, b.numFmt("0"))
		b.set(s, 5, row, strings.Join(o.Units, "、"), b.text())
	}
}

func (bl *Bulletin) missingSheet(b *book) {
	s := SheetMissing
	b.widths(s, 20, 50, 12)
	b.headerRow(s, 1, "单位", "任务", "情况")
	for i, m := range bl.Missing {
		row := i + 2
		b.set(s, 1, row, m.UnitName, b.text())
		b.set(s, 2, row, m.Task, b.text())
		state := "未报送"
		if m.Status == "late" {
			state = "逾期报送"
		}
		b.set(s, 3, row, state, b.text())
	}
}
