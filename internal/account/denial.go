package account

import (
	"context"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/store"
)

// DenialWindow is the period over which denied accesses under one key are
// counted in one row, with one access.denied audit record (issue 7).
const DenialWindow = 15 * time.Minute

// Deny records a denied access under key: the first in its window writes
// an access.denied audit record with detail, later ones only raise the
// count in access_denials, so a caller retrying a thousand times cannot
// flood the log. It is best effort: a failure is logged, the access is
// refused all the same.
func (s *Service) Deny(ctx context.Context, src audit.Source, key string, detail map[string]any) {
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		first, err := tx.CountDenial(key, DenialWindow)
		if err != nil || !first {
			return err
		}
		return tx.Audit(src.New(audit.AccessDenied, "access", key, nil, detail))
	})
	if err != nil {
		s.logger().WarnContext(ctx, "access denial not recorded", "key", key, "err", err)
	}
}

// WebManaged reports whether accounts of role r may be created, changed or
// reset by a signed-in administrator (the web and API): staff, reporters
// and leaders. The three administrators (sysadmin, secadmin, auditor) are
// managed only from the command line on the server (luoshi user add /
// reset), so that the system administrator cannot make, reset, or sign in
// as an auditor (三员分立, issue 7).
func WebManaged(r auth.Role) bool { return r == auth.Staff || r == auth.Reporter || r == auth.Leader }

// msgAdminCLI is the refusal shown when the web touches an administrator.
const msgAdminCLI = "系统管理员、安全管理员和安全审计员账号只能在服务器上用命令行管理(luoshi user add / luoshi user reset)"

// fromServer reports whether src is the server itself (the CLI, start-up):
// a signed-in person always has an actor id.
func fromServer(src audit.Source) bool { return src.ActorID == 0 }

// RefuseAdminAccount records and refuses a signed-in administrator's change to an
// administrator account (what names the change, e.g. "user.reset").
func (s *Service) RefuseAdminAccount(ctx context.Context, src audit.Source, what, target string, role auth.Role) error {
	s.Deny(ctx, src, "admin-account:"+what+":"+target+":by:"+src.ActorName,
		map[string]any{"reason": "administrator accounts are managed from the CLI", "action": what, "target": target, "role": role})
	return &apperr.Error{Code: apperr.Forbidden, Key: "err.admin_cli", Message: msgAdminCLI}
}
