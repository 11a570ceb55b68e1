package registry

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/luoshi/luoshi/internal/apperr"
)

// verifyContainer checks an .xlsx's zip container before excelize reads
// it: declared sizes within limits, then every entry inflated in full with
// its actual size and CRC checked. excelize may return part of the rows
// without an error from a damaged or size-understating file; a partial
// import must never be reported as success (issue 9).
func verifyContainer(data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return &apperr.Error{Code: apperr.Invalid, Message: "文件不是有效的 Excel(.xlsx)文件", Err: err}
	}
	if len(zr.File) > 2000 {
		return &apperr.Error{Code: apperr.TooLarge, Message: "文件包含的部件过多,已拒绝"}
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if f.UncompressedSize64 > 64<<20 || total > 96<<20 {
			return &apperr.Error{Code: apperr.TooLarge, Message: "文件解压后过大,已拒绝"}
		}
		if f.UncompressedSize64 > 1<<20 && (f.CompressedSize64 == 0 || f.UncompressedSize64/f.CompressedSize64 > 200) {
			return &apperr.Error{Code: apperr.TooLarge, Message: "文件压缩比异常(疑似压缩炸弹),已拒绝"}
		}
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return corrupt(f.Name, err)
		}
		var buf bytes.Buffer
		n, err := io.Copy(&buf, io.LimitReader(rc, int64(f.UncompressedSize64)+1))
		rc.Close()
		if err == nil && uint64(n) != f.UncompressedSize64 {
			err = errors.New("size differs from declared")
		}
		if err != nil {
			return corrupt(f.Name, err)
		}
		if err := wellFormed(f.Name, buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// wellFormed decodes an XML part to its end. excelize's row reader stops
// quietly at a syntax error, which would import the rows before it as if
// they were all.
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

func corrupt(name string, err error) error {
	return &apperr.Error{Code: apperr.Invalid, Message: fmt.Sprintf("文件已损坏(部件 %s 大小或校验和不符),未导入任何数据", name), Err: err}
}
