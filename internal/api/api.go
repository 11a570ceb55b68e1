// Package api serves the JSON API under /api/v1. It calls the same store
// and services as the web pages; errors are {code, message, fields}.
package api

import (
	_ "embed"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/store"
)

//go:embed openapi.yaml
var openAPI []byte

// Config holds the API's dependencies.
type Config struct {
	DB     *store.DB
	Logger *slog.Logger
}

type handler struct {
	db  *store.DB
	log *slog.Logger
}

// New returns the API handler; mount it with the /api/v1 prefix stripped.
func New(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	h := &handler{db: cfg.DB, log: cfg.Logger}
	mux := http.NewServeMux()
	mux.Handle("GET /plans", h.wrap(h.listPlans))
	mux.Handle("GET /plans/{id}", h.wrap(h.getPlan))
	mux.HandleFunc("GET /openapi.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
		w.Write(openAPI)
	})
	mux.Handle("/", h.wrap(func(w http.ResponseWriter, r *http.Request) error {
		return apperr.New(apperr.NotFound, "没有这个接口")
	}))
	return mux
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
		code := apperr.CodeOf(err)
		body := errorBody{Code: code}
		if e := apperr.As(err); e != nil {
			body.Message, body.Fields = e.Message, e.Fields
		}
		if code == apperr.Internal {
			h.log.ErrorContext(r.Context(), "api request failed", "path", r.URL.Path, "err", err,
				"request_id", w.Header().Get("X-Request-Id"))
			body.Message = "服务器内部错误"
		}
		if code == apperr.NotFound {
			body.Message = "未找到"
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
	plans, err := h.db.Plans(r.Context())
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
	p, err := h.db.Plan(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}
