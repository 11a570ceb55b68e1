package audit_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/luoshi/luoshi/internal/audit"
)

func TestWriteXLSX(t *testing.T) {
	es := chain(t, 3)
	es[0].Action, es[0].Before, es[0].After = audit.LoginFailed, nil, nil
	es[2].After = json.RawMessage(`"` + strings.Repeat("长", 40000) + `"`)
	var buf bytes.Buffer
	if err := audit.WriteXLSX(&buf, es, "zh"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(audit.SheetName)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 {
		t.Fatalf("%d rows, want header and 3", len(rows))
	}
	wantHeader := "时间 操作人 单位 来源地址 请求编号 操作 对象 对象编号 变更前 变更后 哈希"
	if got := strings.Join(rows[0], " "); got != wantHeader {
		t.Fatalf("header %q", got)
	}
	// 09:30:01 UTC is 17:30:01 in Beijing.
	want := []string{"2024-03-01 17:30:01", "张三", "3", "10.0.0.1", "req-1", "登录失败", "plan", "42"}
	for i, w := range want {
		if rows[1][i] != w {
			t.Errorf("row 2 column %d: %q, want %q", i+1, rows[1][i], w)
		}
	}
	if len(rows[1]) != 11 || rows[1][8] != "" || rows[1][10] != es[0].Hash {
		t.Errorf("row 2: %q", rows[1])
	}
	if rows[2][5] != "修改计划" || rows[2][8] != `{"title":"旧"}` || rows[2][9] != `{"title":"新"}` {
		t.Errorf("row 3: %q", rows[2])
	}
	if long := rows[3][9]; !strings.HasSuffix(long, "…(已截断)") || len([]rune(long)) > excelize.TotalCellChars {
		t.Errorf("long cell: %d runes, ends %q", len([]rune(long)), long[len(long)-20:])
	}
	panes, err := f.GetPanes(audit.SheetName)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v %v", panes, err)
	}
	tables, err := f.GetTables(audit.SheetName)
	if err != nil || len(tables) != 1 || tables[0].Range != "A1:K4" {
		t.Errorf("tables %+v %v", tables, err)
	}
	if w, _ := f.GetColWidth(audit.SheetName, "K"); w < 60 {
		t.Errorf("hash column width %v", w)
	}

	buf.Reset()
	if err := audit.WriteXLSX(&buf, nil, "en"); err != nil {
		t.Fatal(err)
	}
	f2, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f2.Close()
	if v, _ := f2.GetCellValue(audit.SheetName, "A1"); v != "Time" {
		t.Errorf("english header %q", v)
	}
}

func TestWriteXLSXUnitNames(t *testing.T) {
	es := chain(t, 2)
	es[1].UnitID = 99 // not in the map: shows its id
	var buf bytes.Buffer
	if err := audit.WriteXLSXWith(&buf, es, audit.XLSXOptions{UnitNames: map[int64]string{3: "遂宁市科学技术局"}}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(audit.SheetName)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[1][2] != "遂宁市科学技术局" || rows[2][2] != "99" || rows[1][5] != "修改计划" {
		t.Fatalf("rows %q", rows)
	}
}
