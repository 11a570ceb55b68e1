package audit

import (
	"fmt"
	"io"
	"strconv"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// SheetName is the worksheet of an export.
const SheetName = "审计日志"

var xlsxHeaders = map[string][]string{
	"zh": {"时间", "操作人", "单位", "来源地址", "请求编号", "操作", "对象", "对象编号", "变更前", "变更后", "哈希"},
	"en": {"Time", "Actor", "Unit", "Source address", "Request ID", "Action", "Entity", "Entity ID", "Before", "After", "Hash"},
}

// Column widths in characters, in header order.
var xlsxWidths = []float64{20, 16, 20, 16, 20, 14, 10, 12, 40, 40, 66}

// shanghai is the zone times are shown in. Minimal systems may lack the
// zone database; China has kept +08:00 without daylight saving since 1991.
var shanghai = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*60*60)
}()

// XLSXOptions adjusts an export.
type XLSXOptions struct {
	// Lang "en" gives English headers and action codes; anything else
	// Chinese headers and action labels.
	Lang string
	// UnitNames names the units; a unit missing from it shows its id.
	UnitNames map[int64]string
}

// WriteXLSX writes entries as an .xlsx workbook to w: one sheet with a
// frozen header row and a filterable table, times in Beijing time. lang
// "en" gives English headers and action codes; anything else Chinese
// headers and action labels. Cells are text, so JSON and hashes stay exact.
// Units show as ids; WriteXLSXWith can name them.
func WriteXLSX(w io.Writer, entries []Entry, lang string) error {
	return WriteXLSXWith(w, entries, XLSXOptions{Lang: lang})
}

// WriteXLSXWith is WriteXLSX with options.
func WriteXLSXWith(w io.Writer, entries []Entry, opts XLSXOptions) error {
	lang := opts.Lang
	headers, ok := xlsxHeaders[lang]
	if !ok {
		lang, headers = "zh", xlsxHeaders["zh"]
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetName); err != nil {
		return fmt.Errorf("audit: xlsx: %w", err)
	}
	sw, err := f.NewStreamWriter(SheetName)
	if err != nil {
		return fmt.Errorf("audit: xlsx: %w", err)
	}
	for i, width := range xlsxWidths {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return fmt.Errorf("audit: xlsx: %w", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("audit: xlsx: %w", err)
	}
	row := make([]any, len(headers))
	for i, h := range headers {
		row[i] = h
	}
	if err := sw.SetRow("A1", row); err != nil {
		return fmt.Errorf("audit: xlsx: %w", err)
	}
	for n, e := range entries {
		action := e.Action
		if lang == "zh" {
			action = Label(e.Action)
		}
		unit := ""
		if e.UnitID != 0 {
			unit = opts.UnitNames[e.UnitID]
			if unit == "" {
				unit = strconv.FormatInt(e.UnitID, 10)
			}
		}
		row := []any{
			e.At.In(shanghai).Format("2006-01-02 15:04:05"),
			e.ActorName, unit, e.IP, e.RequestID, action, e.Entity, e.EntityID,
			cellText(string(e.Before)), cellText(string(e.After)), e.Hash,
		}
		cell, _ := excelize.CoordinatesToCellName(1, n+2)
		if err := sw.SetRow(cell, row); err != nil {
			return fmt.Errorf("audit: xlsx: %w", err)
		}
	}
	// A table gives the filter buttons; it needs at least one data row,
	// which AddTable supplies (empty) when there are none.
	last, _ := excelize.CoordinatesToCellName(len(headers), len(entries)+1)
	if err := sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: "AuditLog", StyleName: "TableStyleLight1"}); err != nil {
		return fmt.Errorf("audit: xlsx: %w", err)
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("audit: xlsx: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("audit: xlsx: %w", err)
	}
	return nil
}

// cellText cuts s to what an Excel cell holds (32767 UTF-16 units) and says
// so, rather than letting the library cut it silently; the full value stays
// in the database.
func cellText(s string) string {
	const mark = "…(已截断)"
	if len(s) <= excelize.TotalCellChars {
		return s // UTF-16 never takes more units than UTF-8 takes bytes
	}
	r := []rune(s)
	if len(utf16.Encode(r)) <= excelize.TotalCellChars {
		return s
	}
	units, max := 0, excelize.TotalCellChars-len(utf16.Encode([]rune(mark)))
	for i, c := range r {
		units += utf16.RuneLen(c)
		if units > max {
			return string(r[:i]) + mark
		}
	}
	return s
}
