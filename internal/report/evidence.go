package report

import (
	"archive/zip"
	"bytes"
	"path"
	"strings"

	"github.com/luoshi/luoshi/internal/apperr"
)

// MaxEvidenceSize is the limit of one evidence file.
const MaxEvidenceSize = 20 << 20

// EvidenceKinds are the accepted kinds of evidence, in display order.
var EvidenceKinds = []string{"pdf", "jpg", "png", "docx", "xlsx"}

// MsgEvidenceKind tells the user which files are accepted.
const MsgEvidenceKind = "佐证材料只接受 PDF、JPG、PNG、Word(.docx)和 Excel(.xlsx)文件"

// SniffEvidence returns the kind of an evidence file judged from its
// content, never from its name: the magic bytes of PDF, JPEG and PNG, and
// for .docx and .xlsx a zip whose parts are those of a Word document or an
// Excel workbook. Anything else, and anything over MaxEvidenceSize, is
// refused with a message naming the file.
func SniffEvidence(name string, data []byte) (string, error) {
	if len(data) > MaxEvidenceSize {
		return "", &apperr.Error{Code: apperr.TooLarge, Message: "文件「" + name + "」超过 20 MB"}
	}
	switch {
	case len(data) == 0:
		return "", apperr.New(apperr.Invalid, "文件「%s」是空的", name)
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return "pdf", nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return "jpg", nil
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "png", nil
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		if kind := officeKind(data); kind != "" {
			return kind, nil
		}
	}
	return "", apperr.New(apperr.Invalid, "文件「%s」:%s", name, MsgEvidenceKind)
}

// officeKind tells a .docx from an .xlsx by the parts of the zip: an Office
// Open XML package has [Content_Types].xml and its main part.
func officeKind(data []byte) string {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return ""
	}
	var types, doc, book bool
	for _, f := range zr.File {
		switch path.Clean(strings.ReplaceAll(f.Name, `\`, "/")) {
		case "[Content_Types].xml":
			types = true
		case "word/document.xml":
			doc = true
		case "xl/workbook.xml":
			book = true
		}
	}
	switch {
	case types && doc && !book:
		return "docx"
	case types && book && !doc:
		return "xlsx"
	}
	return ""
}

// ContentType is the media type a kind is served with.
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

// Event is a change to a report that someone may want to hear about.
type Event struct {
	Kind     string // submitted, returned, approved
	ReportID int64
	PlanID   int64
	UnitID   int64
	Period   string
	Title    string
	Comment  string
	Actor    string
}

// Notifier hears about report events after their transaction commits.
// Notifications (issue 8, second half) plug in here; the default does
// nothing.
type Notifier interface {
	ReportEvent(Event)
}

// NopNotifier is the default Notifier: it does nothing.
type NopNotifier struct{}

// ReportEvent does nothing.
func (NopNotifier) ReportEvent(Event) {}
