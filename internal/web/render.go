package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/luoshi/luoshi/internal/api"
	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/i18n"
	"github.com/luoshi/luoshi/internal/period"
	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/web/static"
)

//go:embed templates
var templateFS embed.FS

// pages holds every page template, each parsed together with the layout.
type pages struct {
	byName map[string]*template.Template
}

var funcs = template.FuncMap{
	"static": func(name string) (string, error) {
		if !static.Has(name) {
			return "", fmt.Errorf("unknown static file %q", name)
		}
		return static.Path(name), nil
	},
	"add":         func(a, b int) int { return a + b },
	"localTime":   localTime,
	"formatValue": plan.FormatValue,
	"join":        strings.Join,
	"pct":         pct,
	"statusClass": statusClass,
	// highlight marks the number of a target in its source sentence.
	"highlight": func(source, value string) template.HTML {
		esc := template.HTMLEscapeString(source)
		if value == "" {
			return template.HTML(esc)
		}
		v := template.HTMLEscapeString(value)
		if i := strings.Index(esc, v); i >= 0 {
			return template.HTML(esc[:i] + `<mark class="hl">` + v + `</mark>` + esc[i+len(v):])
		}
		return template.HTML(esc)
	},
}

func parsePages() (*pages, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	// Files named partial_*.html hold partials shared by several pages.
	shared := []string{"templates/layout.html"}
	partials, _ := fs.Glob(templateFS, "templates/partial_*.html")
	shared = append(shared, partials...)
	p := &pages{byName: map[string]*template.Template{}}
	for _, name := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")
		if base == "layout" || strings.HasPrefix(base, "partial_") {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, append(shared, name)...)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", name, err)
		}
		p.byName[base] = t
	}
	return p, nil
}

// Crumb is one step of the breadcrumbs.
type Crumb struct {
	Label string
	URL   string
}

// Layout is what every page shows around its content.
type Layout struct {
	Lang   string
	Title  string
	Nav    string // the active navigation entry
	Crumbs []Crumb
	Plans  []store.PlanSummary
	PlanID int64
	Path   string
	CSRF   string
	Flash  string
	// Version of the product, shown in the footer.
	Version string
	// Actor is the signed-in user, nil on public pages.
	Actor *auth.Actor
	// Demo marks a server started with --demo.
	Demo bool
	// Unread counts the user's unread inbox messages (header badge).
	Unread int
}

// Can reports whether the signed-in user holds one of roles (menus).
func (l *Layout) Can(roles ...string) bool {
	if l.Actor == nil {
		return false
	}
	for _, r := range roles {
		if string(l.Actor.Role) == r {
			return true
		}
	}
	return false
}

// T translates key in the page's language.
func (l *Layout) T(key string, args ...any) string { return i18n.T(l.Lang, key, args...) }

// SectionNo labels a section number: 一、 in Chinese, Part 1 in English.
func (l *Layout) SectionNo(n int) string {
	if l.Lang == i18n.Default {
		return plan.ChineseNumeral(n) + "、"
	}
	return l.T("plan.section_no", n)
}

// Langs lists the languages for the switch.
func (l *Layout) Langs() []string { return i18n.Langs }

// PlanURL returns the URL of the current plan's page, or the plan list.
func (l *Layout) PlanURL() string {
	if l.PlanID == 0 {
		return "/plans"
	}
	return fmt.Sprintf("/plans/%d", l.PlanID)
}

// layout builds the common page data for r.
func (s *Server) layout(w http.ResponseWriter, r *http.Request, nav, title string) (Layout, error) {
	l := Layout{Lang: lang(r), Nav: nav, Path: r.URL.Path, Version: s.version, Actor: auth.ActorFrom(r.Context()), Demo: s.demo}
	l.Title = i18n.T(l.Lang, title)
	l.CSRF = s.csrfToken(w, r)
	if c, err := r.Cookie(flashCookie); err == nil {
		l.Flash, _ = url.QueryUnescape(c.Value)
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	if l.Actor != nil {
		n, err := s.db.UnreadCount(r.Context(), l.Actor.ID)
		if err != nil {
			return l, err
		}
		l.Unread = n
	}
	if l.Actor != nil && l.Actor.Role.ReadsPlans() {
		plans, err := s.db.Plans(r.Context(), l.Actor.Scope)
		if err != nil {
			return l, err
		}
		l.Plans = plans
	}
	return l, nil
}

const flashCookie = "luoshi_flash"

// redirectFlash redirects (303) after a successful form and shows msg once.
func (s *Server) redirectFlash(w http.ResponseWriter, r *http.Request, to, msg string) error {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/", MaxAge: 60,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure})
	http.Redirect(w, r, localPath(to), http.StatusSeeOther)
	return nil
}

// lang returns the language chosen with the switch (a cookie), else zh-CN:
// the product is Chinese first, whatever the browser's own language.
func lang(r *http.Request) string {
	if c, err := r.Cookie("lang"); err == nil {
		return i18n.Match(c.Value)
	}
	return i18n.Default
}

// render writes page name with data, buffered so a template error becomes a
// clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, status int, name string, data any) error {
	t, ok := s.pages.byName[name]
	if !ok {
		return fmt.Errorf("web: no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

// errorPage is the data of the error page.
type errorPage struct {
	Layout
	Status    int
	Message   string
	RequestID string
	// Conflict is set on a 409 that can show the stored data beside the
	// submitted change (plan activation).
	Conflict *conflictView
}

// handle adapts a handlerFunc: its error is logged once and rendered.
func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		s.renderError(w, r, err)
	})
}

// httpStatus maps an error code to its status, as the API does.
func httpStatus(code apperr.Code) int { return api.Status(code) }

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	ctx := r.Context()
	err = store.Unavailable(err)
	status := httpStatus(apperr.CodeOf(err))
	if _, ok := err.(*notFoundError); ok {
		status = http.StatusNotFound
	}
	l := Layout{Lang: lang(r), Path: r.URL.Path, Version: s.version, Actor: auth.ActorFrom(ctx), Demo: s.demo}
	l.CSRF = s.csrfToken(w, r)
	if status == http.StatusUnauthorized && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	setRetryAfter(w, err)
	page := errorPage{Layout: l, Status: status, RequestID: RequestID(ctx)}
	switch {
	case status == http.StatusInternalServerError:
		s.log.ErrorContext(ctx, "request failed", "request_id", page.RequestID, "path", r.URL.Path, "err", err)
		page.Message = l.T("err.internal")
	case status == http.StatusServiceUnavailable:
		// The database failed or is read-only: logged once here, told to
		// the user as temporary (issue 7).
		s.log.WarnContext(ctx, "request failed: database unavailable", "request_id", page.RequestID, "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "10")
		page.Message = apperr.MsgUnavailable
	case status == http.StatusNotFound:
		page.Message = l.T("err.not_found")
	default:
		if e := apperr.As(err); e != nil && e.Message != "" {
			page.Message = e.Message
		} else {
			page.Message = l.T("err." + string(apperr.CodeOf(err)))
		}
	}
	page.Title = l.T("err.title")
	if rerr := s.render(w, status, "error", &page); rerr != nil && !errors.Is(rerr, http.ErrHandlerTimeout) {
		s.log.ErrorContext(ctx, "render error page", "request_id", page.RequestID, "err", rerr)
		http.Error(w, page.Message, status)
	}
}

// localTime writes a time as Beijing time, to the minute.
func localTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(period.China).Format("2006-01-02 15:04")
}
