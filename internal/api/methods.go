package api

import (
	"net/http"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/routing"
)

// routed serves mux's routes; an unknown path is a JSON 404 and a known
// path with another method a JSON 405 with an Allow header.
func (h *handler) routed(mux *http.ServeMux) http.Handler {
	notFound := h.wrap(func(w http.ResponseWriter, r *http.Request) error {
		return apperr.New(apperr.NotFound, "没有这个接口")
	})
	return routing.Fallback(mux, notFound, func(w http.ResponseWriter, r *http.Request, allow string) {
		w.Header().Set("Allow", allow)
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{Code: "method_not_allowed",
			Message: "该接口不接受此请求方法,允许: " + allow})
	})
}
