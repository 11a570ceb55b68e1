package registry

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/luoshi/luoshi/internal/apperr"
)

// DefaultMaxFileSize is the largest import file accepted unless configured
// otherwise (serve --import-max-mb).
const DefaultMaxFileSize = 20 << 20

// MaxRows is the most data rows one import may hold.
const MaxRows = 100000

// Table is a sheet as read: the header row and the data rows, each with
// its line (the sheet's row number, or the CSV line).
type Table struct {
	Headers []string
	Rows    []TableRow
}

// TableRow is one data row.
type TableRow struct {
	Line  int
	Cells []string
	// Long marks the columns (0-based) whose cell is a number of 12 or
	// more digits: a code typed into a number cell, which Excel keeps to
	// 15 significant digits only (.xlsx only).
	Long map[int]bool
}

// MsgTooLarge is the message for a file over the limit.
func MsgTooLarge(limit int64) string {
	if limit < 1<<20 {
		return fmt.Sprintf("文件超过 %d KB 上限,请拆分后分批导入", limit>>10)
	}
	return fmt.Sprintf("文件超过 %d MB 上限,请拆分后分批导入", limit>>20)
}

// IsCSV reports whether a file is read as CSV: by its name, or because it
// is not a zip container.
func IsCSV(name string, data []byte) bool {
	n := strings.ToLower(name)
	if strings.HasSuffix(n, ".csv") || strings.HasSuffix(n, ".txt") {
		return true
	}
	return !bytes.HasPrefix(data, []byte("PK"))
}

// ReadTable reads the first data sheet of an .xlsx file, or a CSV file
// (UTF-8 with or without BOM, or GB18030 as Excel saves it on Chinese
// Windows). maxSize 0 means DefaultMaxFileSize. An .xlsx is refused whole
// when its zip container is damaged, declares a size it does not have or
// inflates beyond the limits.
func ReadTable(name string, data []byte, maxSize int64) (*Table, error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxFileSize
	}
	if int64(len(data)) > maxSize {
		return nil, &apperr.Error{Code: apperr.TooLarge, Message: MsgTooLarge(maxSize)}
	}
	if len(data) == 0 {
		return nil, apperr.New(apperr.Invalid, "文件是空的")
	}
	if IsCSV(name, data) {
		return readCSV(data)
	}
	return readXLSX(data)
}

func readXLSX(data []byte) (*Table, error) {
	zr, err := verifyContainer(data)
	if err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 96 << 20, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return nil, &apperr.Error{Code: apperr.Invalid, Message: "无法读取该 Excel 文件,请确认是 .xlsx 格式", Err: err}
	}
	defer f.Close()
	sheet := ""
	for _, s := range f.GetSheetList() {
		if s == InstructionsSheet || s == OptionsSheet {
			continue
		}
		if vis, err := f.GetSheetVisible(s); err == nil && vis {
			sheet = s
			break
		}
	}
	if sheet == "" {
		return nil, apperr.New(apperr.Invalid, "文件中没有数据工作表")
	}
	long, err := longNumberCells(zr, sheet)
	if err != nil {
		return nil, err
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, &apperr.Error{Code: apperr.Invalid, Message: "无法读取工作表“" + sheet + "”", Err: err}
	}
	defer rows.Close()
	t := &Table{}
	line := 0
	for rows.Next() {
		line++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, &apperr.Error{Code: apperr.Invalid, Message: fmt.Sprintf("第%d行无法读取,文件可能已损坏", line), Err: err}
		}
		if err := t.add(line, cells); err != nil {
			return nil, err
		}
		if n := len(t.Rows); n > 0 && t.Rows[n-1].Line == line {
			t.Rows[n-1].Long = long[line]
		}
	}
	if err := rows.Error(); err != nil {
		return nil, &apperr.Error{Code: apperr.Invalid, Message: "工作表读取中断,文件可能已损坏,未导入任何数据", Err: err}
	}
	return t, t.check()
}

// add appends a row: the first non-empty row is the header.
func (t *Table) add(line int, cells []string) error {
	empty := true
	for i, c := range cells {
		cells[i] = strings.TrimSpace(c)
		if cells[i] != "" {
			empty = false
		}
	}
	if empty {
		return nil
	}
	if t.Headers == nil {
		t.Headers = cells
		return nil
	}
	if len(t.Rows) >= MaxRows {
		return &apperr.Error{Code: apperr.TooLarge, Message: fmt.Sprintf("一次最多导入 %d 行,请拆分后分批导入", MaxRows)}
	}
	t.Rows = append(t.Rows, TableRow{Line: line, Cells: cells})
	return nil
}

func (t *Table) check() error {
	if t.Headers == nil {
		return apperr.New(apperr.Invalid, "文件中没有表头行,请使用下载的模板")
	}
	return nil
}

func readCSV(data []byte) (*Table, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil {
			return nil, &apperr.Error{Code: apperr.Invalid, Message: "CSV 文件编码无法识别,请另存为 UTF-8", Err: err}
		}
		data = dec
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	t := &Table{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &apperr.Error{Code: apperr.Invalid, Message: fmt.Sprintf("CSV 文件格式有误:%v", err), Err: err}
		}
		line, _ := r.FieldPos(0)
		if err := t.add(line, rec); err != nil {
			return nil, err
		}
	}
	return t, t.check()
}

// colName returns the spreadsheet letter of a 0-based column.
func colName(i int) string {
	s, _ := excelize.ColumnNumberToName(i + 1)
	return s
}
