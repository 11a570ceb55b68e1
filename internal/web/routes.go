package web

import (
	"net/http"

	"github.com/luoshi/luoshi/internal/auth"
)

// route is one page route. Every route of the product is listed here with
// the roles that may use it; the scope of the data is then applied by the
// store queries. A route with no roles is public.
type route struct {
	pattern string
	h       handlerFunc
	allow   []auth.Role
}

// Role groups.
var (
	public      []auth.Role
	anyone      = auth.Roles
	planReaders = []auth.Role{auth.Staff, auth.Reporter, auth.Leader}
	staffOnly   = []auth.Role{auth.Staff}
	sysadmin    = []auth.Role{auth.SysAdmin}
	secadmin    = []auth.Role{auth.SecAdmin}
	auditor     = []auth.Role{auth.Auditor}
	unitReaders = []auth.Role{auth.Staff, auth.Leader, auth.SysAdmin}
)

// routes lists every page route: the core ones here, each area's in its
// own file.
func (s *Server) routes() []route {
	var all []route
	for _, group := range [][]route{s.coreRoutes(), s.adminRoutes(), s.auditRoutes(), s.importRoutes(),
		s.indicatorRoutes(), s.bulletinRoutes(), s.assessRoutes(), s.registryRoutes(), s.reportRoutes(),
		s.supervisionRoutes(), s.notifyRoutes()} {
		all = append(all, group...)
	}
	return all
}

func (s *Server) coreRoutes() []route {
	return []route{
		{"GET /{$}", s.home, anyone},
		{"GET /lang/{lang}", s.setLang, public},
		{"GET /login", s.loginForm, public},
		{"POST /login", s.login, public},
		{"POST /logout", s.logout, anyone},

		{"GET /account/password", s.passwordForm, anyone},
		{"POST /account/password", s.changePassword, anyone},
		{"GET /account/sessions", s.mySessions, anyone},
		{"POST /account/sessions/{id}/revoke", s.revokeMySession, anyone},
		{"GET /account/tokens", s.myTokens, anyone},
		{"POST /account/tokens", s.createToken, anyone},
		{"POST /account/tokens/{id}/revoke", s.revokeToken, anyone},

		{"GET /plans", s.planList, planReaders},
		{"GET /plans/{id}", s.planOverview, planReaders},
		{"GET /plans/{id}/sections", s.planSections, planReaders},
		{"GET /plans/{id}/key-items", s.planKeyItems, planReaders},
		{"POST /plans/{id}/activate", s.planActivate, staffOnly},
		{"GET /tasks/{id}", s.taskPage, planReaders},

		{"GET /units", s.unitList, unitReaders},
	}
}

// Routes lists the patterns of every page route with its roles, for the
// route-walk test.
func (s *Server) Routes() map[string][]auth.Role {
	out := map[string][]auth.Role{}
	for _, rt := range s.routes() {
		out[rt.pattern] = rt.allow
	}
	return out
}

// handlerFunc is a page handler that returns its error for one place to
// log and render.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error
