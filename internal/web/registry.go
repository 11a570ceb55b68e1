package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/i18n"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/period"
	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/registry"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/text"
)

// The registries (科技主体库, issue 9): lists with filters, a detail page
// with the record's history, forms, Excel/CSV import with a preview and an
// error report, export of any filtered list.

var (
	registryReaders = []auth.Role{auth.Staff, auth.Reporter, auth.Leader}
	registryWriters = []auth.Role{auth.Staff, auth.Reporter}
)

// importCeiling is the hard body limit of an upload; the configurable
// file limit (Config.ImportMaxBytes) is at most this.
const importCeiling = 64 << 20

func init() {
	for _, k := range registry.Kinds {
		for _, p := range []string{"/import", "/import/confirm", "/import/errors"} {
			bodyLimits["POST /registry/"+k.Name+p] = bodyLimit{importCeiling + 1<<20, registry.MsgTooLarge(importCeiling)}
		}
	}
}

func (s *Server) registryRoutes() []route {
	rs := []route{
		{"GET /registry", s.registryIndex, registryReaders},
		{"GET /registry/options", s.registryOptions, staffOnly},
		{"POST /registry/options", s.registrySaveOptions, staffOnly},
		{"POST /plans/{id}/bindings", s.planBind, staffOnly},
	}
	for _, k := range registry.Kinds {
		base := "/registry/" + k.Name
		rs = append(rs,
			route{"GET " + base, s.kindHandler(k, s.registryList), registryReaders},
			route{"GET " + base + "/export", s.kindHandler(k, s.registryExport), registryReaders},
			route{"GET " + base + "/template", s.kindHandler(k, s.registryTemplate), registryWriters},
			route{"GET " + base + "/new", s.kindHandler(k, s.registryNew), registryWriters},
			route{"POST " + base + "/new", s.kindHandler(k, s.registryCreate), registryWriters},
			route{"GET " + base + "/import", s.kindHandler(k, s.registryImportForm), registryWriters},
			route{"POST " + base + "/import", s.kindHandler(k, s.registryImportUpload), registryWriters},
			route{"POST " + base + "/import/confirm", s.kindHandler(k, s.registryImportConfirm), registryWriters},
			route{"POST " + base + "/import/errors", s.kindHandler(k, s.registryImportErrors), registryWriters},
			route{"GET " + base + "/{id}", s.kindHandler(k, s.registryDetail), registryReaders},
			route{"GET " + base + "/{id}/edit", s.kindHandler(k, s.registryEdit), registryWriters},
			route{"POST " + base + "/{id}/edit", s.kindHandler(k, s.registryUpdate), registryWriters},
		)
	}
	return rs
}

type kindFunc func(k *registry.Kind, w http.ResponseWriter, r *http.Request) error

func (s *Server) kindHandler(k *registry.Kind, f kindFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error { return f(k, w, r) }
}

// regLayout is the common data of the registry pages.
type regLayout struct {
	Layout
	Kind    *registry.Kind
	Kinds   []*registry.Kind
	Options registry.Options
	// Units are the units the user may pick (its scope), in tree order.
	Units   []org.Node
	CanEdit bool
	// all are every unit, for parsing a form (registry.Env).
	all []org.Unit
}

func (s *Server) regLayout(w http.ResponseWriter, r *http.Request, k *registry.Kind, title string) (regLayout, error) {
	l, err := s.layout(w, r, "registry", "registry.title")
	if err != nil {
		return regLayout{}, err
	}
	a := auth.ActorFrom(r.Context())
	l.Crumbs = []Crumb{{Label: l.T("registry.title"), URL: "/registry"}}
	if k != nil {
		l.Crumbs = append(l.Crumbs, Crumb{Label: k.Title, URL: "/registry/" + k.Name})
		l.Title = k.Title + " · " + l.T("registry.title")
	}
	if title != "" {
		l.Crumbs = append(l.Crumbs, Crumb{Label: title})
		l.Title = title
	}
	l.Crumbs[len(l.Crumbs)-1].URL = ""
	opts, err := s.db.RegistryOptions(r.Context())
	if err != nil {
		return regLayout{}, err
	}
	units, err := s.db.Units(r.Context())
	if err != nil {
		return regLayout{}, err
	}
	var nodes []org.Node
	for _, n := range org.Flatten(units) {
		if a.Scope.Has(n.ID) && n.Kind != org.Bureau && n.Kind != org.Section {
			nodes = append(nodes, n)
		}
	}
	return regLayout{Layout: l, Kind: k, Kinds: registry.Kinds, Options: opts, Units: nodes,
		CanEdit: a.Role == auth.Staff || a.Role == auth.Reporter, all: units}, nil
}

// regEnv returns the parsing environment of the request's user.
func (s *Server) regEnv(r *http.Request, opts registry.Options) (*registry.Env, error) {
	units, err := s.db.Units(r.Context())
	if err != nil {
		return nil, err
	}
	return &registry.Env{Units: units, Scope: auth.ActorFrom(r.Context()).Scope, Options: opts}, nil
}

// Choices returns the values of an enumeration or list field.
func (l *regLayout) Choices(f registry.Field) []string { return l.Options.ChoicesOf(&f) }

// Cell formats a record's value for a table.
func (l *regLayout) Cell(rec any, f registry.Field) string {
	var v string
	switch r := rec.(type) {
	case registry.Record:
		v = r.Values[f.Key]
	case *registry.Record:
		v = r.Values[f.Key]
	}
	if f.Type == registry.Money && v != "" {
		n, _ := strconv.ParseInt(v, 10, 64)
		return registry.FormatYuan(n)
	}
	return v
}

type registryIndexPage struct {
	regLayout
	Counts map[string]int
}

func (s *Server) registryIndex(w http.ResponseWriter, r *http.Request) error {
	l, err := s.regLayout(w, r, nil, "")
	if err != nil {
		return err
	}
	page := &registryIndexPage{regLayout: l, Counts: map[string]int{}}
	for _, k := range registry.Kinds {
		n, err := s.db.CountRecords(r.Context(), auth.ActorFrom(r.Context()).Scope, k)
		if err != nil {
			return err
		}
		page.Counts[k.Name] = n
	}
	return s.render(w, http.StatusOK, "registry_index", page)
}

// filterFrom reads a list's filter from the query string.
func filterFrom(k *registry.Kind, q url.Values) (registry.Filter, map[string]string) {
	f := registry.Filter{Query: text.CleanLine(strings.TrimSpace(q.Get("q"))), Eq: map[string]string{}, Qual: q.Get("qual"),
		Sort: q.Get("sort"), Desc: q.Get("desc") == "1"}
	fields := map[string]string{}
	f.UnitID, _ = strconv.ParseInt(q.Get("unit"), 10, 64)
	for _, fd := range k.Enums() {
		if v := q.Get(fd.Key); v != "" {
			f.Eq[fd.Key] = v
		}
	}
	for key, dst := range map[string]*string{"from": &f.From, "to": &f.To, "on": &f.QualOn} {
		if v := strings.TrimSpace(q.Get(key)); v != "" {
			d, err := registry.ParseDate(v)
			if err != nil {
				fields[key] = err.Error()
				continue
			}
			*dst = d
		}
	}
	if p, err := strconv.Atoi(q.Get("page")); err == nil && p > 1 {
		f.Offset = (p - 1) * registry.DefaultLimit
	}
	f.Limit = registry.DefaultLimit
	return f, fields
}

type registryListPage struct {
	regLayout
	Records []registry.Record
	Columns []registry.Field
	Filter  registry.Filter
	Query   url.Values
	Fields  map[string]string
	Total   int
	Page    int
	Pages   int
	Prev    string
	Next    string
	// Export is the query string of the filter, for the export buttons.
	Export string
}

// SortURL returns the list's URL sorted by key (toggling the direction).
func (p *registryListPage) SortURL(key string) string {
	q := url.Values{}
	for k, v := range p.Query {
		q[k] = v
	}
	q.Del("page")
	q.Set("sort", key)
	q.Del("desc")
	if p.Filter.Sort == key && !p.Filter.Desc {
		q.Set("desc", "1")
	}
	return "/registry/" + p.Kind.Name + "?" + q.Encode()
}

// Sortable reports whether the list can sort by key.
func (p *registryListPage) Sortable(key string) bool {
	for _, s := range p.Kind.Sorts {
		if s == key {
			return true
		}
	}
	return false
}

func (s *Server) registryList(k *registry.Kind, w http.ResponseWriter, r *http.Request) error {
	l, err := s.regLayout(w, r, k, "")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f, fields := filterFrom(k, q)
	page := &registryListPage{regLayout: l, Filter: f, Query: q, Fields: fields}
	for _, fd := range k.Fields {
		if fd.List {
			page.Columns = append(page.Columns, fd)
		}
	}
	status := http.StatusOK
	if len(fields) > 0 {
		status = http.StatusUnprocessableEntity
	} else {
		page.Records, page.Total, err = s.db.Records(r.Context(), auth.ActorFrom(r.Context()).Scope, k, f)
		if err != nil {
			return err
		}
	}
	page.Page = f.Offset/registry.DefaultLimit + 1
	page.Pages = max(1, (page.Total+registry.DefaultLimit-1)/registry.DefaultLimit)
	nav := func(p int) string {
		q2 := url.Values{}
		for k, v := range q {
			q2[k] = v
		}
		q2.Set("page", strconv.Itoa(p))
		return "/registry/" + k.Name + "?" + q2.Encode()
	}
	if page.Page > 1 {
		page.Prev = nav(page.Page - 1)
	}
	if page.Page < page.Pages {
		page.Next = nav(page.Page + 1)
	}
	eq := url.Values{}
	for key, v := range q {
		if key != "page" {
			eq[key] = v
		}
	}
	page.Export = eq.Encode()
	return s.render(w, status, "registry_list", page)
}

// registryExport writes the filtered list (every page) as .xlsx or CSV.
func (s *Server) registryExport(k *registry.Kind, w http.ResponseWriter, r *http.Request) error {
	f, fields := filterFrom(k, r.URL.Query())
	if len(fields) > 0 {
		return apperr.WithFields("筛选条件有误", fields)
	}
	f.Offset, f.Limit = 0, registry.MaxList
	recs, _, err := s.db.Records(r.Context(), auth.ActorFrom(r.Context()).Scope, k, f)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	ext, ctype := "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	if r.URL.Query().Get("format") == "csv" {
		ext, ctype = "csv", "text/csv; charset=utf-8"
		err = k.WriteCSV(&buf, recs)
	} else {
		err = k.WriteXLSX(&buf, recs)
	}
	if err != nil {
		return err
	}
	err = s.db.InTx(r.Context(), func(tx *store.Tx) error {
		return tx.Audit(s.source(r).New(audit.RegistryExported, k.Entity, "", nil,
			map[string]any{"registry": k.Name, "rows": len(recs), "filter": r.URL.RawQuery, "format": ext}))
	})
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%s-%s.%s", k.Title, s.db.Now().In(period.China).Format("20060102"), ext)
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
	_, err = buf.WriteTo(w)
	return err
}

func (s *Server) registryTemplate(k *registry.Kind, w http.ResponseWriter, r *http.Request) error {
	opts, err := s.db.RegistryOptions(r.Context())
	if err != nil {
		return err
	}
	units, err := s.db.Units(r.Context())
	if err != nil {
		return err
	}
	a := auth.ActorFrom(r.Context())
	var mine []org.Unit
	for _, u := range units {
		if a.Scope.Has(u.ID) {
			mine = append(mine, u)
		}
	}
	var buf bytes.Buffer
	if err := k.WriteTemplate(&buf, opts, mine); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(k.Title+"导入模板.xlsx"))
	_, err = buf.WriteTo(w)
	return err
}

type registryDetailPage struct {
	regLayout
	Record  *registry.Record
	History []registry.Version
}

func (s *Server) loadRecord(k *registry.Kind, r *http.Request) (*registry.Record, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return s.db.Record(r.Context(), auth.ActorFrom(r.Context()).Scope, k, id)
}

func (s *Server) registryDetail(k *registry.Kind, w http.ResponseWriter, r *http.Request) error {
	rec, err := s.loadRecord(k, r)
	if err != nil {
		return err
	}
	hist, err := s.db.RecordHistory(r.Context(), auth.ActorFrom(r.Context()).Scope, k, rec.ID)
	if err != nil {
		return err
	}
	// Every registry has a name field: the page's title.
	l, err := s.regLayout(w, r, k, rec.Values["name"])
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "registry_detail", &registryDetailPage{regLayout: l, Record: rec, History: hist})
}

type registryFormPage struct {
	regLayout
	New bool
	ID  int64
	// RecVersion is the version the form edits (Layout.Version is the
	// product's).
	RecVersion int64
	Values     map[string]string
	Fields     map[string]string
	Error      string
	// Since are the changes others made after the version the form was
	// opened at, shown on a conflict.
	Since []registry.Version
}

// Has reports whether a List field's value holds item.
func (p *registryFormPage) Has(key, item string) bool {
	for _, v := range strings.Split(p.Values[key], "、") {
		if v == item {
			return true
		}
	}
	return false
}

// UnitID is the unit of the form (an id, for the select).
func (p *registryFormPage) UnitID() int64 {
	for _, u := range p.Units {
		if u.Name == p.Values["unit"] {
			return u.ID
		}
	}
	return 0
}

func (s *Server) registryNew(k *registry.Kind, w http.ResponseWriter, r *http.Request) error {
	l, err := s.regLayout(w, r, k, i18n.T(lang(r), "registry.new", k.Title))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "registry_form", &registryFormPage{regLayout: l, New: true, Values: map[string]string{}})
}

func (s *Server) registryEdit(k *registry.Kind, w http.ResponseWriter, r *http.Request) error {
	rec, err := s.loadRecord(k, r)
	if err != nil {
		return err
	}
	l, err := s.regLayout(w, r, k, i18n.T(lang(r), "registry.edit"))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "registry_form", &registryFormPage{regLayout: l, ID: rec.ID, RecVersion: rec.Version, Values: rec.Values})
}

// formValues reads a record form: the unit comes as an id, a List field as
// checkboxes.
func formValues(k *registry.Kind, r *http.Request, units []org.Node) map[string]string {
	raw := map[string]string{}
	for _, f := range k.Fields {
		switch f.Type {
		case registry.List:
			raw[f.Key] = strings.Join(r.PostForm[f.Key], "、")
		case registry.UnitRef:
			id, _ := strconv.ParseInt(r.PostFormValue(f.Key), 10, 64)
			for _, u := range units {
				if u.ID == id {
					raw[f.Key] = u.Name
				}
			}
		default:
			raw[f.Key] = r.PostFormValue(f.Key)
		}
	}
	return raw
}

func (s *Server) registryCreate(k *registry.Kind, w http.ResponseWriter, r *http.Request) error {
	return s.registrySave(k, w, r, 0)
}

func (s *Server) registryUpdate(k *registry.Kind, w http.ResponseWriter, r *http.Request) error {
	rec, err := s.loadRecord(k, r)
	if err != nil {
		return err
	}
	return s.registrySave(k, w, r, rec.ID)
}

// registrySave validates a form and writes it with its audit entry; field
// errors re-render the form (422), a stale version shows what others
// changed meanwhile (409).
func (s *Server) registrySave(k *registry.Kind, w http.ResponseWriter, r *http.Request, id int64) error {
	title := i18n.T(lang(r), "registry.new", k.Title)
	if id != 0 {
		title = i18n.T(lang(r), "registry.edit")
	}
	l, err := s.regLayout(w, r, k, title)
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if id != 0 && version <= 0 {
		return apperr.New(apperr.Invalid, "表单缺少版本号,请刷新页面后重试")
	}
	raw := formValues(k, r, l.Units)
	a := auth.ActorFrom(r.Context())
	rec, fields := k.Parse(raw, &registry.Env{Units: l.all, Scope: a.Scope, Options: l.Options})
	page := &registryFormPage{regLayout: l, New: id == 0, ID: id, RecVersion: version, Values: raw, Fields: fields}
	if len(fields) > 0 {
		page.Error = i18n.T(lang(r), "registry.invalid")
		return s.render(w, http.StatusUnprocessableEntity, "registry_form", page)
	}
	rec.ID = id
	if id == 0 {
		// A new record must not merge into an existing one silently.
		version = -1
	}
	var res store.SaveResult
	err = s.db.InTx(r.Context(), func(tx *store.Tx) error {
		var err error
		if version == -1 {
			res, err = tx.SaveRecordNew(k, rec, a.Scope, s.source(r))
		} else {
			res, err = tx.SaveRecord(k, rec, a.Scope, s.source(r), version)
		}
		if err != nil || res.Outcome == store.Unchanged {
			return err
		}
		action := audit.RegistryUpdated
		if res.Outcome == store.Created {
			action = audit.RegistryCreated
		}
		return tx.Audit(s.source(r).New(action, k.Entity, strconv.FormatInt(res.Record.ID, 10), res.Before, res.Record.Values))
	})
	if e := apperr.As(err); e != nil && e.Code != apperr.Internal && e.Code != apperr.NotFound {
		status := httpStatus(e.Code)
		page.Fields, page.Error = e.Fields, e.Message
		if e.Code == apperr.Conflict && id != 0 {
			hist, herr := s.db.RecordHistory(r.Context(), a.Scope, k, id)
			if herr != nil {
				return herr
			}
			for _, h := range hist {
				if h.Version > version {
					page.Since = append(page.Since, h)
				}
			}
			if cur, cerr := s.db.Record(r.Context(), a.Scope, k, id); cerr == nil {
				page.RecVersion = cur.Version
			}
		}
		return s.render(w, status, "registry_form", page)
	}
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, fmt.Sprintf("/registry/%s/%d", k.Name, res.Record.ID), i18n.T(lang(r), "registry.saved"))
}

// --- import ---

type registryImportPage struct {
	regLayout
	Error   string
	Batch   *registry.Batch
	Summary registry.Summary
	SHA256  string
	Name    string
	// Errors are the first row errors shown on the page (all are in the
	// downloadable report).
	Errors []registry.RowError
	// Sample is the first valid rows.
	Sample []registry.Row
	Limit  int64
}

func (s *Server) importLimit() int64 {
	if s.importMax > 0 && s.importMax <= importCeiling {
		return s.importMax
	}
	return registry.DefaultMaxFileSize
}

func (s *Server) registryImportForm(k *registry.Kind, w http.ResponseWriter, r *http.Request) error {
	return s.renderRegImport(k, w, r, http.StatusOK, &registryImportPage{})
}

func (s *Server) renderRegImport(k *registry.Kind, w http.ResponseWriter, r *http.Request, status int, page *registryImportPage) error {
	l, err := s.regLayout(w, r, k, i18n.T(lang(r), "registry.import_title", k.Title))
	if err != nil {
		return err
	}
	page.regLayout, page.Limit = l, s.importLimit()>>20
	return s.render(w, status, "registry_import", page)
}

// prepareImport reads a kept or uploaded file, checks every row and runs
// the import as a dry run: the preview shows exactly what confirming does.
func (s *Server) prepareImport(k *registry.Kind, r *http.Request, name string, data []byte) (*registry.Batch, registry.Summary, error) {
	tbl, err := registry.ReadTable(name, data, s.importLimit())
	if err != nil {
		return nil, registry.Summary{}, err
	}
	opts, err := s.db.RegistryOptions(r.Context())
	if err != nil {
		return nil, registry.Summary{}, err
	}
	env, err := s.regEnv(r, opts)
	if err != nil {
		return nil, registry.Summary{}, err
	}
	b, err := k.Prepare(tbl, env)
	if err != nil {
		return nil, registry.Summary{}, err
	}
	sum, err := s.db.ImportBatch(r.Context(), b, auth.ActorFrom(r.Context()).Scope, s.source(r), store.ImportOptions{DryRun: true})
	return b, sum, err
}

func (s *Server) registryImportUpload(k *registry.Kind, w http.ResponseWriter, r *http.Request) error {
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return s.renderRegImport(k, w, r, http.StatusUnprocessableEntity, &registryImportPage{Error: i18n.T(lang(r), "registry.no_file")})
	}
	defer f.Close()
	limit := s.importLimit()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return err
	}
	if int64(len(data)) > limit {
		return s.renderRegImport(k, w, r, http.StatusRequestEntityTooLarge, &registryImportPage{Error: registry.MsgTooLarge(limit)})
	}
	b, sum, err := s.prepareImport(k, r, hdr.Filename, data)
	if e := apperr.As(err); e != nil && e.Code != apperr.Internal {
		return s.renderRegImport(k, w, r, httpStatus(e.Code), &registryImportPage{Error: e.Message})
	}
	if err != nil {
		return err
	}
	sum256 := sha256.Sum256(data)
	hash := hex.EncodeToString(sum256[:])
	err = s.db.InTx(r.Context(), func(tx *store.Tx) error {
		return tx.PutFile(store.File{SHA256: hash, Name: hdr.Filename, Content: data, CreatedBy: auth.ActorFrom(r.Context()).Username})
	})
	if err != nil {
		return err
	}
	page := &registryImportPage{Batch: b, Summary: sum, SHA256: hash, Name: hdr.Filename}
	page.Errors = b.Errors()
	if len(page.Errors) > 200 {
		page.Errors = page.Errors[:200]
	}
	for _, row := range b.Accepted() {
		if len(page.Sample) == 10 {
			break
		}
		page.Sample = append(page.Sample, row)
	}
	return s.renderRegImport(k, w, r, http.StatusOK, page)
}

// keptImport reopens an upload kept by registryImportUpload.
func (s *Server) keptImport(k *registry.Kind, r *http.Request) (*registry.Batch, registry.Summary, store.File, error) {
	hash := r.PostFormValue("sha256")
	if len(hash) != 64 {
		return nil, registry.Summary{}, store.File{}, apperr.New(apperr.Invalid, "请重新上传文件")
	}
	file, err := s.db.File(r.Context(), hash)
	if apperr.Is(err, apperr.NotFound) {
		return nil, registry.Summary{}, file, apperr.New(apperr.Invalid, "上传的文件已不存在,请重新上传")
	}
	if err != nil {
		return nil, registry.Summary{}, file, err
	}
	b, sum, err := s.prepareImport(k, r, file.Name, file.Content)
	return b, sum, file, err
}

func (s *Server) registryImportConfirm(k *registry.Kind, w http.ResponseWriter, r *http.Request) error {
	b, _, file, err := s.keptImport(k, r)
	if e := apperr.As(err); e != nil && e.Code != apperr.Internal {
		return s.renderRegImport(k, w, r, httpStatus(e.Code), &registryImportPage{Error: e.Message})
	}
	if err != nil {
		return err
	}
	validOnly := r.PostFormValue("mode") == "valid_only"
	sum, err := s.db.ImportBatch(r.Context(), b, auth.ActorFrom(r.Context()).Scope, s.source(r),
		store.ImportOptions{ValidOnly: validOnly, FileName: file.Name, SHA256: file.SHA256})
	if e := apperr.As(err); e != nil && e.Code != apperr.Internal {
		return s.renderRegImport(k, w, r, httpStatus(e.Code), &registryImportPage{Error: e.Message, Batch: b, Errors: b.Errors(),
			SHA256: file.SHA256, Name: file.Name, Summary: registry.Summary{Read: b.Read, Accepted: len(b.Accepted()), Rejected: b.Rejected()}})
	}
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, "/registry/"+k.Name, i18n.T(lang(r), "registry.imported",
		sum.Read, sum.Created, sum.Updated, sum.Unchanged, sum.Rejected))
}

// registryImportErrors downloads the error report of a kept upload.
func (s *Server) registryImportErrors(k *registry.Kind, w http.ResponseWriter, r *http.Request) error {
	b, _, file, err := s.keptImport(k, r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := b.WriteErrors(&buf); err != nil {
		return err
	}
	name := strings.TrimSuffix(strings.TrimSuffix(file.Name, ".xlsx"), ".csv") + "-错误报告.xlsx"
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	_, err = buf.WriteTo(w)
	return err
}

// --- options ---

type registryOptionsPage struct {
	regLayout
	Lists []optionList
	Error string
}

type optionList struct {
	Name, Title string
	Text        string
}

func (s *Server) registryOptions(w http.ResponseWriter, r *http.Request) error {
	return s.renderOptions(w, r, http.StatusOK, "")
}

func (s *Server) renderOptions(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	l, err := s.regLayout(w, r, nil, i18n.T(lang(r), "registry.options"))
	if err != nil {
		return err
	}
	page := &registryOptionsPage{regLayout: l, Error: msg}
	for _, ol := range registry.OptionLists {
		page.Lists = append(page.Lists, optionList{Name: ol.Name, Title: ol.Title, Text: strings.Join(l.Options[ol.Name], "\n")})
	}
	return s.render(w, status, "registry_options", page)
}

func (s *Server) registrySaveOptions(w http.ResponseWriter, r *http.Request) error {
	before, err := s.db.RegistryOptions(r.Context())
	if err != nil {
		return err
	}
	err = s.db.InTx(r.Context(), func(tx *store.Tx) error {
		for _, ol := range registry.OptionLists {
			vals := strings.Split(strings.ReplaceAll(r.PostFormValue(ol.Name), "\r", ""), "\n")
			if strings.Join(vals, "\n") == strings.Join(before[ol.Name], "\n") {
				continue
			}
			if err := tx.SetRegistryOptions(ol.Name, vals, s.source(r)); err != nil {
				return err
			}
		}
		return nil
	})
	if e := apperr.As(err); e != nil && e.Code == apperr.Invalid {
		return s.renderOptions(w, r, http.StatusUnprocessableEntity, e.Message)
	}
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, "/registry/options", i18n.T(lang(r), "registry.options_saved"))
}

// --- computed indicators on the plan overview ---

// ComputedTarget is a headline target with its registry binding and
// computed value.
type ComputedTarget struct {
	Target  plan.Target
	Query   registry.QueryKind
	Title   string
	Result  *registry.Result
	Suggest registry.QueryKind
}

// computedTargets computes the bound headline targets of a plan for the
// whole city, as of today within the plan's year.
func (s *Server) computedTargets(r *http.Request, planID int64, year int, targets []plan.Target) ([]ComputedTarget, error) {
	binds, err := s.db.IndicatorBindings(r.Context(), planID)
	if err != nil {
		return nil, err
	}
	asOf := registry.AsOfFor(year, s.db.Now())
	var out []ComputedTarget
	for _, t := range targets {
		ct := ComputedTarget{Target: t}
		ct.Suggest, _ = registry.SuggestQuery(t.Name, t.Unit)
		if b, ok := binds[t.ID]; ok {
			ct.Query = b.Query
			info, _ := registry.QueryByKind(b.Query)
			ct.Title = info.Title
			res, err := registry.Compute(r.Context(), s.db, b.Query, 0, asOf)
			if err != nil {
				return nil, err
			}
			ct.Result = &res
		}
		out = append(out, ct)
	}
	return out, nil
}

// planBind binds (or unbinds) a plan's indicator to a registry query.
func (s *Server) planBind(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := s.db.Plan(r.Context(), auth.ActorFrom(r.Context()).Scope, id)
	if err != nil {
		return err
	}
	indID, _ := strconv.ParseInt(r.PostFormValue("indicator"), 10, 64)
	found := false
	for _, t := range p.Targets {
		found = found || t.ID == indID
	}
	if !found {
		return apperr.New(apperr.NotFound, "未找到")
	}
	q := registry.QueryKind(r.PostFormValue("query"))
	err = s.db.InTx(r.Context(), func(tx *store.Tx) error {
		if q == "" {
			return tx.UnbindIndicator(indID, s.source(r))
		}
		return tx.BindIndicator(indID, q, s.source(r))
	})
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, fmt.Sprintf("/plans/%d", id), i18n.T(lang(r), "registry.bound"))
}

// ValueText writes the computed value as the plan writes its target:
// 4.39亿元, 165家.
func (c ComputedTarget) ValueText() string {
	if c.Result == nil {
		return ""
	}
	return plan.FormatValue(float64(c.Result.Value), c.Result.Unit)
}

// Completion is the computed value over the target, in whole percent (0
// without a target).
func (c ComputedTarget) Completion() int {
	if c.Result == nil || c.Target.Value <= 0 {
		return 0
	}
	return int(float64(c.Result.Value) / c.Target.Value * 100)
}

// Queries lists the query kinds for the binding form.
func (l *Layout) Queries() []registry.QueryInfo { return registry.Queries }
