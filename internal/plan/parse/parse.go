// Package parse reads a department's annual work plan (工作要点) from a text
// file, a .docx or a saved web page into a plan.Plan: the notice's metadata,
// the sections and numbered work items, the attachment tables of key items
// with their measures, and the targets found by package target.
//
// Nothing here is specific to one city or year: the structure is recognised
// from the numbering conventions of Chinese official documents (一、 （一）
// 1.) and from table header names.
package parse

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/luoshi/luoshi/internal/plan"
)

// MaxSize is the largest document Parse reads.
const MaxSize = 20 << 20

// Sentinel errors; a *Error wraps one of them, so errors.Is works.
var (
	ErrNotPlan  = errors.New("not a plan")
	ErrTooLarge = errors.New("document too large")
	ErrFormat   = errors.New("unsupported or damaged file format")
)

// Error is a parse failure with a message for the user, in Chinese.
type Error struct {
	Err     error  // ErrNotPlan, ErrTooLarge or ErrFormat
	Message string // what was expected, for the user
	Detail  error  // the underlying cause, if any
}

func (e *Error) Error() string {
	if e.Detail != nil {
		return fmt.Sprintf("parse: %s (%v)", e.Message, e.Detail)
	}
	return "parse: " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Messages of the errors.
const (
	msgNotPlan   = "未识别到工作要点的结构:需要标题和“一、”“1.”等编号的条目"
	msgNoTitle   = "未识别到工作要点的标题:需要一行含“工作要点”“工作计划”“任务”等字样的标题"
	msgNoItems   = "未识别到编号的条目:需要“一、”“1.”“(一)”等编号的工作条目,或带序号的任务表格"
	msgEmpty     = "文件为空:需要工作要点的文本、.docx 或网页文件"
	msgBinary    = "文件不是文本、.docx 或网页:未识别到工作要点(图片、压缩包等不能解析)"
	msgTooLarge  = "文件过大:最大 20 MiB"
	msgDocx      = "无法读取 .docx 文件:文件已损坏或不是 Word 文档"
	msgOldDoc    = "不支持旧版 Word(.doc)文件:请在 Word 中另存为 .docx"
	msgPDF       = "不支持 PDF 文件:请上传 .docx、文本或网页文件"
	msgSpreadsht = "不支持表格文件(.xlsx/.xls):请上传 .docx、文本或网页文件"
	msgTooMany   = "内容过多:正文超过 20000 段或表格超过 5000 行,不像一份工作要点"
)

// Options adjust parsing.
type Options struct {
	// KnownUnits are the names of the org units in the database (counties,
	// districts, parks). When given, Task.Units lists the known names found
	// in an item, and the place-name heuristics are not used.
	KnownUnits []string
}

// Parse reads a plan document. name is the file name, used as a format hint
// (.txt, .docx, .html/.htm); data is the raw bytes. Units mentioned in items
// are found by heuristics (see ParseWith).
func Parse(name string, data []byte) (*plan.Plan, error) {
	return ParseWith(name, data, Options{})
}

// ParseWith is Parse with options.
func ParseWith(name string, data []byte, opt Options) (p *plan.Plan, err error) {
	defer func() {
		// A bug must not take down the server with a user's upload.
		if r := recover(); r != nil {
			p, err = nil, &Error{Err: ErrFormat, Message: "解析出错:无法识别此文件", Detail: fmt.Errorf("panic: %v", r)}
		}
	}()
	return parse(name, data, opt)
}

func parse(name string, data []byte, opt Options) (*plan.Plan, error) {
	if len(data) > MaxSize {
		return nil, &Error{Err: ErrTooLarge, Message: msgTooLarge}
	}
	if len(bytes.TrimSpace(bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF}))) == 0 {
		return nil, &Error{Err: ErrNotPlan, Message: msgEmpty}
	}
	blocks, err := readBlocks(name, data)
	if err != nil {
		return nil, err
	}
	p, err := analyse(blocks, opt)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	p.ContentHash = hex.EncodeToString(sum[:])
	return p, nil
}

// readBlocks detects the format from the content, then the name, and returns
// the document's paragraphs and tables.
func readBlocks(name string, data []byte) ([]block, error) {
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")) || ext == ".docx":
		bl, err := docxBlocks(data)
		if pe := (*Error)(nil); errors.As(err, &pe) {
			return nil, pe
		}
		if err != nil {
			if bytes.HasPrefix(data, []byte("PK\x03\x04")) && ext == ".xlsx" {
				return nil, &Error{Err: ErrFormat, Message: msgSpreadsht}
			}
			return nil, &Error{Err: ErrFormat, Message: msgDocx, Detail: err}
		}
		return bl, nil
	case bytes.HasPrefix(data, []byte("%PDF")):
		return nil, &Error{Err: ErrFormat, Message: msgPDF}
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		if ext == ".xls" {
			return nil, &Error{Err: ErrFormat, Message: msgSpreadsht}
		}
		return nil, &Error{Err: ErrFormat, Message: msgOldDoc}
	case ext == ".html" || ext == ".htm" || ext == ".shtml" || looksHTML(data):
		return htmlBlocks(data), nil
	case looksBinary(data):
		return nil, &Error{Err: ErrNotPlan, Message: msgBinary}
	}
	return textBlocks(decodeText(data)), nil
}
