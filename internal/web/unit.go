package web

import (
	"net/http"

	"github.com/luoshi/luoshi/internal/org"
)

type unitListPage struct {
	Layout
	Units []org.Node
	Names map[int64]string
}

func (s *Server) unitList(w http.ResponseWriter, r *http.Request) error {
	l, err := s.layout(w, r, "units", "nav.units")
	if err != nil {
		return err
	}
	l.Crumbs = []Crumb{{Label: l.T("nav.units")}}
	units, err := s.db.Units(r.Context())
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, u := range units {
		names[u.ID] = u.Name
	}
	return s.render(w, http.StatusOK, "units", &unitListPage{Layout: l, Units: org.Flatten(units), Names: names})
}
