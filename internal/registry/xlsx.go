package registry

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/luoshi/luoshi/internal/org"
)

// Sheet names of the template.
const (
	InstructionsSheet = "填写说明"
	OptionsSheet      = "选项"
	templateRows      = 2000 // rows the drop-downs and text format cover
)

// textFormat is Excel's built-in number format "@" (text): a USCC typed
// into it keeps all 18 characters.
const textFormat = 49

func (k *Kind) headers() []string {
	out := make([]string, len(k.Fields))
	for i := range k.Fields {
		out[i] = k.Fields[i].Header()
	}
	return out
}

func widthOf(f Field) float64 {
	switch f.Type {
	case USCC:
		return 22
	case Date, Money, Int:
		return 14
	case UnitRef, Enum:
		return 16
	}
	if f.MaxLen >= 100 {
		return 30
	}
	return 18
}

// WriteTemplate writes the kind's import template: a data sheet with the
// Chinese header row, drop-down lists for enumerations and units, text
// format for USCC columns, and an instructions sheet.
func (k *Kind) WriteTemplate(w io.Writer, opts Options, units []org.Unit) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := k.Title
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#E8EEF7"}}})
	text, _ := f.NewStyle(&excelize.Style{NumFmt: textFormat})
	// Options sheet: one column per list, hidden.
	if _, err := f.NewSheet(OptionsSheet); err != nil {
		return err
	}
	optCol := 0
	for i, fd := range k.Fields {
		col := colName(i)
		f.SetColWidth(sheet, col, col, widthOf(fd))
		cell := col + "1"
		f.SetCellValue(sheet, cell, fd.Header())
		f.SetCellStyle(sheet, cell, cell, head)
		if fd.Type == USCC || fd.Type == Text {
			f.SetCellStyle(sheet, col+"2", fmt.Sprintf("%s%d", col, templateRows+1), text)
		}
		var list []string
		switch fd.Type {
		case Enum:
			list = opts.ChoicesOf(&fd)
		case UnitRef:
			for _, u := range units {
				if u.Kind != org.Bureau && u.Kind != org.Section {
					list = append(list, u.Name)
				}
			}
		}
		if len(list) == 0 {
			continue
		}
		oc := colName(optCol)
		optCol++
		f.SetCellValue(OptionsSheet, oc+"1", fd.Label)
		for j, v := range list {
			f.SetCellValue(OptionsSheet, fmt.Sprintf("%s%d", oc, j+2), v)
		}
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(fmt.Sprintf("%s2:%s%d", col, col, templateRows+1))
		dv.SetSqrefDropList(fmt.Sprintf("'%s'!$%s$2:$%s$%d", OptionsSheet, oc, oc, len(list)+1))
		dv.SetError(excelize.DataValidationErrorStyleStop, fd.Label, "请从下拉列表中选择")
		if err := f.AddDataValidation(sheet, dv); err != nil {
			return err
		}
	}
	f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	f.SetSheetVisible(OptionsSheet, false)

	// Instructions.
	if _, err := f.NewSheet(InstructionsSheet); err != nil {
		return err
	}
	is := InstructionsSheet
	f.SetColWidth(is, "A", "A", 26)
	f.SetColWidth(is, "B", "B", 8)
	f.SetColWidth(is, "C", "C", 70)
	lines := [][]any{
		{k.Title + "导入模板 · 填写说明"},
		{"1. 在“" + sheet + "”工作表第2行起每行填写一条记录,不要修改表头;带 * 的列必填。"},
		{"2. 导入时逐行校验,有任何一行出错则整个文件不导入(可在预览页选择“仅导入无误的行”),并列出出错的行号、列和原因,可下载错误报告。"},
		{"3. " + strings.Join(k.naturalLabels(), "、") + "相同的记录视为同一条:再次导入会更新该记录,内容相同则不变。"},
		{"4. 金额以元为单位填写整数;表头改为“(万元)”时按万元填写,最多4位小数。日期写作 2023-03-15。"},
		{"5. 统一社会信用代码须为文本格式,否则 Excel 会把18位数字变成 9.15109E+17 而丢失末几位。"},
		{},
		{"列", "必填", "说明"},
	}
	for _, fd := range k.Fields {
		req := ""
		if fd.Required {
			req = "是"
		}
		lines = append(lines, []any{fd.Header(), req, fd.describe(opts)})
	}
	for i, l := range lines {
		f.SetSheetRow(is, fmt.Sprintf("A%d", i+1), &l)
	}
	f.SetCellStyle(is, "A1", "A1", head)
	f.SetCellStyle(is, "A8", "C8", head)
	f.SetActiveSheet(0)
	_, err := f.WriteTo(w)
	return err
}

func (k *Kind) naturalLabels() []string {
	var out []string
	for _, n := range k.Naturals() {
		out = append(out, k.Field(n).Label)
	}
	return out
}

// describe says how to fill a field, for the instructions sheet.
func (f *Field) describe(opts Options) string {
	var s string
	switch f.Type {
	case USCC:
		s = "18位统一社会信用代码(文本格式)"
	case Enum:
		s = "从下拉列表选择:" + strings.Join(opts.ChoicesOf(f), "、")
	case List:
		s = "可多选,用顿号分隔:" + strings.Join(opts.ChoicesOf(f), "、")
	case Date:
		s = "日期,如 2023-03-15"
	case Money:
		s = "金额(元,整数)"
	case Int:
		s = "整数"
	case UnitRef:
		s = "单位名称(从下拉列表选择)或行政区划代码"
	default:
		s = "文字"
		if f.MaxLen > 0 {
			s += fmt.Sprintf(",不超过%d字", f.MaxLen)
		}
	}
	if f.Help != "" {
		s += ";" + f.Help
	}
	return s
}

// cell returns a record's value as an export cell: numbers for money and
// integers (exact: integer yuan), text for the rest.
func (f *Field) cell(v string) any {
	if v == "" {
		return nil
	}
	if f.Type == Money || f.Type == Int {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	return v
}

// WriteXLSX exports records with the template's header row, so that the
// file imports again unchanged. It streams: memory stays flat for large
// lists.
func (k *Kind) WriteXLSX(w io.Writer, recs []Record) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := k.Title
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	text, _ := f.NewStyle(&excelize.Style{NumFmt: textFormat})
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, fd := range k.Fields {
		if err := sw.SetColWidth(i+1, i+1, widthOf(fd)); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	row := make([]any, len(k.Fields))
	for i, h := range k.headers() {
		row[i] = excelize.Cell{StyleID: head, Value: h}
	}
	if err := sw.SetRow("A1", row); err != nil {
		return err
	}
	for n, r := range recs {
		for i := range k.Fields {
			fd := &k.Fields[i]
			c := excelize.Cell{Value: fd.cell(r.Values[fd.Key])}
			if fd.Type == USCC || fd.Type == Text {
				c.StyleID = text
			}
			row[i] = c
		}
		if err := sw.SetRow(fmt.Sprintf("A%d", n+2), row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// WriteCSV exports records as CSV (UTF-8 with a BOM, so Excel opens it in
// Chinese), with the template's headers.
func (k *Kind) WriteCSV(w io.Writer, recs []Record) error {
	if _, err := io.WriteString(w, "\xef\xbb\xbf"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(k.headers()); err != nil {
		return err
	}
	row := make([]string, len(k.Fields))
	for _, r := range recs {
		for i, fd := range k.Fields {
			row[i] = r.Values[fd.Key]
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteErrors writes a batch's error report: one line per problem with the
// row, column, value and reason.
func (b *Batch) WriteErrors(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "错误报告"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	widths := []float64{8, 26, 30, 70}
	for i, wd := range widths {
		sw.SetColWidth(i+1, i+1, wd)
	}
	hdr := []any{}
	for _, h := range []string{"行号", "列", "值", "原因"} {
		hdr = append(hdr, excelize.Cell{StyleID: head, Value: h})
	}
	if err := sw.SetRow("A1", hdr); err != nil {
		return err
	}
	for i, e := range b.Errors() {
		if err := sw.SetRow(fmt.Sprintf("A%d", i+2), []any{e.Row, e.Column, e.Value, e.Reason}); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
