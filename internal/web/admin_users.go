package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/luoshi/luoshi/internal/account"
	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/auth"
)

type adminUsersPage struct {
	Layout
	Users []auth.User
}

// Managed reports whether the web manages accounts of role r; the three
// administrators are managed from the command line only (issue 7).
func (*adminUsersPage) Managed(r auth.Role) bool { return account.WebManaged(r) }

// webRoles are the roles the web user admin offers.
var webRoles = func() []auth.Role {
	var out []auth.Role
	for _, r := range auth.Roles {
		if account.WebManaged(r) {
			out = append(out, r)
		}
	}
	return out
}()

// adminUsers lists every account (用户管理).
func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) error {
	l, err := s.layout(w, r, "admin.users", "nav.users")
	if err != nil {
		return err
	}
	l.Crumbs = []Crumb{{Label: l.T("nav.users")}}
	users, err := s.db.Users(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "admin_users", &adminUsersPage{Layout: l, Users: users})
}

// adminUserForm is the new-user and edit-user form.
type adminUserForm struct {
	Layout
	New      bool
	User     auth.User
	Password string
	Roles    []auth.Role
	Units    []unitOption
	Fields   map[string]string
	Error    string
	// Conflict is set when the save lost a version race (409).
	Conflict *conflictView
}

func (s *Server) renderUserForm(w http.ResponseWriter, r *http.Request, status int, f adminUserForm) error {
	title := "admin.user.edit"
	if f.New {
		title = "admin.user.new"
	}
	l, err := s.layout(w, r, "admin.users", title)
	if err != nil {
		return err
	}
	l.Crumbs = []Crumb{{Label: l.T("nav.users"), URL: "/admin/users"}, {Label: l.Title}}
	units, err := s.db.Units(r.Context())
	if err != nil {
		return err
	}
	f.Layout, f.Roles, f.Units = l, webRoles, unitOptions(units, 0)
	return s.render(w, status, "admin_user_form", &f)
}

func (s *Server) adminUserNew(w http.ResponseWriter, r *http.Request) error {
	return s.renderUserForm(w, r, http.StatusOK, adminUserForm{New: true})
}

// adminUserCreate creates an account that must change its password at first
// sign-in, and shows the temporary password once, on this response only
// (never in a cookie or a URL).
func (s *Server) adminUserCreate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	// Full-width letters typed with a Chinese input method fold to ASCII
	// (ＳＴＡＦＦ → STAFF), as they do at sign-in.
	username := norm.NFKC.String(strings.TrimSpace(r.PostFormValue("username")))
	unitID, _ := strconv.ParseInt(r.PostFormValue("unit_id"), 10, 64)
	typed := r.PostFormValue("password")
	password := typed
	if password == "" {
		var err error
		if password, err = s.temporaryPassword(ctx); err != nil {
			return err
		}
	}
	u, err := s.accounts.CreateUser(ctx, s.source(r), account.NewUser{Username: username,
		Name: strings.TrimSpace(r.PostFormValue("name")), Role: auth.Role(r.PostFormValue("role")), UnitID: unitID,
		Password: password, MustChange: true})
	if fe := fieldErrors(err); fe != nil {
		return s.renderUserForm(w, r, http.StatusUnprocessableEntity, adminUserForm{New: true,
			User:     auth.User{Username: username, Name: r.PostFormValue("name"), Role: auth.Role(r.PostFormValue("role")), UnitID: unitID},
			Password: typed, Fields: fe.Fields, Error: fe.Message})
	}
	if err != nil {
		return err
	}
	return s.renderTemporaryPassword(w, r, u, password, true)
}

// temporaryPassword returns a random password that meets the current policy.
func (s *Server) temporaryPassword(ctx context.Context) (string, error) {
	policy, _, err := s.db.Policy(ctx)
	if err != nil {
		return "", err
	}
	return auth.RandomPasswordFor(policy), nil
}

type adminPasswordPage struct {
	Layout
	User     auth.User
	Password string
	Created  bool
}

func (s *Server) renderTemporaryPassword(w http.ResponseWriter, r *http.Request, u auth.User, password string, created bool) error {
	title := "admin.user.password_reset"
	if created {
		title = "admin.user.created"
	}
	l, err := s.layout(w, r, "admin.users", title)
	if err != nil {
		return err
	}
	l.Crumbs = []Crumb{{Label: l.T("nav.users"), URL: "/admin/users"}, {Label: l.Title}}
	return s.render(w, http.StatusOK, "admin_user_password", &adminPasswordPage{Layout: l, User: u, Password: password, Created: created})
}

func (s *Server) adminUserEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := s.db.User(r.Context(), id)
	if err != nil {
		return err
	}
	if !account.WebManaged(u.Role) {
		return s.accounts.RefuseAdminAccount(r.Context(), s.source(r), "user.edit", u.Username, u.Role)
	}
	return s.renderUserForm(w, r, http.StatusOK, adminUserForm{User: u})
}

// adminUserUpdate changes an account's name, role, unit and disabled flag;
// the form's version guards against overwriting someone else's change.
func (s *Server) adminUserUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := s.db.User(r.Context(), id)
	if err != nil {
		return err
	}
	u.Name = strings.TrimSpace(r.PostFormValue("name"))
	u.Role = auth.Role(r.PostFormValue("role"))
	u.UnitID, _ = strconv.ParseInt(r.PostFormValue("unit_id"), 10, 64)
	u.Disabled = r.PostFormValue("disabled") != ""
	// A missing or bad version is 0, which matches no row: a conflict.
	u.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	typed := u
	_, err = s.accounts.UpdateUser(r.Context(), s.source(r), u)
	if apperr.Is(err, apperr.Conflict) {
		current, cerr := s.db.User(r.Context(), id)
		if cerr != nil {
			return cerr
		}
		typed.Version = current.Version
		return s.renderUserForm(w, r, http.StatusConflict, adminUserForm{User: typed,
			Conflict: s.userConflict(r, current, typed), Error: l10n(r, "conflict.title")})
	}
	if fe := fieldErrors(err); fe != nil {
		return s.renderUserForm(w, r, http.StatusUnprocessableEntity, adminUserForm{User: u, Fields: fe.Fields, Error: fe.Message})
	}
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, "/admin/users", l10n(r, "admin.user.saved", u.Username))
}

// adminUserResetPassword gives an account a new temporary password, ends
// its sessions and shows the password once.
func (s *Server) adminUserResetPassword(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if id == auth.ActorFrom(r.Context()).ID {
		// An administrator changes its own password knowing the current one.
		return apperr.New(apperr.Invalid, "不能重置自己的密码,请使用“修改密码”")
	}
	u, err := s.db.User(r.Context(), id)
	if err != nil {
		return err
	}
	pw, err := s.accounts.ResetPassword(r.Context(), s.source(r), id)
	if err != nil {
		return err
	}
	return s.renderTemporaryPassword(w, r, u, pw, false)
}
