package registry

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"path"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/zipguard"
)

// longNumberCells finds, in the worksheet named sheet, the number cells
// holding a number of 12 or more digits, by row and 0-based column. An
// 18-character USCC or a long registration number typed into such a cell
// has lost its last digits (Excel keeps 15), whatever the digits left look
// like; excelize's row reader does not say a cell's type, so the sheet's
// XML is read once more here, streaming, from the container
// verifyContainer checked.
func longNumberCells(zr *zip.Reader, sheet string) (map[int]map[int]bool, error) {
	read := func(name string) ([]byte, error) {
		f := zipguard.Find(zr, name)
		if f == nil {
			return nil, nil
		}
		b, err := zipguard.ReadFile(f, 0)
		if err != nil {
			return nil, noneImported(err)
		}
		return b, nil
	}
	wb, err := read("xl/workbook.xml")
	if err != nil || wb == nil {
		return nil, err
	}
	var book struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xml.Unmarshal(wb, &book); err != nil {
		return nil, &apperr.Error{Code: apperr.Invalid, Message: "文件已损坏(工作簿目录无法读取),未导入任何数据", Err: err}
	}
	rid := ""
	for _, s := range book.Sheets {
		if s.Name == sheet {
			rid = s.RID
		}
	}
	rels, err := read("xl/_rels/workbook.xml.rels")
	if err != nil || rels == nil || rid == "" {
		return nil, err
	}
	var rel struct {
		Items []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := xml.Unmarshal(rels, &rel); err != nil {
		return nil, &apperr.Error{Code: apperr.Invalid, Message: "文件已损坏(工作簿关系无法读取),未导入任何数据", Err: err}
	}
	part := ""
	for _, r := range rel.Items {
		if r.ID == rid {
			part = r.Target
			if strings.HasPrefix(part, "/") {
				part = strings.TrimPrefix(part, "/")
			} else {
				part = path.Join("xl", part)
			}
		}
	}
	ws, err := read(part)
	if err != nil || ws == nil {
		return nil, err
	}
	out := map[int]map[int]bool{}
	d := xml.NewDecoder(bytes.NewReader(ws))
	var ref, typ string
	inCell, inValue := false, false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, &apperr.Error{Code: apperr.Invalid, Message: "文件已损坏(工作表不是完整的 XML),未导入任何数据", Err: err}
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "c":
				inCell, ref, typ = true, "", ""
				for _, a := range e.Attr {
					switch a.Name.Local {
					case "r":
						ref = a.Value
					case "t":
						typ = a.Value
					}
				}
			case "v":
				inValue = inCell && (typ == "" || typ == "n")
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "c":
				inCell = false
			case "v":
				inValue = false
			}
		case xml.CharData:
			if inValue && ref != "" && longNumber(string(e)) {
				col, row, err := excelize.CellNameToCoordinates(ref)
				if err == nil {
					if out[row] == nil {
						out[row] = map[int]bool{}
					}
					out[row][col-1] = true
				}
			}
		}
	}
}

// longNumber reports whether a number cell's value has 12 or more digits
// before any exponent, or an exponent of 11 or more.
func longNumber(v string) bool {
	v = strings.TrimSpace(v)
	mant, exp, hasExp := strings.Cut(strings.ToUpper(v), "E")
	if hasExp {
		exp = strings.TrimPrefix(exp, "+")
		return len(exp) >= 2 && exp >= "11" && !strings.HasPrefix(exp, "-")
	}
	intPart, _, _ := strings.Cut(mant, ".")
	return len(strings.TrimLeft(intPart, "-")) >= 12
}
