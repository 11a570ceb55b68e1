package api

import (
	"net/http"

	"github.com/luoshi/luoshi/internal/apperr"
)

// routed serves mux's routes; an unknown path is a JSON 404 and a known
// path with another method a JSON 405 with an Allow header. (A catch-all
// "/" in the mux would turn every 405 into a 404.)
func (h *handler) routed(mux *http.ServeMux) http.Handler {
	notFound := h.wrap(func(w http.ResponseWriter, r *http.Request) error {
		return apperr.New(apperr.NotFound, "没有这个接口")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mh, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		rec := &headerRecorder{header: http.Header{}}
		mh.ServeHTTP(rec, r)
		if rec.status != http.StatusMethodNotAllowed {
			notFound.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Allow", rec.header.Get("Allow"))
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{Code: "method_not_allowed",
			Message: "该接口不接受此请求方法,允许: " + rec.header.Get("Allow")})
	})
}

// headerRecorder keeps a response's status and headers and drops its body.
type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header         { return h.header }
func (h *headerRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (h *headerRecorder) WriteHeader(code int)        { h.status = code }
