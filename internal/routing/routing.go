// Package routing holds what the web pages and the API share around a
// standard ServeMux: the answer for a path no route knows and for a known
// path asked with another method.
package routing

import "net/http"

// Fallback serves the routes of mux; a path no route knows goes to
// notFound and a known path asked with another method to notAllowed with
// the methods its routes accept (the value of an Allow header). A catch-all
// "/" pattern in the mux would answer both with 404 (issue 7), so the
// fallback lives here, outside the mux.
func Fallback(mux *http.ServeMux, notFound http.Handler, notAllowed func(w http.ResponseWriter, r *http.Request, allow string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		// No route: the mux's own answer is 404, or 405 with an Allow
		// header; it is caught here, unwritten.
		rec := &headerRecorder{header: http.Header{}}
		h.ServeHTTP(rec, r)
		if rec.status != http.StatusMethodNotAllowed {
			notFound.ServeHTTP(w, r)
			return
		}
		notAllowed(w, r, rec.header.Get("Allow"))
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
