package web

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/supervision"
)

// supervisionRoutes are the 督办 pages (issue 8, item 4): notices, their
// steps and evidence, and the automatic watch lists. Reporters see the
// notices to their unit subtree (the store applies the scope).
func (s *Server) supervisionRoutes() []route {
	reporter := []auth.Role{auth.Reporter}
	rs := []route{
		{"GET /supervision", s.supervisionList, planReaders},
		{"GET /supervision/watch", s.watch, planReaders},
		{"GET /supervision/notices/new", s.noticeNew, staffOnly},
		{"POST /supervision/notices", s.noticeCreate, staffOnly},
		{"GET /supervision/notices/{id}", s.noticePage, planReaders},
		{"GET /supervision/notices/{id}/files/{file}", s.noticeFile, planReaders},
	}
	for path, step := range noticeSteps {
		allow := staffOnly
		if supervision.Actions[step].By == supervision.Unit {
			allow = reporter
		}
		rs = append(rs, route{"POST /supervision/notices/{id}/" + path, s.noticeAct(step), allow})
	}
	return rs
}

// noticeSteps maps a step's path to the step.
var noticeSteps = map[string]string{
	"remind": supervision.StepReminded, "reply": supervision.StepReplied, "extension": supervision.StepExtensionAsked,
	"grant": supervision.StepExtensionGranted, "refuse": supervision.StepExtensionRefused, "close": supervision.StepClosed,
	"escalate": supervision.StepEscalated,
}

func init() {
	// dict builds a map for a sub-template (name, value, name, value…);
	// list a slice of strings.
	funcs["dict"] = func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, errors.New("dict: odd number of arguments")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, errors.New("dict: keys must be strings")
			}
			m[k] = kv[i+1]
		}
		return m, nil
	}
	funcs["list"] = func(s ...string) []string { return s }
	// A reply carries up to MaxFiles evidence files of 20 MB each.
	bodyLimits["POST /supervision/notices/{id}/reply"] = bodyLimit{n: 100 << 20,
		message: "上传的文件过大:每个文件不超过20 MB,一次合计不超过100 MB"}
}

// noticeRow is a notice in a list with its 三色 mark.
type noticeRow struct {
	store.Notice
	Color string
}

type noticeListPage struct {
	Layout
	Notices []noticeRow
	Status  string
	Counts  map[string]int
	Today   string
	// StatusList is the order of the status filters.
	StatusList []string
}

func (s *Server) supervisionList(w http.ResponseWriter, r *http.Request) error {
	a := auth.ActorFrom(r.Context())
	status := r.URL.Query().Get("status")
	all, err := s.db.Notices(r.Context(), a.Scope, store.NoticeFilter{})
	if err != nil {
		return err
	}
	page := noticeListPage{Status: status, Counts: map[string]int{}, Today: supervision.Today(s.db.Now()),
		StatusList: supervision.Statuses}
	for _, n := range all {
		page.Counts[n.Status]++
		open := n.Status != supervision.Closed
		if status == "" && open || status == n.Status || status == "all" {
			page.Notices = append(page.Notices, noticeRow{Notice: n, Color: dueColor(n, page.Today)})
		}
	}
	l, err := s.layout(w, r, "supervision", "sup.title")
	if err != nil {
		return err
	}
	l.Crumbs = []Crumb{{Label: l.T("sup.title")}}
	page.Layout = l
	return s.render(w, http.StatusOK, "supervision", &page)
}

// dueColor marks a notice against its reply deadline: red when overdue,
// yellow within two days, green otherwise; closed notices are grey.
func dueColor(n store.Notice, today string) string {
	if n.Status == supervision.Closed {
		return "grey"
	}
	return supervision.DeadlineColor(n.ReplyDue, today)
}

type noticeFormPage struct {
	Layout
	Form   supervision.Issue
	Units  []unitOption
	Task   *store.TaskDetail
	Fields map[string]string
	Error  string
}

func (s *Server) renderNoticeForm(w http.ResponseWriter, r *http.Request, status int, p noticeFormPage) error {
	l, err := s.layout(w, r, "supervision", "sup.new")
	if err != nil {
		return err
	}
	l.Crumbs = []Crumb{{Label: l.T("sup.title"), URL: "/supervision"}, {Label: l.T("sup.new")}}
	units, err := s.db.Units(r.Context())
	if err != nil {
		return err
	}
	var opts []org.Unit
	for _, u := range units {
		if u.Kind != org.Bureau && u.Kind != org.Section {
			opts = append(opts, u)
		}
	}
	p.Layout, p.Units = l, unitOptions(opts, 0)
	if p.Form.TaskID != 0 {
		if t, err := s.db.Task(r.Context(), auth.Everything, p.Form.TaskID); err == nil {
			p.Task = t
		}
	}
	if p.Fields == nil {
		p.Fields = map[string]string{}
	}
	return s.render(w, status, "supervision_new", &p)
}

func queryInt(v url.Values, name string) int64 {
	n, _ := strconv.ParseInt(v.Get(name), 10, 64)
	return n
}

func (s *Server) noticeNew(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := supervision.Issue{UnitID: queryInt(q, "unit"), TaskID: queryInt(q, "task"), MeasureID: queryInt(q, "measure"),
		Subject: cut(q.Get("subject"), 200), Body: cut(q.Get("body"), 2000), ReplyDue: q.Get("due")}
	if f.ReplyDue == "" {
		f.ReplyDue = supervision.Today(s.db.Now().AddDate(0, 0, 7))
	}
	return s.renderNoticeForm(w, r, http.StatusOK, noticeFormPage{Form: f})
}

func (s *Server) noticeCreate(w http.ResponseWriter, r *http.Request) error {
	f := supervision.Issue{UnitID: queryInt(r.PostForm, "unit_id"), TaskID: queryInt(r.PostForm, "task_id"),
		MeasureID: queryInt(r.PostForm, "measure_id"), Subject: r.PostFormValue("subject"), Body: r.PostFormValue("body"),
		ReplyDue: r.PostFormValue("reply_due")}
	n, err := s.sup.Issue(r.Context(), auth.ActorFrom(r.Context()), s.source(r), f)
	if fe := fieldErrors(err); fe != nil {
		return s.renderNoticeForm(w, r, http.StatusUnprocessableEntity, noticeFormPage{Form: f, Fields: fe.Fields, Error: fe.Message})
	}
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, supervision.Link(n.ID), l10n(r, "sup.issued", n.Number))
}

type noticePage struct {
	Layout
	Notice *store.Notice
	Color  string
	Steps  map[string]bool // steps the actor may take now
	// The form that failed, with its input and messages.
	FormStep string
	Form     supervision.Input
	Fields   map[string]string
	Error    string
}

func (s *Server) renderNotice(w http.ResponseWriter, r *http.Request, status int, id int64, p noticePage) error {
	a := auth.ActorFrom(r.Context())
	n, err := s.db.Notice(r.Context(), a.Scope, id)
	if err != nil {
		return err
	}
	l, err := s.layout(w, r, "supervision", "sup.notice")
	if err != nil {
		return err
	}
	l.Title = n.Number + " " + n.Subject
	l.Crumbs = []Crumb{{Label: l.T("sup.title"), URL: "/supervision"}, {Label: n.Number}}
	p.Layout, p.Notice = l, n
	p.Color = dueColor(*n, supervision.Today(s.db.Now()))
	p.Steps = map[string]bool{}
	for step, act := range supervision.Actions {
		mine := act.By == supervision.Bureau && a.Role == auth.Staff || act.By == supervision.Unit && a.Role == auth.Reporter
		p.Steps[step] = mine && act.Allows(n.Status)
	}
	if p.Fields == nil {
		p.Fields = map[string]string{}
	}
	return s.render(w, status, "supervision_notice", &p)
}

func (s *Server) noticePage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.renderNotice(w, r, http.StatusOK, id, noticePage{})
}

// noticeAct takes one step; invalid input and conflicts re-render the
// notice with the message (a conflict names the notice's current state).
func (s *Server) noticeAct(step string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		a := auth.ActorFrom(r.Context())
		// Scope first: another unit's notice is not found, whatever the form.
		if _, err := s.db.Notice(r.Context(), a.Scope, id); err != nil {
			return err
		}
		in := supervision.Input{Text: r.PostFormValue("text"), DueOn: r.PostFormValue("due_on")}
		in.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
		if r.MultipartForm != nil {
			files, err := readUploads(r.MultipartForm.File["files"])
			if err != nil {
				return err
			}
			in.Files = files
		}
		n, err := s.sup.Act(r.Context(), a, s.source(r), id, step, in)
		if e := apperr.As(err); e != nil && (e.Code == apperr.Invalid || e.Code == apperr.Conflict) {
			status := http.StatusUnprocessableEntity
			if e.Code == apperr.Conflict {
				status = http.StatusConflict
			}
			in.Files = nil
			return s.renderNotice(w, r, status, id, noticePage{FormStep: step, Form: in, Fields: e.Fields, Error: e.Message})
		}
		if err != nil {
			return err
		}
		return s.redirectFlash(w, r, supervision.Link(id), l10n(r, "sup.done."+step, n.Number))
	}
}

// readUploads reads the uploaded files; an empty file input sends one
// nameless empty part, which is skipped.
func readUploads(hs []*multipart.FileHeader) ([]supervision.Upload, error) {
	var out []supervision.Upload
	for _, h := range hs {
		if h.Filename == "" && h.Size == 0 {
			continue
		}
		if h.Size > supervision.MaxFileSize {
			return nil, apperr.WithFields("提交的内容有误", map[string]string{"files": h.Filename + ":文件超过20 MB"})
		}
		f, err := h.Open()
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(io.LimitReader(f, supervision.MaxFileSize+1))
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, supervision.Upload{Name: h.Filename, Content: b})
	}
	return out, nil
}

// noticeFile sends an evidence file of a notice the actor sees.
func (s *Server) noticeFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	fileID, err := strconv.ParseInt(r.PathValue("file"), 10, 64)
	if err != nil {
		return apperr.New(apperr.NotFound, "未找到")
	}
	f, err := s.db.NoticeFile(r.Context(), auth.ActorFrom(r.Context()).Scope, id, fileID)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", supervision.ContentType(supervision.Kind(f.Content)))
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Content)))
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = w.Write(f.Content)
	return err
}
