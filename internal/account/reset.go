package account

import (
	"context"
	"strconv"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/store"
)

// SetPassword gives an account the password given (it must meet the
// policy), ends its sessions and audits a reset: `luoshi user reset
// --password-stdin` on the server, the only way to reset an
// administrator's password (issue 7). mustChange forces a change at the
// next sign-in.
func (s *Service) SetPassword(ctx context.Context, src audit.Source, userID int64, password string, mustChange bool) error {
	u, err := s.db.User(ctx, userID)
	if err != nil {
		return err
	}
	if !fromServer(src) && !WebManaged(u.Role) {
		return s.RefuseAdminAccount(ctx, src, "user.reset", u.Username, u.Role)
	}
	policy, _, err := s.db.Policy(ctx)
	if err != nil {
		return err
	}
	if err := policy.CheckPassword(u.Username, password); err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetPassword(userID, hash, mustChange); err != nil {
			return err
		}
		if err := tx.RevokeUserSessions(userID, ""); err != nil {
			return err
		}
		return tx.Audit(src.New(audit.UserPasswordReset, "user", strconv.FormatInt(userID, 10), nil,
			map[string]any{"must_change": mustChange}))
	})
}
