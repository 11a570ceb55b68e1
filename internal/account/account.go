// Package account signs people in and out and manages accounts: login with
// lockout, sessions and API tokens, password changes and resets. Every
// event and change is written to the audit log in the same transaction.
package account

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/text"
)

// Token prefixes tell a session secret from a personal API token.
const (
	SessionPrefix  = "lss_"
	PersonalPrefix = "lsp_"
)

// Service is the account service.
type Service struct {
	db     *store.DB
	hashes *auth.HashLimiter
	log    *slog.Logger
	seen   seenCache // activity not yet written (available.go)
}

// New returns the service over db; times come from the store's clock.
// Password hashing is bounded by a limiter with the default budget
// (WithHashLimiter replaces it).
func New(db *store.DB) *Service {
	return &Service{db: db, hashes: auth.NewHashLimiter(auth.HashSlots(auth.DefaultHashMemoryMiB), auth.DefaultHashWait)}
}

// WithHashLimiter makes the service share l with others (the web pages and
// the API share one) and returns it.
func (s *Service) WithHashLimiter(l *auth.HashLimiter) *Service {
	s.hashes = l
	return s
}

// hashing runs fn, which computes password hashes one after another,
// holding one of the limiter's slots.
func (s *Service) hashing(ctx context.Context, fn func() error) error {
	release, err := s.hashes.Acquire(ctx)
	if err != nil {
		return err
	}
	defer release()
	return fn()
}

// checkLogin checks the password of the account key; an unknown or
// disabled account costs the same work and is not ok.
func (s *Service) checkLogin(ctx context.Context, key, password string) (auth.User, bool, error) {
	user, hash, err := s.db.UserCredentials(ctx, key)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return user, false, err
	}
	known := err == nil
	ok := false
	err = s.hashing(ctx, func() error {
		if !known {
			auth.BurnTime(password)
			return nil
		}
		var err error
		ok, err = auth.CheckPassword(hash, password)
		return err
	})
	return user, ok && known && !user.Disabled, err
}

// pendingWait bounds how long a sign-in waits for others' checks in flight
// to settle before it is refused.
const pendingWait = 3 * time.Second

// ErrBadLogin is the one message for an unknown user and a wrong password.
const msgBadLogin = "用户名或密码错误"

func badLogin() error {
	return &apperr.Error{Code: apperr.Unauthenticated, Key: "login.bad", Message: msgBadLogin}
}

// LoginRequest is one sign-in attempt.
type LoginRequest struct {
	Username  string
	Password  string
	Kind      string // "web" or "api"
	IP        string
	UserAgent string
	RequestID string
}

// LoginResult is a successful sign-in.
type LoginResult struct {
	Token   string // the secret: a cookie value or a bearer token
	Session store.Session
	User    auth.User
}

// Login checks a username and password. Unknown users and wrong passwords
// get the same error after the same work; 5 failures (the policy's number)
// lock the account name and the source address for 15 minutes. Every
// attempt is counted before its password is checked, so no more than the
// threshold are ever checked per account or address in a window, however
// many arrive at once (issue 7).
func (s *Service) Login(ctx context.Context, req LoginRequest) (*LoginResult, error) {
	if len(req.Password) > auth.MaxPasswordBytes || len(req.Username) > 256 {
		return nil, &apperr.Error{Code: apperr.Invalid, Message: msgBadLogin}
	}
	now := s.db.Now()
	key := auth.NormalizeUsername(req.Username)
	policy, _, err := s.db.Policy(ctx)
	if err != nil {
		return nil, err
	}
	src := audit.Source{ActorName: truncate(strings.TrimSpace(req.Username), 64), IP: req.IP, RequestID: req.RequestID}
	keys := []string{"u:" + key, "ip:" + req.IP}
	window := time.Duration(policy.LockoutMinutes) * time.Minute
	// While the allowance is full only of checks in flight, wait for them
	// to settle: a success gives its place back (colleagues signing in at
	// once from one address), failures turn into a lock.
	deadline := time.Now().Add(pendingWait)
	backoff := 10 * time.Millisecond
	for {
		var res store.Reservation
		final := false
		err = s.db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			res, err = tx.ReserveLogin(keys, now, policy.LockoutThreshold, window)
			if err != nil || res.OK {
				return err
			}
			final = !res.Full || time.Now().After(deadline)
			return nil
		})
		if err != nil {
			return nil, err
		}
		if res.OK {
			break
		}
		if final {
			mins := int(res.Until.Sub(now).Minutes()) + 1
			// Retries while locked are counted, one audit record per
			// account and window, not one each (issue 7).
			s.Deny(ctx, src, "locked:u:"+key, map[string]any{"reason": "locked", "ip": req.IP, "until": res.Until})
			return nil, &apperr.Error{Code: apperr.TooMany, Key: "login.locked",
				Message: fmt.Sprintf("登录失败次数过多,该账号或来源地址已被锁定,请%d分钟后再试", mins)}
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 200*time.Millisecond)
	}

	user, ok, err := s.checkLogin(ctx, key, req.Password)
	if err != nil {
		// The check did not run (busy, cancelled, store error): the
		// attempt does not count. A new context, since ctx may be done.
		if rerr := s.db.InTx(context.WithoutCancel(ctx), func(tx *store.Tx) error { return tx.ReleaseLogin(keys) }); rerr != nil {
			return nil, rerr
		}
		return nil, err
	}

	if !ok {
		err := s.db.InTx(ctx, func(tx *store.Tx) error {
			// The counters' rows are locked before the audit log's, in
			// every transaction, so that no two wait for each other.
			locked, err := tx.LoginFailed(keys, now, policy.LockoutThreshold, window)
			if err != nil {
				return err
			}
			if err := tx.Audit(src.New(audit.LoginFailed, "user", key, nil, nil)); err != nil {
				return err
			}
			for _, k := range locked {
				if err := tx.Audit(src.New(audit.LockedOut, "lockout", k, nil,
					map[string]any{"minutes": policy.LockoutMinutes})); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		return nil, badLogin()
	}

	kind := req.Kind
	if kind != "api" {
		kind = "web"
	}
	token := auth.NewToken(SessionPrefix)
	sess := store.Session{ID: auth.HashToken(token), UserID: user.ID, Username: user.Username, Kind: kind,
		CSRF: auth.NewToken(""), IP: req.IP, UserAgent: truncate(text.CleanLine(req.UserAgent), 255), CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(time.Duration(policy.AbsoluteHours) * time.Hour)}
	src.ActorID, src.ActorName, src.UnitID = user.ID, user.Username, user.UnitID
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.LoginSucceeded(keys[0], keys[1]); err != nil {
			return err
		}
		if err := tx.CreateSession(&sess); err != nil {
			return err
		}
		return tx.Audit(src.New(audit.LoginSucceeded, "session", sess.ID[:12], nil, map[string]string{"kind": kind}))
	})
	if err != nil {
		return nil, err
	}
	return &LoginResult{Token: token, Session: sess, User: user}, nil
}

// Authenticate returns the actor of a session secret or personal API token;
// an unknown, revoked, idle or expired one is unauthenticated.
func (s *Service) Authenticate(ctx context.Context, token string) (*auth.Actor, error) {
	now := s.db.Now()
	if strings.HasPrefix(token, PersonalPrefix) {
		_, userID, err := s.db.APITokenUser(ctx, auth.HashToken(token))
		if apperr.Is(err, apperr.NotFound) {
			return nil, unauthenticated()
		}
		if err != nil {
			return nil, unavailable(err)
		}
		a, err := s.actor(ctx, userID)
		if err != nil {
			return nil, err
		}
		a.ViaToken = true
		return a, nil
	}
	if !strings.HasPrefix(token, SessionPrefix) {
		return nil, unauthenticated()
	}
	sess, err := s.db.Session(ctx, auth.HashToken(token))
	if apperr.Is(err, apperr.NotFound) {
		return nil, unauthenticated()
	}
	if err != nil {
		// The database failed, not the session: keep the cookie and
		// answer 503, so that a database restart signs nobody out (issue 7).
		return nil, unavailable(err)
	}
	policy, _, err := s.db.Policy(ctx)
	if err != nil {
		return nil, unavailable(err)
	}
	idle := time.Duration(policy.IdleMinutes) * time.Minute
	sess.LastSeenAt = s.seen.latest(sess.ID, sess.LastSeenAt)
	if sess.Revoked || !sess.ExpiresAt.After(now) || !sess.LastSeenAt.Add(idle).After(now) {
		return nil, unauthenticated()
	}
	a, err := s.actor(ctx, sess.UserID)
	if err != nil {
		return nil, err
	}
	a.SessionID, a.CSRF, a.ViaToken = sess.ID, sess.CSRF, sess.Kind == "api"
	// Record activity at most every 30 s: one write per page view is waste.
	// The write is best effort: on a read-only or full database reads must
	// keep working (issue 7).
	if now.Sub(sess.LastSeenAt) > 30*time.Second {
		s.touch(ctx, sess.ID, now)
	}
	return a, nil
}

func unauthenticated() error {
	return &apperr.Error{Code: apperr.Unauthenticated, Key: "err.unauthenticated", Message: "登录已失效,请重新登录"}
}

// actor loads a user and derives its scope once.
func (s *Service) actor(ctx context.Context, userID int64) (*auth.Actor, error) {
	u, err := s.db.User(ctx, userID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, unauthenticated()
	}
	if err != nil {
		return nil, unavailable(err)
	}
	if u.Disabled {
		return nil, unauthenticated()
	}
	a := &auth.Actor{User: u, Scope: auth.Everything}
	if u.Role == auth.Reporter {
		units, err := s.db.Units(ctx)
		if err != nil {
			return nil, unavailable(err)
		}
		a.Scope = auth.Scope{Units: org.Subtree(units, u.UnitID)}
	}
	return a, nil
}

// Source returns the audit source of an actor's request.
func Source(a *auth.Actor, ip, requestID string) audit.Source {
	if a == nil {
		return audit.Source{ActorName: "anonymous", IP: ip, RequestID: requestID}
	}
	return audit.Source{ActorID: a.ID, ActorName: a.Username, UnitID: a.UnitID, IP: ip, RequestID: requestID}
}

// Logout ends the actor's session.
func (s *Service) Logout(ctx context.Context, a *auth.Actor, src audit.Source) error {
	if a == nil || a.SessionID == "" {
		return nil
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.RevokeSession(a.SessionID, a.ID); err != nil {
			return err
		}
		return tx.Audit(src.New(audit.Logout, "session", a.SessionID[:12], nil, nil))
	})
}

// RevokeSession ends one session: the user's own (userID = the actor's), or
// anyone's (userID 0, the security administrator's online-users page).
func (s *Service) RevokeSession(ctx context.Context, src audit.Source, sessionID string, userID int64) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		ok, err := tx.RevokeSession(sessionID, userID)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.New(apperr.NotFound, "未找到该会话")
		}
		return tx.Audit(src.New(audit.SessionRevoked, "session", truncate(sessionID, 12), nil, nil))
	})
}

// ChangePassword replaces the actor's password after checking the current
// one; the new one must meet the policy and not repeat the current or the
// policy's number of earlier passwords. Other sessions end.
func (s *Service) ChangePassword(ctx context.Context, a *auth.Actor, src audit.Source, current, next string) error {
	_, hash, err := s.db.UserCredentials(ctx, auth.NormalizeUsername(a.Username))
	if err != nil {
		return err
	}
	policy, _, err := s.db.Policy(ctx)
	if err != nil {
		return err
	}
	earlier, err := s.db.PasswordHistory(ctx, a.ID, policy.PasswordHistory-1)
	if err != nil {
		return err
	}
	var newHash string
	// One hashing slot for the whole sequence: the checks run one after
	// another, so they hold one hash's memory at a time.
	err = s.hashing(ctx, func() error {
		ok, err := auth.CheckPassword(hash, current)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.WithFields("当前密码不正确", map[string]string{"current": "当前密码不正确"})
		}
		if err := policy.CheckPassword(a.Username, next); err != nil {
			return err
		}
		if current == next {
			return apperr.WithFields("新密码不能与当前密码相同", map[string]string{"password": "新密码不能与当前密码相同"})
		}
		for _, h := range earlier {
			reused, err := auth.CheckPassword(h, next)
			if err != nil {
				return err
			}
			if reused {
				msg := fmt.Sprintf("新密码不能与最近%d次使用过的密码相同", policy.PasswordHistory)
				return apperr.WithFields(msg, map[string]string{"password": msg})
			}
		}
		newHash, err = auth.HashPassword(next)
		return err
	})
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.ArchivePassword(a.ID); err != nil {
			return err
		}
		if err := tx.SetPassword(a.ID, newHash, false); err != nil {
			return err
		}
		if err := tx.RevokeUserSessions(a.ID, a.SessionID); err != nil {
			return err
		}
		return tx.Audit(src.New(audit.PasswordChanged, "user", strconv.FormatInt(a.ID, 10), nil, nil))
	})
}

var usernameRE = regexp.MustCompile(`^[\p{Han}A-Za-z0-9_.@-]{2,32}$`)

// NewUser is an account to create.
type NewUser struct {
	Username   string
	Name       string
	Role       auth.Role
	UnitID     int64
	Password   string
	MustChange bool
}

// CreateUser creates an account whose password meets the policy.
func (s *Service) CreateUser(ctx context.Context, src audit.Source, nu NewUser) (auth.User, error) {
	fields := map[string]string{}
	nu.Username = auth.CleanUsername(nu.Username)
	if !usernameRE.MatchString(nu.Username) {
		fields["username"] = "用户名须为2至32位汉字、字母、数字或 _ . @ -"
	}
	if !nu.Role.Valid() {
		fields["role"] = "请选择角色"
	}
	if _, err := s.db.Unit(ctx, nu.UnitID); err != nil {
		fields["unit_id"] = "请选择所属单位"
	}
	if len([]rune(nu.Name)) > 40 {
		fields["name"] = "姓名不能超过40个字"
	} else if msg := text.Line("姓名", nu.Name); msg != "" {
		fields["name"] = msg
	}
	policy, _, err := s.db.Policy(ctx)
	if err != nil {
		return auth.User{}, err
	}
	if err := policy.CheckPassword(nu.Username, nu.Password); err != nil {
		fields["password"] = apperr.As(err).Message
	}
	if len(fields) > 0 {
		return auth.User{}, apperr.WithFields("用户信息有误", fields)
	}
	if !fromServer(src) && !WebManaged(nu.Role) {
		return auth.User{}, s.RefuseAdminAccount(ctx, src, "user.create", nu.Username, nu.Role)
	}
	var hash string
	err = s.hashing(ctx, func() (err error) { hash, err = auth.HashPassword(nu.Password); return })
	if err != nil {
		return auth.User{}, err
	}
	u := auth.User{Username: nu.Username, Name: strings.TrimSpace(nu.Name), Role: nu.Role, UnitID: nu.UnitID, MustChange: nu.MustChange}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateUser(&u, hash); err != nil {
			return err
		}
		return tx.Audit(src.New(audit.UserCreated, "user", strconv.FormatInt(u.ID, 10), nil, userView(u)))
	})
	return u, err
}

// UpdateUser changes an account's name, role, unit or disabled flag; a
// disabled account's sessions end.
func (s *Service) UpdateUser(ctx context.Context, src audit.Source, u auth.User) (auth.User, error) {
	before, err := s.db.User(ctx, u.ID)
	if err != nil {
		return u, err
	}
	if !fromServer(src) && (!WebManaged(before.Role) || (u.Role.Valid() && !WebManaged(u.Role))) {
		return u, s.RefuseAdminAccount(ctx, src, "user.update", before.Username, before.Role)
	}
	fields := map[string]string{}
	u.Name = strings.TrimSpace(u.Name)
	if len([]rune(u.Name)) > 40 {
		fields["name"] = "姓名不能超过40个字"
	} else if msg := text.Line("姓名", u.Name); msg != "" {
		fields["name"] = msg
	}
	if !u.Role.Valid() {
		fields["role"] = "请选择角色"
	}
	if _, err := s.db.Unit(ctx, u.UnitID); err != nil {
		fields["unit_id"] = "请选择所属单位"
	}
	if len(fields) > 0 {
		return u, apperr.WithFields("用户信息有误", fields)
	}
	if src.ActorID == u.ID && (u.Disabled || u.Role != before.Role) {
		return u, apperr.New(apperr.Invalid, "不能停用自己的账号或更改自己的角色")
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateUser(&u); err != nil {
			return err
		}
		if u.Disabled {
			if err := tx.RevokeUserSessions(u.ID, ""); err != nil {
				return err
			}
		}
		return tx.Audit(src.New(audit.UserUpdated, "user", strconv.FormatInt(u.ID, 10), userView(before), userView(u)))
	})
	return u, err
}

// ResetPassword gives an account a random temporary password that must be
// changed at the next sign-in, ends its sessions, and returns the password
// to show once.
func (s *Service) ResetPassword(ctx context.Context, src audit.Source, userID int64) (string, error) {
	target, err := s.db.User(ctx, userID)
	if err != nil {
		return "", err
	}
	if !fromServer(src) && !WebManaged(target.Role) {
		return "", s.RefuseAdminAccount(ctx, src, "user.reset", target.Username, target.Role)
	}
	policy, _, err := s.db.Policy(ctx)
	if err != nil {
		return "", err
	}
	pw := auth.RandomPasswordFor(policy)
	var hash string
	err = s.hashing(ctx, func() (err error) { hash, err = auth.HashPassword(pw); return })
	if err != nil {
		return "", err
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.ArchivePassword(userID); err != nil {
			return err
		}
		if err := tx.SetPassword(userID, hash, true); err != nil {
			return err
		}
		if err := tx.RevokeUserSessions(userID, ""); err != nil {
			return err
		}
		return tx.Audit(src.New(audit.UserPasswordReset, "user", strconv.FormatInt(userID, 10), nil, nil))
	})
	return pw, err
}

// UpdatePolicy stores a new security policy.
func (s *Service) UpdatePolicy(ctx context.Context, src audit.Source, p auth.Policy, version int64) error {
	if err := p.Validate(); err != nil {
		return err
	}
	before, _, err := s.db.Policy(ctx)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetPolicy(p, version); err != nil {
			return err
		}
		return tx.Audit(src.New(audit.PolicyUpdated, "policy", "security", before, p))
	})
}

// CreateToken issues a personal API token and returns the secret, shown once.
func (s *Service) CreateToken(ctx context.Context, a *auth.Actor, src audit.Source, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 40 {
		return "", apperr.WithFields("令牌名称有误", map[string]string{"name": "请填写1至40个字的令牌名称"})
	}
	if msg := text.Line("令牌名称", name); msg != "" {
		return "", apperr.WithFields("令牌名称有误", map[string]string{"name": msg})
	}
	token := auth.NewToken(PersonalPrefix)
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		id, err := tx.CreateAPIToken(a.ID, name, auth.HashToken(token))
		if err != nil {
			return err
		}
		return tx.Audit(src.New(audit.TokenCreated, "api_token", strconv.FormatInt(id, 10), nil, map[string]string{"name": name}))
	})
	return token, err
}

// RevokeToken revokes one of the actor's personal tokens.
func (s *Service) RevokeToken(ctx context.Context, a *auth.Actor, src audit.Source, id int64) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.RevokeAPIToken(a.ID, id); err != nil {
			return err
		}
		return tx.Audit(src.New(audit.TokenRevoked, "api_token", strconv.FormatInt(id, 10), nil, nil))
	})
}

// userView is what the audit log keeps of an account: never the hash.
func userView(u auth.User) map[string]any {
	return map[string]any{"username": u.Username, "name": u.Name, "role": u.Role, "unit_id": u.UnitID,
		"disabled": u.Disabled, "must_change": u.MustChange}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
