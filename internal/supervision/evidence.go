package supervision

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strings"

	"github.com/luoshi/luoshi/internal/report"
	"github.com/luoshi/luoshi/internal/text"
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

// CleanName keeps the base name of an upload, without path or the
// characters no single-line field may hold (text.CleanLine), at most 100
// characters.
func CleanName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = text.CleanLine(name)
	if r := []rune(name); len(r) > 100 {
		name = string(r[len(r)-100:])
	}
	if name == "" || name == "." || name == "/" {
		name = "file"
	}
	return name
}

// Kind returns pdf, jpg, png, docx or xlsx from the content, or "": the
// same judgement as a progress report's evidence (report.SniffEvidence).
func Kind(b []byte) string {
	kind, err := report.SniffEvidence("", b)
	if err != nil {
		return ""
	}
	return kind
}

// ContentType is the MIME type of a kind, for downloads.
func ContentType(kind string) string { return report.ContentType(kind) }
