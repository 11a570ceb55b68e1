package web

import (
	"net/http"
	"strconv"

	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/supervision"
)

type watchPage struct {
	Layout
	Watch    *supervision.Watch
	Sections []watchSection
	All      bool // show green items too
}

// watchSection is one list of the watch page.
type watchSection struct {
	Name  string
	Items []supervision.WatchItem
}

// watch shows the automatic supervision lists (三色预警) the actor sees.
func (s *Server) watch(w http.ResponseWriter, r *http.Request) error {
	days, _ := strconv.Atoi(r.URL.Query().Get("days"))
	if days <= 0 || days > 3650 {
		days = s.silentDays
	}
	wt, err := s.sup.Watch(r.Context(), auth.ActorFrom(r.Context()).Scope, s.db.Now(), days)
	if err != nil {
		return err
	}
	l, err := s.layout(w, r, "watch", "watch.title")
	if err != nil {
		return err
	}
	l.Crumbs = []Crumb{{Label: l.T("sup.title"), URL: "/supervision"}, {Label: l.T("watch.title")}}
	return s.render(w, http.StatusOK, "watch", &watchPage{Layout: l, Watch: wt, All: r.URL.Query().Get("all") != "",
		Sections: []watchSection{{"reports", wt.Reports}, {"measures", wt.Measures}, {"tasks", wt.Tasks}}})
}
