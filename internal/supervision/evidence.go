package supervision

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strings"
)

// Evidence files: pdf, jpg, png, docx, xlsx, each at most MaxFileSize; the
// kind is read from the content, never from the name (issue 8).
const (
	MaxFileSize = 20 << 20
	MaxFiles    = 10
)

// Upload is an uploaded evidence file.
type Upload struct {
	Name    string
	Content []byte
}

// SHA256 is the hex digest of the content (the files table's key).
func (u Upload) SHA256() string {
	sum := sha256.Sum256(u.Content)
	return hex.EncodeToString(sum[:])
}

// Check returns a message when the file may not be kept.
func (u Upload) Check() string {
	switch {
	case len(u.Content) == 0:
		return "文件为空"
	case len(u.Content) > MaxFileSize:
		return "文件超过20 MB"
	case Kind(u.Content) == "":
		return "只接受 PDF、JPG、PNG、Word(.docx)和 Excel(.xlsx)文件(按文件内容判断)"
	}
	return ""
}

// CleanName keeps the base name of an upload, without path or control
// characters, at most 100 characters.
func CleanName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if r := []rune(name); len(r) > 100 {
		name = string(r[len(r)-100:])
	}
	if name == "" || name == "." || name == "/" {
		name = "file"
	}
	return name
}

// Kind returns pdf, jpg, png, docx or xlsx from the content, or "".
func Kind(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "pdf"
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "jpg"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return ""
		}
		for _, f := range zr.File {
			switch f.Name {
			case "word/document.xml":
				return "docx"
			case "xl/workbook.xml":
				return "xlsx"
			}
		}
	}
	return ""
}

// ContentType is the MIME type of a kind, for downloads.
func ContentType(kind string) string {
	switch kind {
	case "pdf":
		return "application/pdf"
	case "jpg":
		return "image/jpeg"
	case "png":
		return "image/png"
	case "docx":
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "application/octet-stream"
}
