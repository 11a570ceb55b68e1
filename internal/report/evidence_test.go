package report

import (
	"archive/zip"
	"bytes"
	"testing"

	"github.com/luoshi/luoshi/internal/apperr"
)

// zipWith builds a zip holding the named parts.
func zipWith(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("<x/>"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSniffEvidence(t *testing.T) {
	docx := zipWith(t, "[Content_Types].xml", "_rels/.rels", "word/document.xml")
	xlsx := zipWith(t, "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/worksheets/sheet1.xml")
	ok := []struct {
		name string
		data []byte
		kind string
	}{
		{"报告.pdf", []byte("%PDF-1.7\n..."), "pdf"},
		{"photo.JPG", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10}, "jpg"},
		{"现场.png", []byte("\x89PNG\r\n\x1a\n\x00\x00"), "png"},
		{"说明.docx", docx, "docx"},
		{"台账.xlsx", xlsx, "xlsx"},
		// The name does not decide: a PDF named .docx is a PDF.
		{"misnamed.docx", []byte("%PDF-1.4"), "pdf"},
	}
	for _, c := range ok {
		kind, err := SniffEvidence(c.name, c.data)
		if err != nil || kind != c.kind {
			t.Errorf("%s: %q %v, want %s", c.name, kind, err, c.kind)
		}
	}
	bad := []struct {
		name string
		data []byte
		code apperr.Code
	}{
		{"virus.pdf", []byte("MZ\x90\x00 this is an exe"), apperr.Invalid},
		{"archive.docx", zipWith(t, "a.txt"), apperr.Invalid},
		{"both.xlsx", zipWith(t, "[Content_Types].xml", "word/document.xml", "xl/workbook.xml"), apperr.Invalid},
		{"no-types.docx", zipWith(t, "word/document.xml"), apperr.Invalid},
		{"truncated.docx", docx[:20], apperr.Invalid},
		{"empty.pdf", nil, apperr.Invalid},
		{"note.txt", []byte("plain text"), apperr.Invalid},
		{"huge.pdf", append([]byte("%PDF-"), make([]byte, MaxEvidenceSize)...), apperr.TooLarge},
	}
	for _, c := range bad {
		if _, err := SniffEvidence(c.name, c.data); apperr.CodeOf(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
}

func TestDraftRules(t *testing.T) {
	d := Draft{Percent: 120, State: "finished"}
	e := apperr.As(d.Validate("第2行 "))
	if e == nil || e.Fields["第2行 percent"] == "" || e.Fields["第2行 state"] == "" {
		t.Fatalf("validate: %+v", e)
	}
	d = Draft{Progress: "进展\u202e反转", State: InProgress, Problems: "第一行\r\n第二行"}
	e = apperr.As(d.Validate(""))
	if e == nil || e.Fields["progress"] == "" || e.Fields["problems"] != "" || d.Problems != "第一行\n第二行" {
		t.Fatalf("control characters: %+v %q", e, d.Problems)
	}
	a := AssignmentInput{TaskID: 1, LeadUnitIDs: []int64{1}, PersonName: "张\x00三"}
	if e := apperr.As(a.Validate("")); e == nil || e.Fields["person_name"] == "" {
		t.Fatalf("NUL in a name: %+v", e)
	}
	r := Report{State: Behind, Percent: 30}
	e = apperr.As(r.CheckSubmit(""))
	if e == nil || e.Fields["progress"] == "" || e.Fields["problems"] == "" {
		t.Fatalf("check submit: %+v", e)
	}
	r = Report{State: Done, Percent: 100, Progress: "已完成验收"}
	if err := r.CheckSubmit(""); err != nil {
		t.Fatal(err)
	}
}
