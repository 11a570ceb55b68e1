package registry_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/registry"
	"github.com/luoshi/luoshi/internal/zipguard"
)

func TestCheckUSCC(t *testing.T) {
	valid := []string{registry.MakeUSCC("91510922MA6AB1234")}
	// A published code: 91110000600037341L (check digit L).
	valid = append(valid, "91110000600037341L")
	for _, s := range valid {
		if err := registry.CheckUSCC(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	bad := map[string]string{
		"91110000600037341M":  "校验位错误:第18位应为L",
		"9111000060003734":    "须为18位,现为16位",
		"91AB0000600037341L":  "第3至8位",
		"91110000600O37341L":  "不是允许的字符",
		"911100006000373411L": "现为19位",
	}
	for s, want := range bad {
		err := registry.CheckUSCC(s)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", s, err, want)
		}
	}
	if got := registry.NormalizeUSCC(" ９１110000600037341l "); got != "91110000600037341L" {
		t.Errorf("normalize: %q", got)
	}
}

func TestParseMoney(t *testing.T) {
	ok := []struct {
		in    string
		scale registry.MoneyScale
		want  int64
	}{
		{"1,234", registry.Yuan, 1234}, {"1234.00", registry.Yuan, 1234}, {"1.2E+7", registry.Yuan, 12000000},
		{"1.5", registry.TenKYuan, 15000}, {"0.0001", registry.TenKYuan, 1}, {"120000万元", registry.TenKYuan, 1200000000},
		{"¥35,000元", registry.Yuan, 35000}, {"0", registry.Yuan, 0},
		// 0.1 + 0.2 is exact here: no float is involved.
		{"0.3", registry.TenKYuan, 3000},
	}
	for _, c := range ok {
		got, err := registry.ParseMoney(c.in, c.scale)
		if err != nil || got != c.want {
			t.Errorf("%q: %d %v, want %d", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"1234.5", "-1", "abc", "12万元", "1e30", ""} {
		if _, err := registry.ParseMoney(in, registry.Yuan); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
	if _, err := registry.ParseMoney("1.23456", registry.TenKYuan); err == nil {
		t.Error("1.23456 万元 accepted: that is a fraction of a yuan")
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{"2023-03-15": "2023-03-15", "2023/3/5": "2023-03-05", "2023年3月15日": "2023-03-15",
		"20230315": "2023-03-15", "45000": "2023-03-15", "45000.5": "2023-03-15", "2023.3.15": "2023-03-15"} {
		if got, err := registry.ParseDate(in); err != nil || got != want {
			t.Errorf("%q: %q %v, want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"2023-02-30", "明年", "15/03/2023"} {
		if _, err := registry.ParseDate(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

var testUnits = []org.Unit{{ID: 1, Code: "510900", Name: "示例市", Kind: org.City, DivisionCode: "510900"},
	{ID: 2, Code: "510921", Name: "示例县", Kind: org.County, DivisionCode: "510921", ParentID: 1}}

func env() *registry.Env {
	return &registry.Env{Units: testUnits, Scope: auth.Everything, Options: registry.DefaultOptions}
}

// sheet builds an .xlsx whose first sheet holds rows as given (strings are
// text cells, numbers number cells).
func sheet(t testing.TB, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i, r := range rows {
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func prepare(t testing.TB, k *registry.Kind, data []byte) *registry.Batch {
	t.Helper()
	tbl, err := registry.ReadTable("x.xlsx", data, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := k.Prepare(tbl, env())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestNumericUSCCCell: an 18-digit code typed into a number cell comes
// back as 9.15109E+17; the row says to format the column as text.
func TestNumericUSCCCell(t *testing.T) {
	digits := registry.MakeUSCC("91510900123456789")
	data := sheet(t, [][]any{{"统一社会信用代码*", "企业名称*", "所属单位*"}, {9.15109001234568e17, "甲公司", "示例县"}, {digits, "乙公司", "示例县"}})
	b := prepare(t, registry.Enterprises, data)
	errs := b.Errors()
	if b.Read != 2 || len(errs) != 1 || errs[0].Row != 2 || !strings.Contains(errs[0].Reason, "请将该列设置为文本格式") {
		t.Fatalf("%d rows, errors %+v", b.Read, errs)
	}
	// Even when the digits left happen to pass the check (an all-digit
	// code whose check digit is 0), a number cell is refused.
	var lucky string
	for i := 0; lucky == ""; i++ {
		if c := registry.MakeUSCC(fmt.Sprintf("915109%08d000", i)); strings.HasSuffix(c, "0") {
			lucky = c
		}
	}
	var n float64
	fmt.Sscan(lucky, &n)
	b = prepare(t, registry.Enterprises, sheet(t, [][]any{{"统一社会信用代码*", "企业名称*", "所属单位*"}, {n, "丙公司", "示例县"}}))
	if errs := b.Errors(); len(errs) != 1 || !strings.Contains(errs[0].Reason, "请将该列设置为文本格式") {
		t.Fatalf("number cell %s (%v): %+v", lucky, n, errs)
	}
}

// TestNumericTextCell: a registration number typed into a number cell
// comes back in E notation and is refused the same way.
func TestNumericTextCell(t *testing.T) {
	head := []any{"登记编号*", "合同名称*", "合同类型*", "卖方*", "卖方所属单位*", "买方*", "合同成交额(元)*", "技术交易额(元)*", "登记日期*"}
	b := prepare(t, registry.Contracts, sheet(t, [][]any{head, {"2.0235109000001E+15", "开发合同", "技术开发", "甲", "示例县", "乙", 100, 100, "2023-05-06"}}))
	if errs := b.Errors(); len(errs) != 1 || !strings.Contains(errs[0].Column, "登记编号") || !strings.Contains(errs[0].Reason, "请将该列设置为文本格式") {
		t.Fatalf("%+v", errs)
	}
}

// TestMoneyHeadersNameTheirUnit: 元 and 万元 columns are explicit and
// parsed exactly; a money header without its unit refuses the file.
func TestMoneyHeadersNameTheirUnit(t *testing.T) {
	head := []any{"登记编号*", "合同名称*", "合同类型*", "卖方*", "卖方所属单位*", "买方*", "合同成交额(万元)*", "技术交易额(元)*", "登记日期*"}
	row := []any{"R1", "开发合同", "技术开发", "甲", "示例县", "乙", "120.5", 1000000, "2023-05-06"}
	b := prepare(t, registry.Contracts, sheet(t, [][]any{head, row}))
	if len(b.Errors()) != 0 {
		t.Fatalf("%+v", b.Errors())
	}
	if v := b.Rows[0].Record.Values; v["contract_value"] != "1205000" || v["tech_value"] != "1000000" {
		t.Fatalf("values %v", v)
	}
	head[6] = "合同成交额*"
	tbl, _ := registry.ReadTable("x.xlsx", sheet(t, [][]any{head, row}), 0)
	if _, err := registry.Contracts.Prepare(tbl, env()); err == nil || !strings.Contains(err.Error(), "须在表头注明金额单位") {
		t.Fatalf("unit-less money header: %v", err)
	}
	// Technology value above the contract value is refused.
	row[7] = 2000000
	b = prepare(t, registry.Contracts, sheet(t, [][]any{{"登记编号*", "合同名称*", "合同类型*", "卖方*", "卖方所属单位*", "买方*", "合同成交额(元)*", "技术交易额(元)*", "登记日期*"},
		{"R1", "开发合同", "技术开发", "甲", "示例县", "乙", 1000000, 2000000, "2023-05-06"}}))
	if errs := b.Errors(); len(errs) != 1 || !strings.Contains(errs[0].Reason, "不能大于合同成交额") {
		t.Fatalf("%+v", errs)
	}
}

// TestDuplicateKeyInFile: the same USCC twice is refused on the later row.
func TestDuplicateKeyInFile(t *testing.T) {
	u := registry.MakeUSCC("91510900MA6200001")
	b := prepare(t, registry.Enterprises, sheet(t, [][]any{{"统一社会信用代码*", "企业名称*", "所属单位*"},
		{u, "甲", "示例县"}, {"", "", ""}, {u, "甲2", "示例市"}}))
	if errs := b.Errors(); b.Read != 2 || len(errs) != 1 || errs[0].Row != 4 || !strings.Contains(errs[0].Reason, "与第2行重复") {
		t.Fatalf("%d %+v", b.Read, errs)
	}
}

// rewrite copies an .xlsx, letting edit change the header or the raw
// (compressed) bytes of the entry named name.
func rewrite(t testing.TB, data []byte, name string, edit func(h *zip.FileHeader, raw []byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.OpenRaw()
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(rc)
		h := f.FileHeader
		if f.Name == name {
			raw = edit(&h, raw)
		}
		w, err := zw.CreateRaw(&h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(raw)
	}
	zw.Close()
	return out.Bytes()
}

func deflate(t testing.TB, data []byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "x", Method: zip.Deflate})
	w.Write(data)
	zw.Close()
	zr, _ := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	rc, _ := zr.File[0].OpenRaw()
	raw, _ := io.ReadAll(rc)
	return raw
}

// TestBadZipRefusedWhole: a damaged entry (CRC), an entry that inflates
// past its declared size, a compression bomb and a cut-off sheet are all
// refused before any row is read: never a partial import.
func TestBadZipRefusedWhole(t *testing.T) {
	rows := [][]any{{"统一社会信用代码*", "企业名称*", "所属单位*"}}
	for i := 0; i < 200; i++ {
		rows = append(rows, []any{registry.MakeUSCC(fmt.Sprintf("91510900MA6%06d", i)), fmt.Sprintf("企业%03d", i), "示例县"})
	}
	good := sheet(t, rows)
	if b := prepare(t, registry.Enterprises, good); b.Read != 200 || len(b.Errors()) != 0 {
		t.Fatalf("good file: %d %+v", b.Read, b.Errors())
	}
	const part = "xl/worksheets/sheet1.xml"
	var sheetXML []byte
	zr, _ := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	for _, f := range zr.File {
		if f.Name == part {
			rc, _ := f.Open()
			sheetXML, _ = io.ReadAll(rc)
		}
	}
	cases := map[string][]byte{
		"crc": rewrite(t, good, part, func(h *zip.FileHeader, raw []byte) []byte {
			h.CRC32 ^= 0xdeadbeef
			return raw
		}),
		"understated size": rewrite(t, good, part, func(h *zip.FileHeader, raw []byte) []byte {
			h.UncompressedSize64 -= 500
			return raw
		}),
		"overstated size": rewrite(t, good, part, func(h *zip.FileHeader, raw []byte) []byte {
			h.UncompressedSize64 += 500
			return raw
		}),
		"damaged data": rewrite(t, good, part, func(h *zip.FileHeader, raw []byte) []byte {
			raw = append([]byte(nil), raw...)
			raw[len(raw)/2] ^= 0xff
			return raw
		}),
		"cut-off sheet": rewrite(t, good, part, func(h *zip.FileHeader, raw []byte) []byte {
			cut := sheetXML[:len(sheetXML)/2]
			h.CRC32, h.UncompressedSize64 = crc(cut), uint64(len(cut))
			d := deflate(t, cut)
			h.CompressedSize64 = uint64(len(d))
			return d
		}),
		"bomb": rewrite(t, good, part, func(h *zip.FileHeader, raw []byte) []byte {
			big := append([]byte(strings.TrimSuffix(string(sheetXML), "</worksheet>")), bytes.Repeat([]byte("<!-- -->"), 4<<20)...)
			big = append(big, "</worksheet>"...)
			d := deflate(t, big)
			h.CRC32, h.UncompressedSize64, h.CompressedSize64 = crc(big), uint64(len(big)), uint64(len(d))
			return d
		}),
		"declared huge": rewrite(t, good, part, func(h *zip.FileHeader, raw []byte) []byte {
			h.UncompressedSize64 = 1 << 40
			return raw
		}),
	}
	want := map[string]error{"crc": zipguard.ErrCorrupt, "understated size": zipguard.ErrCorrupt, "overstated size": zipguard.ErrCorrupt,
		"damaged data": zipguard.ErrCorrupt, "bomb": zipguard.ErrRatio, "declared huge": zipguard.ErrTooLarge}
	for name, data := range cases {
		_, err := registry.ReadTable("x.xlsx", data, 0)
		e := apperr.As(err)
		if e == nil || (e.Code != apperr.Invalid && e.Code != apperr.TooLarge) || !strings.Contains(e.Message, "未导入任何数据") {
			t.Errorf("%s: %v", name, err)
		}
		if w, ok := want[name]; ok && !errors.Is(err, w) {
			t.Errorf("%s: %v, want %v", name, err, w)
		}
	}
	// Over the configured size: 413 with a Chinese message.
	_, err := registry.ReadTable("x.xlsx", good, int64(len(good)-1))
	if e := apperr.As(err); e == nil || e.Code != apperr.TooLarge || !strings.Contains(e.Message, "上限") {
		t.Errorf("size limit: %v", err)
	}
}

func crc(b []byte) uint32 {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("x")
	w.Write(b)
	zw.Close()
	zr, _ := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	return zr.File[0].CRC32
}

// TestTemplateImportsAsEmpty: the template has the header row, an
// instructions sheet and drop-downs, and reads as a file with no rows.
func TestTemplateImportsAsEmpty(t *testing.T) {
	for _, k := range registry.Kinds {
		var buf bytes.Buffer
		if err := k.WriteTemplate(&buf, registry.DefaultOptions, testUnits); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		dvs, _ := f.GetDataValidations(k.Title)
		if len(dvs) == 0 {
			t.Errorf("%s: no drop-downs", k.Name)
		}
		if v, _ := f.GetCellValue(registry.InstructionsSheet, "A1"); !strings.Contains(v, "填写说明") {
			t.Errorf("%s: instructions %q", k.Name, v)
		}
		f.Close()
		b := prepare(t, k, buf.Bytes())
		if b.Read != 0 {
			t.Errorf("%s: template has %d rows", k.Name, b.Read)
		}
	}
}

// TestCSVInGB18030: a CSV saved by Excel on Chinese Windows reads.
func TestCSVInGB18030(t *testing.T) {
	u := registry.MakeUSCC("91510900MA6200001")
	text := "统一社会信用代码*,企业名称*,所属单位*\r\n" + u + ",甲公司,510921\r\n"
	enc, err := gb18030(text)
	if err != nil {
		t.Fatal(err)
	}
	for _, data := range [][]byte{[]byte(text), enc} {
		tbl, err := registry.ReadTable("企业.csv", data, 0)
		if err != nil {
			t.Fatal(err)
		}
		b, err := registry.Enterprises.Prepare(tbl, env())
		if err != nil || len(b.Errors()) != 0 || b.Rows[0].Record.UnitID != 2 {
			t.Fatalf("%v %+v", err, b)
		}
	}
}

// Text fields follow the project's rule for single-line text: NUL, bidi
// overrides and zero-width characters are refused with the field named;
// a line break inside a cell (Alt+Enter) folds to a space.
func TestTextFieldCharacters(t *testing.T) {
	base := map[string]string{"uscc": registry.MakeUSCC("91510900123456789"), "unit": "示例县"}
	for _, c := range []struct {
		name, want string
	}{
		{"锂电\x00科技有限公司", "企业名称不能包含"},
		{"锂电\u202e科技有限公司", "企业名称不能包含"},
		{"锂电\u200b科技有限公司", "企业名称不能包含"},
	} {
		raw := map[string]string{"name": c.name}
		for k, v := range base {
			raw[k] = v
		}
		_, errs := registry.Enterprises.Parse(raw, env())
		if !strings.HasPrefix(errs["name"], c.want) {
			t.Errorf("%q: errors %v", c.name, errs)
		}
	}
	raw := map[string]string{"name": "锂电科技\n有限公司"}
	for k, v := range base {
		raw[k] = v
	}
	rec, errs := registry.Enterprises.Parse(raw, env())
	if len(errs) != 0 || rec.Values["name"] != "锂电科技 有限公司" {
		t.Errorf("a line break in a cell: %q %v", rec.Values["name"], errs)
	}
}
