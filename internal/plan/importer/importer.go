// Package importer turns a plan document into a saved plan (issue 3): parse
// it, keep the document, let a person review and edit what was found, then
// save the plan, its structure and its audit entry in one transaction.
//
// A document is imported once: its SHA-256 (plan.Plan.ContentHash) names
// the plan made from it. Importing it again is refused, except to replace a
// plan that is still a draft.
package importer

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/plan/parse"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/text"
)

// Plan statuses an import sets.
const (
	StatusDraft  = "draft"
	StatusActive = "active"
)

// Service imports plan documents into the store.
type Service struct {
	db *store.DB
}

// New returns the service over db.
func New(db *store.DB) *Service { return &Service{db: db} }

// Document is an uploaded document as kept in the database.
type Document struct {
	SHA256 string
	Name   string
	Size   int64
}

// Duplicate is the plan already imported from the same document; the zero
// value means there is none.
type Duplicate struct {
	ID     int64
	Title  string
	Status string
}

// Exists reports whether the document was imported before.
func (d Duplicate) Exists() bool { return d.ID != 0 }

// Replaceable reports whether the earlier plan may be replaced: only a
// draft may, since nobody works on it yet.
func (d Duplicate) Replaceable() bool { return d.ID != 0 && d.Status == StatusDraft }

// Review is a parsed document, ready for a person to review before saving.
type Review struct {
	Document  Document
	Plan      *plan.Plan
	Duplicate Duplicate
}

// Upload parses a document and, when it is a plan, keeps it in the files
// table (content-addressed, so uploading it again writes nothing new). A
// document that is not a plan returns the parser's *parse.Error, whose
// Message tells the user in Chinese what was expected; nothing is stored.
// by names the uploader, kept with the file.
func (s *Service) Upload(ctx context.Context, by, name string, data []byte) (*Review, error) {
	name = cleanName(name)
	if len(data) > parse.MaxSize {
		return nil, &parse.Error{Err: parse.ErrTooLarge, Message: MsgTooLarge}
	}
	p, err := s.parse(ctx, name, data)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		return tx.PutFile(store.File{SHA256: p.ContentHash, Name: name, Content: data, CreatedBy: by})
	})
	if err != nil {
		return nil, err
	}
	return s.review(ctx, Document{SHA256: p.ContentHash, Name: name, Size: int64(len(data))}, p)
}

// Reopen parses a kept document again, by its SHA-256: the save step works
// from the stored bytes, never from a structure the client sends back. name
// is the format hint the upload used; empty means the stored name.
func (s *Service) Reopen(ctx context.Context, sha256, name string) (*Review, error) {
	if !isSHA256(sha256) {
		return nil, apperr.New(apperr.Invalid, MsgNoFile)
	}
	f, err := s.db.File(ctx, sha256)
	if apperr.Is(err, apperr.NotFound) {
		return nil, &apperr.Error{Code: apperr.Invalid, Message: MsgNoFile, Err: err}
	}
	if err != nil {
		return nil, err
	}
	name = cleanName(name)
	if name == defaultName {
		name = f.Name
	}
	p, err := s.parse(ctx, name, f.Content)
	if err != nil {
		return nil, err
	}
	return s.review(ctx, Document{SHA256: f.SHA256, Name: name, Size: f.Size}, p)
}

// parse reads the document, taking the names of the units in the database
// as the units an item may mention.
func (s *Service) parse(ctx context.Context, name string, data []byte) (*plan.Plan, error) {
	units, err := s.db.Units(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(units))
	for _, u := range units {
		names = append(names, u.Name)
	}
	return parse.ParseWith(name, data, parse.Options{KnownUnits: names})
}

func (s *Service) review(ctx context.Context, doc Document, p *plan.Plan) (*Review, error) {
	r := &Review{Document: doc, Plan: p}
	ref, err := s.db.PlanRefByHash(ctx, p.ContentHash)
	switch {
	case err == nil:
		r.Duplicate = Duplicate{ID: ref.ID, Title: ref.Title, Status: ref.Status}
	case !apperr.Is(err, apperr.NotFound):
		return nil, err
	}
	return r, nil
}

// SaveOptions say how a reviewed plan is saved.
type SaveOptions struct {
	// ReplaceID is a draft imported from the same document, deleted and
	// replaced by the new plan in the same transaction; 0 for none.
	ReplaceID int64
	// SourceName is the document's file name, kept with the plan.
	SourceName string
	// Activate saves the plan as active rather than as a draft.
	Activate bool
	// Units are the reviewer's decisions on the units the parser found
	// (units.go); the others stay open suggestions.
	Units []UnitChoice
}

// afterCreate, when set (tests), runs after the plan's rows are written and
// before the audit entry, to prove that a failure there leaves nothing.
var afterCreate func(tx *store.Tx) error

// Save validates p and saves it as a new plan in one transaction with its
// audit entry (PlanImported, or PlanReplaced when opt.ReplaceID names the
// draft it replaces). It sets the ids of p and its parts.
//
// A document already imported is a conflict, unless opt.ReplaceID names
// that plan and it is still a draft.
func (s *Service) Save(ctx context.Context, src audit.Source, p *plan.Plan, opt SaveOptions) error {
	if err := Validate(p); err != nil {
		return err
	}
	if !isSHA256(p.ContentHash) {
		return apperr.New(apperr.Invalid, MsgNoFile)
	}
	status := StatusDraft
	if opt.Activate {
		status = StatusActive
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		var replaced *store.PlanRef
		if opt.ReplaceID != 0 {
			old, err := tx.PlanRef(opt.ReplaceID)
			if err != nil {
				return err
			}
			if old.ContentHash != p.ContentHash {
				return apperr.New(apperr.Conflict, "计划《%s》(#%d)不是由此文件导入的,不能用它替换", old.Title, old.ID)
			}
			if old.Status != StatusDraft {
				return apperr.New(apperr.Conflict, "计划《%s》(#%d)已不是草稿,不能替换", old.Title, old.ID)
			}
			if err := tx.DeletePlan(old.ID); err != nil {
				return err
			}
			replaced = &old
		} else {
			old, err := tx.PlanRefByHash(p.ContentHash)
			if err == nil {
				return AlreadyImported(old.ID, old.Title)
			}
			if !apperr.Is(err, apperr.NotFound) {
				return err
			}
		}
		p.ID, p.Status = 0, status
		if err := tx.CreatePlan(p); err != nil {
			if store.IsUniqueViolation(err) {
				// Another import of the same document committed first.
				return &apperr.Error{Code: apperr.Conflict, Message: "该文件刚刚已被导入,请刷新后查看", Err: err}
			}
			return err
		}
		source := ""
		if opt.SourceName != "" {
			source = cleanName(opt.SourceName)
		}
		if err := tx.SetPlanSource(p.ID, source); err != nil {
			return err
		}
		if err := applyUnitChoices(tx, p, opt.Units); err != nil {
			return err
		}
		if afterCreate != nil {
			if err := afterCreate(tx); err != nil {
				return err
			}
		}
		after := summary(p, source)
		if len(opt.Units) > 0 {
			after["unit_choices"] = opt.Units // the reviewer's decisions on suggested units
		}
		id := strconv.FormatInt(p.ID, 10)
		if replaced != nil {
			before := map[string]any{"id": replaced.ID, "title": replaced.Title, "status": replaced.Status}
			return tx.Audit(src.New(audit.PlanReplaced, "plan", id, before, after))
		}
		return tx.Audit(src.New(audit.PlanImported, "plan", id, nil, after))
	})
}

// AlreadyImported is the conflict of importing a document a second time.
func AlreadyImported(id int64, title string) error {
	return apperr.New(apperr.Conflict, "该文件已导入为计划《%s》(#%d)", title, id)
}

// summary is what the audit entry records of a saved plan.
func summary(p *plan.Plan, source string) map[string]any {
	return map[string]any{
		"id": p.ID, "title": p.Title, "year": p.Year, "status": p.Status,
		"sha256": p.ContentHash, "source_name": source,
		"sections": len(p.Sections), "items": p.ItemCount(), "key_items": len(p.KeyItems),
		"targets": len(Targets(p)),
	}
}

// Messages for the user.
const (
	MsgTooLarge = "文件过大:最大 20 MiB"
	MsgNoFile   = "未找到上传的文件,请重新上传"
	MsgInvalid  = "导入内容有误,请按提示修改后再保存"
)

const defaultName = "upload"

// cleanName keeps the base name of an uploaded file, without folders (some
// browsers send them) and within 200 characters.
func cleanName(name string) string {
	name = strings.TrimSpace(name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = text.CleanLine(name)
	if utf8.RuneCountInString(name) > 200 {
		ext := filepath.Ext(name)
		if utf8.RuneCountInString(ext) > 10 {
			ext = ""
		}
		name = string([]rune(name)[:200-utf8.RuneCountInString(ext)]) + ext
	}
	if name == "" || name == "." || name == ".." {
		return defaultName
	}
	return name
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// SizeText writes a file size for people.
func (d Document) SizeText() string {
	switch {
	case d.Size >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(d.Size)/(1<<20))
	case d.Size >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(d.Size)/(1<<10))
	}
	return fmt.Sprintf("%d B", d.Size)
}
