package registry

import (
	"fmt"
	"strings"

	"github.com/luoshi/luoshi/internal/apperr"
)

// RowError is one reason a row is refused: its line in the file, the
// column (letter and header), the value found and why it is wrong.
type RowError struct {
	Row    int    `json:"row"`
	Column string `json:"column"`
	Value  string `json:"value"`
	Reason string `json:"reason"`
}

func (e RowError) String() string {
	return fmt.Sprintf("行号 %d, 列 %s, 值 “%s”: %s", e.Row, e.Column, e.Value, e.Reason)
}

// Row is one data row of an import, valid when it has no errors.
type Row struct {
	Line   int
	Record Record
	Errors []RowError
}

// Batch is an import checked row by row; nothing is written yet.
type Batch struct {
	Kind *Kind
	// Read is the number of data rows read from the file; every one is
	// either accepted or rejected.
	Read int
	Rows []Row
	// Columns are the file's columns, in file order, for the error report.
	Columns []Column
}

// Column is a file column mapped to a field.
type Column struct {
	Index  int
	Letter string
	Header string
	Field  *Field
}

// Accepted returns the valid rows.
func (b *Batch) Accepted() []Row {
	var out []Row
	for _, r := range b.Rows {
		if len(r.Errors) == 0 {
			out = append(out, r)
		}
	}
	return out
}

// Rejected returns how many rows have errors.
func (b *Batch) Rejected() int {
	n := 0
	for _, r := range b.Rows {
		if len(r.Errors) > 0 {
			n++
		}
	}
	return n
}

// Errors lists every row error in row order.
func (b *Batch) Errors() []RowError {
	var out []RowError
	for _, r := range b.Rows {
		out = append(out, r.Errors...)
	}
	return out
}

// Reject adds an error found later (by the store: a record of another
// unit) to the row at line.
func (b *Batch) Reject(line int, field, value, reason string) {
	for i := range b.Rows {
		if b.Rows[i].Line == line {
			b.Rows[i].Errors = append(b.Rows[i].Errors, RowError{Row: line, Column: b.columnOf(field), Value: value, Reason: reason})
			return
		}
	}
}

func (b *Batch) columnOf(key string) string {
	for _, c := range b.Columns {
		if c.Field != nil && c.Field.Key == key {
			return c.Letter + " " + c.Header
		}
	}
	if f := b.Kind.Field(key); f != nil {
		return f.Label
	}
	return key
}

// checkCount asserts that every row read was accepted or rejected.
func (b *Batch) checkCount() error {
	acc, rej := len(b.Accepted()), b.Rejected()
	if acc+rej != b.Read {
		return fmt.Errorf("registry: import counted %d rows read but %d accepted + %d rejected", b.Read, acc, rej)
	}
	return nil
}

// normHeader folds a header as typed: no spaces or *, half-width brackets.
func normHeader(h string) string {
	h = strings.NewReplacer("(", "(", ")", ")", "*", "", "*", "", " ", "", "\u3000", "", "\n", "").Replace(h)
	return strings.TrimSpace(h)
}

// MapColumns maps a header row to the kind's fields and the scale of each
// money column. Money headers must say their unit: 合同成交额(元) or
// 合同成交额(万元). An unknown header, a header twice, a missing required
// column or a money column without its unit refuses the file.
func (k *Kind) MapColumns(headers []string) ([]Column, map[string]MoneyScale, error) {
	var cols []Column
	scales := map[string]MoneyScale{}
	seen := map[string]string{}
	var problems []string
	for i, h := range headers {
		n := normHeader(h)
		if n == "" {
			continue
		}
		var field *Field
		for j := range k.Fields {
			f := &k.Fields[j]
			switch {
			case f.Type == Money && n == f.Label+"(元)":
				field, scales[f.Key] = f, Yuan
			case f.Type == Money && n == f.Label+"(万元)":
				field, scales[f.Key] = f, TenKYuan
			case f.Type == Money && n == f.Label:
				problems = append(problems, fmt.Sprintf("列 %s“%s”须在表头注明金额单位:%s(元) 或 %s(万元)", colName(i), h, f.Label, f.Label))
				field = f
			case f.Type != Money && n == f.Label:
				field = f
			}
			if field != nil {
				break
			}
		}
		if field == nil {
			problems = append(problems, fmt.Sprintf("列 %s“%s”不是%s模板中的列", colName(i), h, k.Title))
			continue
		}
		if prev, dup := seen[field.Key]; dup {
			problems = append(problems, fmt.Sprintf("列 %s 与列 %s 重复(%s)", colName(i), prev, field.Label))
			continue
		}
		seen[field.Key] = colName(i)
		cols = append(cols, Column{Index: i, Letter: colName(i), Header: strings.TrimSpace(h), Field: field})
	}
	for _, f := range k.Fields {
		if _, ok := seen[f.Key]; !ok && f.Required {
			problems = append(problems, fmt.Sprintf("缺少必填列“%s”", f.Header()))
		}
	}
	if len(problems) > 0 {
		return nil, nil, &apperr.Error{Code: apperr.Invalid,
			Message: "表头与" + k.Title + "模板不符,请使用下载的模板:" + strings.Join(problems, ";")}
	}
	return cols, scales, nil
}

// Prepare checks every row of t: each field, the rules between fields and
// duplicates of the natural key within the file. Nothing is written. The
// error is for the file as a whole (a header that does not fit); row
// problems are in the batch.
func (k *Kind) Prepare(t *Table, env *Env) (*Batch, error) {
	cols, scales, err := k.MapColumns(t.Headers)
	if err != nil {
		return nil, err
	}
	e := *env
	e.Scales = scales
	b := &Batch{Kind: k, Read: len(t.Rows), Columns: cols}
	firstLine := map[string]int{}
	present := map[string]bool{}
	for _, c := range cols {
		present[c.Field.Key] = true
	}
	for _, tr := range t.Rows {
		raw := map[string]string{}
		for _, c := range cols {
			if c.Index < len(tr.Cells) {
				raw[c.Field.Key] = tr.Cells[c.Index]
			}
		}
		rec, errs := k.Parse(raw, &e)
		rec.Present = present
		for _, c := range cols {
			if tr.Long[c.Index] && (c.Field.Type == USCC || c.Field.Type == Text) {
				// A number cell: its last digits are gone, whatever is left.
				errs[c.Field.Key] = fmt.Sprintf("%s所在单元格是数字格式,Excel 只保留15位有效数字,后几位已丢失:请将该列设置为文本格式后重新填写", c.Field.Label)
			}
		}
		row := Row{Line: tr.Line, Record: rec}
		for _, c := range cols {
			if msg, bad := errs[c.Field.Key]; bad {
				row.Errors = append(row.Errors, RowError{Row: tr.Line, Column: c.Letter + " " + c.Header, Value: raw[c.Field.Key], Reason: msg})
			}
		}
		// Errors of fields the file has no column for (a rule between
		// two fields), in field order.
		for i := range k.Fields {
			f := &k.Fields[i]
			if msg, bad := errs[f.Key]; bad && !hasColumn(cols, f.Key) {
				row.Errors = append(row.Errors, RowError{Row: tr.Line, Column: f.Label, Reason: msg})
			}
		}
		if len(row.Errors) == 0 {
			key := k.Key(rec.Values)
			if prev, dup := firstLine[key]; dup {
				nat := k.Naturals()[0]
				row.Errors = append(row.Errors, RowError{Row: tr.Line, Column: b.columnOf(nat), Value: rec.Values[nat],
					Reason: fmt.Sprintf("与第%d行重复(同一%s只能出现一次)", prev, k.Field(nat).Label)})
			} else {
				firstLine[key] = tr.Line
			}
		}
		b.Rows = append(b.Rows, row)
	}
	if err := b.checkCount(); err != nil {
		return nil, err
	}
	return b, nil
}

func hasColumn(cols []Column, key string) bool {
	for _, c := range cols {
		if c.Field.Key == key {
			return true
		}
	}
	return false
}

// Summary counts what an import would do or did.
type Summary struct {
	Read      int `json:"read"`
	Accepted  int `json:"accepted"`
	Rejected  int `json:"rejected"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}
