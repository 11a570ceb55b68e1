package assess

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// WriteXLSX writes the scores (考核得分: rank, unit, score, points of each
// item) and the weights (考核权重) as a workbook.
func (a *Assessment) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	const scores, weights = "考核得分", "考核权重"
	if err := f.SetSheetName("Sheet1", scores); err != nil {
		return err
	}
	if _, err := f.NewSheet(weights); err != nil {
		return err
	}
	var err error
	set := func(sheet string, col, row int, v any) {
		if err != nil {
			return
		}
		cell, _ := excelize.CoordinatesToCellName(col, row)
		err = f.SetCellValue(sheet, cell, v)
	}
	set(scores, 1, 1, fmt.Sprintf("%s 年度考核得分(截至 %s)", a.Plan.Title, a.Period))
	header := []string{"名次", "单位", "得分(百分制)", "得分", "应得分"}
	items := a.Weights
	for _, it := range items {
		header = append(header, Label(it.Item, a.Cards))
	}
	for i, h := range header {
		set(scores, i+1, 2, h)
	}
	for r, s := range a.Scores {
		row := r + 3
		set(scores, 1, row, s.Rank)
		set(scores, 2, row, s.UnitName)
		set(scores, 3, row, s.Score)
		set(scores, 4, row, s.Points)
		set(scores, 5, row, s.Possible)
		for i, it := range items {
			for _, p := range s.Parts {
				if p.Item == it.Item {
					set(scores, 6+i, row, p.Points)
				}
			}
		}
	}
	for i, h := range []string{"考核项", "权重", "加分系数", "加分上限(占权重比例)"} {
		set(weights, i+1, 1, h)
	}
	for r, it := range items {
		set(weights, 1, r+2, Label(it.Item, a.Cards))
		set(weights, 2, r+2, it.Weight)
		set(weights, 3, r+2, it.BonusRate)
		set(weights, 4, r+2, it.BonusCap)
	}
	if err == nil {
		err = f.SetColWidth(scores, "B", "B", 16)
	}
	if err != nil {
		return fmt.Errorf("assess: xlsx: %w", err)
	}
	return f.Write(w)
}
