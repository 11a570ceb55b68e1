package registry

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/zipguard"
)

// verifyContainer checks an .xlsx's zip container before excelize reads
// it (zipguard): declared entry count, sizes, total and ratio within
// limits, then every entry inflated in full with its actual size and CRC
// checked, and every XML part decoded to its end. excelize may return
// part of the rows without an error from a damaged or size-understating
// file, and its row reader stops quietly at an XML syntax error; a partial
// import must never be reported as success (issue 9). It returns the
// verified container for the reads that follow (longNumberCells).
func verifyContainer(data []byte) (*zip.Reader, error) {
	zr, err := zipguard.OpenBytes(data, zipguard.DefaultLimits)
	if err != nil {
		return nil, noneImported(err)
	}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		b, err := zipguard.ReadFile(f, 0)
		if err != nil {
			return nil, noneImported(err)
		}
		if err := wellFormed(f.Name, b); err != nil {
			return nil, err
		}
	}
	return zr, nil
}

// noneImported says, with zipguard's reason, that nothing was imported.
func noneImported(err error) error {
	e := apperr.As(err)
	if e == nil {
		return &apperr.Error{Code: apperr.Invalid, Message: "文件不是有效的 Excel(.xlsx)文件,未导入任何数据", Err: err}
	}
	return &apperr.Error{Code: e.Code, Message: strings.TrimRight(e.Message, "。") + ",未导入任何数据", Err: err}
}

// wellFormed decodes an XML part to its end.
func wellFormed(name string, data []byte) error {
	if !strings.HasSuffix(name, ".xml") && !strings.HasSuffix(name, ".rels") {
		return nil
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return &apperr.Error{Code: apperr.Invalid, Message: fmt.Sprintf("文件已损坏(部件 %s 不是完整的 XML),未导入任何数据", name), Err: err}
		}
	}
}
