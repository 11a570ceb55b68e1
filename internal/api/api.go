// Package api serves the JSON API under /api/v1. It calls the same store
// and services as the web pages; errors are {code, message, fields}.
package api

import (
	"context"
	_ "embed"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/luoshi/luoshi/internal/account"
	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/reporting"
	"github.com/luoshi/luoshi/internal/store"
)

//go:embed openapi.yaml
var openAPI []byte

// Config holds the API's dependencies.
type Config struct {
	DB        *store.DB
	Accounts  *account.Service
	Logger    *slog.Logger
	ClientIP  func(*http.Request) string
	RequestID func(context.Context) string
	// Reports runs assignment and reporting changes (reports.go).
	Reports *reporting.Service
	// SilentDays is the server's threshold for silent units on the watch
	// list (0: supervision.DefaultSilentDays); ?days= overrides it.
	SilentDays int
}

type handler struct {
	cfg Config
}

// route is one API route with the roles that may call it; no roles: public.
type route struct {
	pattern string
	f       apiFunc
	allow   []auth.Role
}

var planReaders = []auth.Role{auth.Staff, auth.Reporter, auth.Leader}

func (h *handler) routes() []route {
	return append([]route{
		{"POST /login", h.login, nil},
		{"GET /plans", h.listPlans, planReaders},
		{"GET /plans/{id}", h.getPlan, planReaders},
		{"GET /tasks/{id}", h.getTask, planReaders},
		{"GET /dashboard", h.dashboard, bureauReaders},
	}, append(append(h.registryRoutes(), h.reportRoutes()...), append(h.supervisionRoutes(), h.notifyRoutes()...)...)...)
}

// Routes lists the API's patterns (without /api/v1) and their roles, for
// the route-walk test.
func Routes() map[string][]auth.Role {
	out := map[string][]auth.Role{}
	for _, rt := range (&handler{}).routes() {
		out[rt.pattern] = rt.allow
	}
	return out
}

// New returns the API handler; mount it with the /api/v1 prefix stripped.
func New(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	h := &handler{cfg: cfg}
	mux := http.NewServeMux()
	for _, rt := range h.routes() {
		mux.Handle(rt.pattern, h.wrap(h.guard(rt)))
	}
	mux.HandleFunc("GET /openapi.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
		w.Write(openAPI)
	})
	return h.routed(mux)
}

// guard authenticates the bearer token and checks the route's roles; a
// role that may not call the route gets 404. The API takes no cookies, so
// it needs no CSRF token.
func (h *handler) guard(rt route) apiFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if rt.allow == nil {
			return rt.f(w, r)
		}
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || tok == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="luoshi"`)
			return &apperr.Error{Code: apperr.Unauthenticated, Message: "需要 Authorization: Bearer 令牌"}
		}
		a, err := h.cfg.Accounts.Authenticate(r.Context(), strings.TrimSpace(tok))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="luoshi", error="invalid_token"`)
			return err
		}
		if !a.ViaToken {
			// A web session's cookie value is not a bearer token: it was
			// given to a browser, under CSRF protection (issue 7).
			w.Header().Set("WWW-Authenticate", `Bearer realm="luoshi", error="invalid_token"`)
			return &apperr.Error{Code: apperr.Unauthenticated, Message: "网页会话不能用作 API 令牌,请通过 POST /api/v1/login 或 API 令牌页面获取令牌"}
		}
		if a.MustChange {
			return &apperr.Error{Code: apperr.Forbidden, Message: "请先在网页上修改初始密码"}
		}
		if !slices.Contains(rt.allow, a.Role) {
			return apperr.New(apperr.NotFound, "未找到")
		}
		return rt.f(w, r.WithContext(auth.WithActor(r.Context(), a)))
	}
}

// login exchanges a username and password for a bearer token that expires
// like a web session.
func (h *handler) login(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		return apperr.New(apperr.Invalid, "请求体须为 JSON:{\"username\": …, \"password\": …},且不超过 4 KiB")
	}
	ip, reqID := "", ""
	if h.cfg.ClientIP != nil {
		ip = h.cfg.ClientIP(r)
	}
	if h.cfg.RequestID != nil {
		reqID = h.cfg.RequestID(r.Context())
	}
	res, err := h.cfg.Accounts.Login(r.Context(), account.LoginRequest{Username: body.Username, Password: body.Password,
		Kind: "api", IP: ip, UserAgent: r.UserAgent(), RequestID: reqID})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"token": res.Token, "expires_at": res.Session.ExpiresAt,
		"must_change": res.User.MustChange})
	return nil
}

type apiFunc func(w http.ResponseWriter, r *http.Request) error

// errorBody is the JSON shape of every API error.
type errorBody struct {
	Code    apperr.Code       `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

func (h *handler) wrap(f apiFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := f(w, r)
		if err == nil {
			return
		}
		err = store.Unavailable(err)
		code := apperr.CodeOf(err)
		body := errorBody{Code: code}
		if e := apperr.As(err); e != nil {
			body.Message, body.Fields = e.Message, e.Fields
		}
		if code == apperr.Internal {
			h.cfg.Logger.ErrorContext(r.Context(), "api request failed", "path", r.URL.Path, "err", err,
				"request_id", w.Header().Get("X-Request-Id"))
			body.Message = "服务器内部错误"
		}
		if code == apperr.NotFound {
			body.Message = "未找到"
		}
		if code == apperr.Busy {
			w.Header().Set("Retry-After", strconv.Itoa(auth.BusyRetryAfter))
		}
		if code == apperr.Unavailable {
			h.cfg.Logger.WarnContext(r.Context(), "api request failed: database unavailable", "path", r.URL.Path, "err", err,
				"request_id", w.Header().Get("X-Request-Id"))
			w.Header().Set("Retry-After", "10")
		}
		writeJSON(w, Status(code), body)
	})
}

// Status maps an error code to its HTTP status.
func Status(code apperr.Code) int {
	switch code {
	case apperr.Invalid:
		return http.StatusUnprocessableEntity
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Unauthenticated:
		return http.StatusUnauthorized
	case apperr.TooMany:
		return http.StatusTooManyRequests
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.Busy, apperr.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "未找到")
	}
	return id, nil
}

func (h *handler) listPlans(w http.ResponseWriter, r *http.Request) error {
	plans, err := h.cfg.DB.Plans(r.Context(), auth.ActorFrom(r.Context()).Scope)
	if err != nil {
		return err
	}
	if plans == nil {
		plans = []store.PlanSummary{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"plans": plans})
	return nil
}

func (h *handler) getPlan(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := h.cfg.DB.Plan(r.Context(), auth.ActorFrom(r.Context()).Scope, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (h *handler) getTask(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	t, err := h.cfg.DB.Task(r.Context(), auth.ActorFrom(r.Context()).Scope, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}
