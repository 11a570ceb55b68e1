package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/i18n"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/plan/importer"
	"github.com/luoshi/luoshi/internal/plan/parse"
)

// importRoutes are the plan upload, review and save pages (issue 3):
// upload a document, review and edit what the parser found, save it as a
// new draft plan.
func (s *Server) importRoutes() []route {
	return []route{
		{"GET /plans/import", s.importForm, staffOnly},
		{"POST /plans/import", s.importUpload, staffOnly},
		{"POST /plans/import/save", s.importSave, staffOnly},
	}
}

// bodyLimit is a route's request body limit with the message shown when a
// body is over it.
type bodyLimit struct {
	n       int64
	message string
}

// bodyLimits raise guard's limit (maxFormBytes) for the routes that take a
// document, or a review form as long as the plan it edits.
var bodyLimits = map[string]bodyLimit{
	// The document, the CSRF field and the multipart framing.
	"POST /plans/import":      {parse.MaxSize + 1<<20, importer.MsgTooLarge},
	"POST /plans/import/save": {4 << 20, "提交的内容过大"},
}

// readLargeForm reads the form of a route with a raised limit before the
// CSRF check looks for its token there, so that a body over the limit is
// told as such (413) and not as a missing token. Other errors are left to
// the CSRF check and the handler.
func readLargeForm(r *http.Request, limit bodyLimit) error {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		// Up to 8 MiB in memory; the rest of a file spills to a temporary
		// file that the server removes after the request.
		err = r.ParseMultipartForm(8 << 20)
	} else {
		err = r.ParseForm()
	}
	if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
		return &apperr.Error{Code: apperr.TooLarge, Message: limit.message, Err: err}
	}
	return nil
}

// importPage is the upload form.
type importPage struct {
	Layout
	Error string
}

func (s *Server) importLayout(w http.ResponseWriter, r *http.Request, title string) (Layout, error) {
	l, err := s.layout(w, r, "plan.import", title)
	if err != nil {
		return l, err
	}
	l.Crumbs = []Crumb{{Label: l.T("nav.plans"), URL: "/plans"}, {Label: l.T("nav.import"), URL: "/plans/import"}}
	if title != "nav.import" {
		l.Crumbs = append(l.Crumbs, Crumb{Label: l.T(title)})
	} else {
		l.Crumbs[1].URL = ""
	}
	return l, nil
}

func (s *Server) importForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderImportForm(w, r, http.StatusOK, "")
}

func (s *Server) renderImportForm(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	l, err := s.importLayout(w, r, "nav.import")
	if err != nil {
		return err
	}
	return s.render(w, status, "planimport", &importPage{Layout: l, Error: msg})
}

// importUpload parses an uploaded document, keeps it, and shows the review.
// A document that is not a plan comes back to the upload form with the
// parser's message (422); one over parse.MaxSize with 413.
func (s *Server) importUpload(w http.ResponseWriter, r *http.Request) error {
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return s.renderImportForm(w, r, http.StatusUnprocessableEntity, i18n.T(lang(r), "import.no_file"))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, parse.MaxSize+1))
	if err != nil {
		return err
	}
	if len(data) > parse.MaxSize {
		return s.renderImportForm(w, r, http.StatusRequestEntityTooLarge, importer.MsgTooLarge)
	}
	a := auth.ActorFrom(r.Context())
	rev, err := importer.New(s.db).Upload(r.Context(), a.Username, hdr.Filename, data)
	if pe := (*parse.Error)(nil); errors.As(err, &pe) {
		status := http.StatusUnprocessableEntity
		if errors.Is(err, parse.ErrTooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		return s.renderImportForm(w, r, status, pe.Message)
	}
	if err != nil {
		return err
	}
	return s.renderReview(w, r, http.StatusOK, newReviewData(rev), "")
}

// importSave parses the kept document again, applies the reviewer's edits
// and saves the plan as a draft. Invalid edits re-render the review (422)
// with a message per field; a refused save (the document is already a
// plan) re-renders it with the reason.
func (s *Server) importSave(w http.ResponseWriter, r *http.Request) error {
	form := r.PostForm
	d, err := s.reviewFromForm(r, form)
	if pe := (*parse.Error)(nil); errors.As(err, &pe) {
		return s.renderImportForm(w, r, http.StatusUnprocessableEntity, pe.Message)
	}
	if e := apperr.As(err); e != nil && e.Code == apperr.Invalid {
		// The document is not kept under that hash: upload it again.
		return s.renderImportForm(w, r, http.StatusUnprocessableEntity, e.Message)
	}
	if err != nil {
		return err
	}
	if len(d.fields) > 0 {
		return s.renderReview(w, r, http.StatusUnprocessableEntity, d, i18n.T(lang(r), "import.invalid"))
	}
	p := d.rev.Plan
	importer.DropTargets(p, func(i int) bool { return form.Has(importer.TargetField(i, "drop")) })
	replaceID, _ := strconv.ParseInt(form.Get("replace"), 10, 64)
	err = importer.New(s.db).Save(r.Context(), s.source(r), p, importer.SaveOptions{
		ReplaceID: replaceID, SourceName: d.rev.Document.Name, Units: unitChoices(form, p)})
	if e := apperr.As(err); e != nil && e.Code != apperr.Internal {
		// Show the review again as it was submitted, with the reason.
		again, rerr := s.reviewFromForm(r, form)
		if rerr != nil {
			return rerr
		}
		again.fields = e.Fields
		status, msg := httpStatus(e.Code), e.Message
		if e.Code == apperr.NotFound {
			// The draft to replace was deleted meanwhile.
			status, msg = http.StatusConflict, i18n.T(lang(r), "import.replace_gone")
		}
		if e.Code == apperr.Conflict && replaceID != 0 {
			if cur, cerr := s.db.Plan(r.Context(), auth.ActorFrom(r.Context()).Scope, replaceID); cerr == nil {
				lg := lang(r)
				again.conflict = &conflictView{Rows: []conflictRow{
					{i18n.T(lg, "plan.title"), cur.Title, form.Get("title")},
					{i18n.T(lg, "plan.status"), i18n.T(lg, "status."+cur.Status), i18n.T(lg, "status.draft")},
				}}
			}
		}
		return s.renderReview(w, r, status, again, msg)
	}
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, fmt.Sprintf("/plans/%d", p.ID), i18n.T(lang(r), "import.saved", p.Title))
}

// reviewData is a review being shown: the document with its plan (edited
// when a form was submitted), the form and its field messages.
type reviewData struct {
	rev    *importer.Review
	form   url.Values        // nil on the first showing
	fields map[string]string // input name → message
	// marks are the targets' values as the document writes them, by
	// index: what the source sentence highlights, even after an edit.
	marks []string
	// conflict is set when the draft to replace changed meanwhile.
	conflict *conflictView
}

func newReviewData(rev *importer.Review) *reviewData {
	d := &reviewData{rev: rev}
	for _, t := range importer.Targets(rev.Plan) {
		d.marks = append(d.marks, t.ValueText())
	}
	return d
}

// reviewFromForm reopens the document named by the form and applies the
// form's edits to its plan.
func (s *Server) reviewFromForm(r *http.Request, form url.Values) (*reviewData, error) {
	rev, err := importer.New(s.db).Reopen(r.Context(), form.Get("sha256"), form.Get("name"))
	if err != nil {
		return nil, err
	}
	d := newReviewData(rev)
	d.form = form
	d.fields = applyReview(rev.Plan, form)
	if e := apperr.As(importer.Validate(rev.Plan)); e != nil {
		for k, v := range e.Fields {
			if _, ok := d.fields[k]; !ok {
				d.fields[k] = v
			}
		}
	}
	return d, nil
}

// applyReview applies a review form's edits to the parsed plan p. Inputs
// that cannot be applied (a value that is not a number) are left as parsed
// and reported; the rest is for importer.Validate. Dropped targets keep
// their parsed values: they are not saved, so their inputs do not matter.
func applyReview(p *plan.Plan, form url.Values) map[string]string {
	fields := map[string]string{}
	text := func(key string, dst *string) {
		if form.Has(key) {
			*dst = strings.TrimSpace(form.Get(key))
		}
	}
	text("title", &p.Title)
	text("issuer", &p.Issuer)
	text("issued_on", &p.IssuedOn)
	text("doc_no", &p.DocNo)
	if form.Has("year") {
		y, err := strconv.Atoi(strings.TrimSpace(form.Get("year")))
		if err != nil {
			fields["year"] = "年度须为2000至2100之间的整数"
		} else {
			p.Year = y
		}
	}
	for si := range p.Sections {
		sec := &p.Sections[si]
		text(importer.SectionField(si), &sec.Title)
		for ii := range sec.Items {
			text(importer.ItemField(si, ii), &sec.Items[ii].Title)
		}
	}
	for ki := range p.KeyItems {
		k := &p.KeyItems[ki]
		text(importer.KeyField(ki), &k.Title)
		for mi := range k.Measures {
			m := &k.Measures[mi]
			m.Done = form.Has(importer.MeasureField(ki, mi))
			if !m.Done {
				m.DoneNote = ""
			}
		}
	}
	for _, t := range importer.Targets(p) {
		i := t.Index
		if form.Has(importer.TargetField(i, "drop")) {
			continue
		}
		text(importer.TargetField(i, "name"), &t.Name)
		if form.Has(importer.TargetField(i, "value")) {
			if !importer.SetValue(t.Target, form.Get(importer.TargetField(i, "value")), form.Get(importer.TargetField(i, "unit"))) {
				fields[importer.TargetField(i, "value")] = importer.MsgValue(i)
			}
		}
		if form.Has(importer.TargetField(i, "comparator")) {
			t.Comparator = plan.Comparator(form.Get(importer.TargetField(i, "comparator")))
		}
		t.Increment = form.Has(importer.TargetField(i, "increment"))
	}
	return fields
}

// reviewPage shows everything an import will create, with inputs for what
// a reviewer may correct.
type reviewPage struct {
	Layout
	Review  *importer.Review
	Plan    *plan.Plan
	Targets []targetRow
	// Form is the submitted form when the review is shown again; inputs
	// then show what was typed.
	Form   url.Values
	Fields map[string]string
	Error  string
	// Units are the org units a reviewer may assign (planimport_units.go).
	Units []org.Unit
	// Conflict shows the plan to replace as it is now, when it changed
	// since the review was opened (409, issue 7).
	Conflict *conflictView
}

// targetRow is one target of the review.
type targetRow struct {
	importer.TargetRef
	Where  string
	Number string // the value as written, for the input
	Unit   string
	// Mark is the value as the document writes it, marked in the source.
	Mark string
}

func (s *Server) renderReview(w http.ResponseWriter, r *http.Request, status int, d *reviewData, msg string) error {
	l, err := s.importLayout(w, r, "import.review")
	if err != nil {
		return err
	}
	rev := d.rev
	page := &reviewPage{Layout: l, Review: rev, Plan: rev.Plan, Form: d.form, Fields: d.fields, Error: msg, Conflict: d.conflict}
	if page.Units, err = s.db.Units(r.Context()); err != nil {
		return err
	}
	for _, t := range importer.Targets(rev.Plan) {
		row := targetRow{TargetRef: t, Mark: t.ValueText()}
		if t.Index < len(d.marks) {
			row.Mark = d.marks[t.Index]
		}
		row.Number, row.Unit = importer.WrittenValue(*t.Target)
		switch {
		case t.Headline():
			row.Where = l.T("plan.headline_targets")
		case t.Section >= 0:
			sec := rev.Plan.Sections[t.Section]
			row.Where = l.T("import.where_item", sec.No, sec.Items[t.Item].No)
		default:
			row.Where = l.T("import.where_key", rev.Plan.KeyItems[t.Key].No)
		}
		page.Targets = append(page.Targets, row)
	}
	return s.render(w, status, "planreview", page)
}

// V returns the value an input shows: what was submitted, else def.
func (p *reviewPage) V(name string, def any) string {
	if p.Form != nil && p.Form.Has(name) {
		return p.Form.Get(name)
	}
	return fmt.Sprint(def)
}

// Checked reports whether a checkbox is ticked: as submitted, else def.
func (p *reviewPage) Checked(name string, def bool) bool {
	if p.Form != nil {
		return p.Form.Has(name)
	}
	return def
}

// Err returns the message of an input, or "".
func (p *reviewPage) Err(name string) string { return p.Fields[name] }

// ErrorList lists the field messages in page order.
func (p *reviewPage) ErrorList() []string {
	if len(p.Fields) == 0 {
		return nil
	}
	order := []string{"title", "issuer", "issued_on", "year", "doc_no"}
	for _, t := range p.Targets {
		for _, f := range []string{"name", "comparator", "value", "unit"} {
			order = append(order, importer.TargetField(t.Index, f))
		}
	}
	for si, sec := range p.Plan.Sections {
		order = append(order, importer.SectionField(si))
		for ii := range sec.Items {
			order = append(order, importer.ItemField(si, ii))
		}
	}
	for ki := range p.Plan.KeyItems {
		order = append(order, importer.KeyField(ki))
	}
	seen := map[string]bool{}
	var out []string
	for _, k := range order {
		if m, ok := p.Fields[k]; ok && !seen[k] {
			seen[k] = true
			out = append(out, m)
		}
	}
	var rest []string
	for k, m := range p.Fields {
		if !seen[k] {
			rest = append(rest, m)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// Comparators lists the comparator choices with their catalogue keys.
func (p *reviewPage) Comparators() []comparatorChoice {
	out := make([]comparatorChoice, 0, len(importer.Comparators))
	for _, c := range importer.Comparators {
		out = append(out, comparatorChoice{Value: string(c), Key: plan.Target{Comparator: c}.ComparatorKey()})
	}
	return out
}

type comparatorChoice struct {
	Value string
	Key   string
}

// Field names a review input; templates use it so that they and the
// handler agree on the names.
func (p *reviewPage) Field(kind string, idx ...int) string {
	switch kind {
	case "section":
		return importer.SectionField(idx[0])
	case "item":
		return importer.ItemField(idx[0], idx[1])
	case "key":
		return importer.KeyField(idx[0])
	case "measure":
		return importer.MeasureField(idx[0], idx[1])
	}
	return importer.TargetField(idx[0], kind)
}
