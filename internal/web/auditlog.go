package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/i18n"
	"github.com/luoshi/luoshi/internal/period"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/text"
)

// auditRoutes are the auditor's pages (issue 4, 等保2.0 level 3): the audit
// log with its filters and .xlsx export, and the login log. The auditor
// only reads the log; no other role sees these pages.
func (s *Server) auditRoutes() []route {
	return []route{
		{"GET /audit", s.auditLog, auditor},
		{"GET /audit/export.xlsx", s.auditExport, auditor},
		{"GET /audit/logins", s.loginLog, auditor},
	}
}

// auditPageSize is the number of records on one page of either log.
const auditPageSize = 50

// auditMaxPage bounds page=N so that the offset cannot overflow.
const auditMaxPage = 1_000_000

// auditQuery is the filter form as typed, echoed back into the form and
// into the paging and export links.
type auditQuery struct {
	From, To, Action, Actor, Entity, EntityID, Result string
	Page                                              int
}

// loginResults maps the login log's result choice to its action.
var loginResults = map[string]string{"success": audit.LoginSucceeded, "failure": audit.LoginFailed, "locked": audit.LockedOut}

// parseAuditQuery reads the filter form. The login log (logins) has a result
// choice instead of the action select and only ever shows LoginActions.
// Field errors are keyed by input name, in lang.
func parseAuditQuery(v url.Values, logins bool, lang string) (auditQuery, audit.Filter, map[string]string) {
	q := auditQuery{
		From: strings.TrimSpace(v.Get("from")), To: strings.TrimSpace(v.Get("to")),
		Actor: cut(text.CleanLine(strings.TrimSpace(v.Get("actor"))), 64), Entity: cut(text.CleanLine(strings.TrimSpace(v.Get("entity"))), 64),
		EntityID: cut(text.CleanLine(strings.TrimSpace(v.Get("entity_id"))), 256), Page: 1,
	}
	f := audit.Filter{ActorName: q.Actor, Entity: q.Entity, EntityID: q.EntityID}
	fields := map[string]string{}
	var from, to time.Time
	var err error
	if q.From != "" {
		if from, err = time.ParseInLocation(time.DateOnly, q.From, period.China); err != nil {
			fields["from"] = i18n.T(lang, "audit.err.date")
		} else {
			f.From = from
		}
	}
	if q.To != "" {
		if to, err = time.ParseInLocation(time.DateOnly, q.To, period.China); err != nil {
			fields["to"] = i18n.T(lang, "audit.err.date")
		} else {
			f.To = to.AddDate(0, 0, 1) // the whole day; Filter.To is exclusive
		}
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		fields["to"] = i18n.T(lang, "audit.err.range")
	}
	if logins {
		f.Actions = audit.LoginActions
		q.Result = v.Get("result")
		if q.Result != "" {
			if a, ok := loginResults[q.Result]; ok {
				f.Action = a
			} else {
				fields["result"] = i18n.T(lang, "audit.err.result")
			}
		}
	} else {
		q.Action = v.Get("action")
		if q.Action != "" {
			if slices.Contains(audit.Actions, q.Action) {
				f.Action = q.Action
			} else {
				fields["action"] = i18n.T(lang, "audit.err.action")
			}
		}
	}
	// A malformed page number is not worth an error page: show the first.
	if p, err := strconv.Atoi(v.Get("page")); err == nil && p > 1 {
		q.Page = min(p, auditMaxPage)
	}
	f.Limit, f.Offset = auditPageSize, (q.Page-1)*auditPageSize
	return q, f, fields
}

// cut shortens s to at most n runes.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// values is q as a query string, without the page unless page > 1.
func (q auditQuery) values(page int) url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"from", q.From}, {"to", q.To}, {"action", q.Action}, {"result", q.Result},
		{"actor", q.Actor}, {"entity", q.Entity}, {"entity_id", q.EntityID}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return v
}

// auditRow is one record as the tables show it.
type auditRow struct {
	audit.Entry
	Time   string // Beijing time, to the second
	Unit   string
	Label  string // the action's name in the page's language
	Badge  string // badge class on the login log
	Change string // before → after, cut short when long
	Full   string // the whole change when Change is cut
}

// changeRunes is how much of a change shows before it is folded.
const changeRunes = 120

func (s *Server) auditRows(lang string, entries []audit.Entry, units map[int64]string) []auditRow {
	rows := make([]auditRow, 0, len(entries))
	for _, e := range entries {
		r := auditRow{Entry: e, Time: e.At.In(period.China).Format(time.DateTime), Label: e.Action}
		if lang == i18n.Default {
			r.Label = audit.Label(e.Action)
		}
		if e.UnitID != 0 {
			if r.Unit = units[e.UnitID]; r.Unit == "" {
				r.Unit = strconv.FormatInt(e.UnitID, 10)
			}
		}
		switch e.Action {
		case audit.LoginSucceeded:
			r.Badge = "badge-done"
		case audit.LoginFailed:
			r.Badge = "badge-danger"
		case audit.LockedOut:
			r.Badge = "badge-warn"
		default:
			r.Badge = "badge-open"
		}
		var change string
		switch {
		case e.Before != nil && e.After != nil:
			change = string(e.Before) + " → " + string(e.After)
		case e.Before != nil:
			change = string(e.Before) + " → ∅"
		default:
			change = string(e.After)
		}
		r.Change = change
		if utf8.RuneCountInString(change) > changeRunes {
			r.Change, r.Full = string([]rune(change)[:changeRunes])+"…", change
		}
		rows = append(rows, r)
	}
	return rows
}

// unitNames names every unit by id; the log keeps ids only.
func (s *Server) unitNames(r *http.Request) (map[int64]string, error) {
	units, err := s.db.Units(r.Context())
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(units))
	for _, u := range units {
		names[u.ID] = u.Name
	}
	return names, nil
}

// pager is the paging bar under a table.
type pager struct {
	Page, Pages, Total int
	Prev, Next         string // URLs; empty at either end
	Label              string // the bar's accessible name
	Links              []pageLink
}

type pageLink struct {
	N       int
	URL     string
	Current bool
	Gap     bool // an ellipsis instead of a link
}

// newPager links the pages around page, the first and the last.
func newPager(path string, q auditQuery, total int) pager {
	p := pager{Page: q.Page, Total: total, Pages: max(1, (total+auditPageSize-1)/auditPageSize)}
	link := func(n int) string {
		if v := q.values(n).Encode(); v != "" {
			return path + "?" + v
		}
		return path
	}
	if p.Page > 1 {
		p.Prev = link(min(p.Page-1, p.Pages))
	}
	if p.Page < p.Pages {
		p.Next = link(p.Page + 1)
	}
	var ns []int
	for _, n := range []int{1, p.Page - 2, p.Page - 1, p.Page, p.Page + 1, p.Page + 2, p.Pages} {
		if n >= 1 && n <= p.Pages && !slices.Contains(ns, n) {
			ns = append(ns, n)
		}
	}
	slices.Sort(ns)
	for i, n := range ns {
		if i > 0 && n > ns[i-1]+1 {
			p.Links = append(p.Links, pageLink{Gap: true})
		}
		p.Links = append(p.Links, pageLink{N: n, URL: link(n), Current: n == p.Page})
	}
	return p
}

// actionOption is one entry of the action select.
type actionOption struct {
	Value, Label string
}

type auditLogPage struct {
	Layout
	Logins  bool
	Query   auditQuery
	Fields  map[string]string
	Error   string
	Actions []actionOption
	Results []actionOption
	Rows    []auditRow
	Pager   pager
	// Chain is the result of verifying the whole log (audit page only).
	Chain     *audit.Result
	ExportURL string
}

func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) error {
	return s.auditPage(w, r, false, "")
}

func (s *Server) loginLog(w http.ResponseWriter, r *http.Request) error {
	return s.auditPage(w, r, true, "")
}

// auditPage renders either log for r's filter; errMsg, from a refused
// export, shows above the form.
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, logins bool, errMsg string) error {
	nav, title, path, tmpl := "audit", "nav.audit", "/audit", "audit"
	if logins {
		nav, title, path, tmpl = "audit.logins", "nav.logins", "/audit/logins", "audit_logins"
	}
	l, err := s.layout(w, r, nav, title)
	if err != nil {
		return err
	}
	l.Crumbs = []Crumb{{Label: l.T(title)}}
	q, f, fields := parseAuditQuery(r.URL.Query(), logins, l.Lang)
	page := &auditLogPage{Layout: l, Logins: logins, Query: q, Fields: fields, Error: errMsg}
	if logins {
		for _, k := range []string{"success", "failure", "locked"} {
			page.Results = append(page.Results, actionOption{Value: k, Label: l.T("audit.result." + k)})
		}
	} else {
		for _, a := range audit.Actions {
			label := a
			if l.Lang == i18n.Default {
				label = audit.Label(a) + " (" + a + ")"
			}
			page.Actions = append(page.Actions, actionOption{Value: a, Label: label})
		}
		// The whole chain is verified when the auditor asks (校验完整性):
		// it reads every record, about 0.1 s per 10,000 (BenchmarkVerifyAudit),
		// too slow for every view of a large log. `luoshi audit verify` does
		// the same from a scheduled job.
		if r.URL.Query().Get("verify") == "1" {
			res, err := s.db.VerifyAudit(r.Context())
			if err != nil {
				return err
			}
			page.Chain = &res
		}
	}
	status := http.StatusOK
	if errMsg != "" {
		status = http.StatusUnprocessableEntity
	}
	if len(fields) > 0 {
		status = http.StatusUnprocessableEntity
		page.Error = l.T("audit.err.form")
		page.Pager = newPager(path, q, 0)
		page.Pager.Label = l.T("audit.pager")
		return s.render(w, status, tmpl, page)
	}
	entries, total, err := s.db.AuditEntries(r.Context(), f)
	if err != nil {
		return err
	}
	units, err := s.unitNames(r)
	if err != nil {
		return err
	}
	page.Rows = s.auditRows(l.Lang, entries, units)
	s.addDenialCounts(r, l, page.Rows)
	page.Pager = newPager(path, q, total)
	page.Pager.Label = l.T("audit.pager")
	page.ExportURL = "/audit/export.xlsx"
	if v := q.values(0).Encode(); v != "" {
		page.ExportURL += "?" + v
	}
	return s.render(w, status, tmpl, page)
}

// exportRecord is what the audit.exported record keeps: the filter and how
// many rows left the system.
type exportRecord struct {
	From     string `json:"from,omitempty"`
	To       string `json:"to,omitempty"`
	Action   string `json:"action,omitempty"`
	Actor    string `json:"actor,omitempty"`
	Entity   string `json:"entity,omitempty"`
	EntityID string `json:"entity_id,omitempty"`
	Rows     int    `json:"rows"`
}

// auditExport sends the records of the audit page's filter as .xlsx, all
// pages, and records the export first: no copy of the log leaves without
// a trace.
func (s *Server) auditExport(w http.ResponseWriter, r *http.Request) error {
	lang := lang(r)
	q, f, fields := parseAuditQuery(r.URL.Query(), false, lang)
	if len(fields) > 0 {
		return s.auditPage(w, r, false, "")
	}
	f.Limit, f.Offset = audit.MaxLimit, 0
	entries, total, err := s.db.AuditEntries(r.Context(), f)
	if err != nil {
		return err
	}
	if total > len(entries) {
		// A partial export would pass for the whole log: refuse it.
		return s.auditPage(w, r, false, i18n.T(lang, "audit.err.too_many", audit.MaxLimit))
	}
	units, err := s.unitNames(r)
	if err != nil {
		return err
	}
	xlsxLang := "zh"
	if lang == "en" {
		xlsxLang = "en"
	}
	var buf bytes.Buffer
	if err := audit.WriteXLSXWith(&buf, entries, audit.XLSXOptions{Lang: xlsxLang, UnitNames: units}); err != nil {
		return err
	}
	day := s.db.Now().In(period.China).Format("20060102")
	name := i18n.T(lang, "audit.export_name") + "-" + day + ".xlsx"
	rec := exportRecord{From: q.From, To: q.To, Action: q.Action, Actor: q.Actor, Entity: q.Entity, EntityID: q.EntityID,
		Rows: len(entries)}
	err = s.db.InTx(r.Context(), func(tx *store.Tx) error {
		return tx.Audit(s.source(r).New(audit.AuditExported, "audit_log", name, nil, rec))
	})
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", contentDisposition(name, "audit-log-"+day+".xlsx"))
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	_, err = buf.WriteTo(w)
	return err
}

// contentDisposition names an attachment: fallback (ASCII) for old
// clients and the real name encoded per RFC 5987 (filename*=UTF-8”…).
func contentDisposition(name, fallback string) string {
	var enc strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("!#$&+-.^_`|~", c) >= 0:
			enc.WriteByte(c)
		default:
			fmt.Fprintf(&enc, "%%%02X", c)
		}
	}
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, fallback, enc.String())
}
