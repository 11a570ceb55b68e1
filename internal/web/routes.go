package web

import "net/http"

// route is one page route. Every route of the product is listed here.
type route struct {
	pattern string
	h       handlerFunc
}

func (s *Server) routes() []route {
	return []route{
		{"GET /{$}", s.home},
		{"GET /lang/{lang}", s.setLang},
		{"GET /plans", s.planList},
		{"GET /plans/{id}", s.planOverview},
		{"GET /plans/{id}/sections", s.planSections},
		{"GET /plans/{id}/key-items", s.planKeyItems},
		{"GET /units", s.unitList},
	}
}

// handlerFunc is a page handler that returns its error for one place to
// log and render.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error
