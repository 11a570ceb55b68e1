package account

import (
	"context"
	"log/slog"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
)

// SetLogger gives the service a logger for what it handles itself: a
// failed best-effort write such as a session's last-seen time.
func (s *Service) SetLogger(l *slog.Logger) { s.log = l }

func (s *Service) logger() *slog.Logger {
	if s.log == nil {
		return slog.Default()
	}
	return s.log
}

// unavailable marks a store failure met while checking a session as 503
// (系统暂时不可用): the session may well be valid, the database is what
// failed, so the caller keeps the cookie (issue 7).
func unavailable(err error) error {
	if e := apperr.As(err); e != nil {
		return err
	}
	return &apperr.Error{Code: apperr.Unavailable, Key: "err.unavailable", Message: apperr.MsgUnavailable, Err: err}
}

// touch records a session's activity. A failure (read-only database, disk
// full, lock timeout) is logged and otherwise ignored: reads must keep
// working when writes fail, and the cost is an idle timeout counted from
// the last successful write.
func (s *Service) touch(ctx context.Context, sessionID string, now time.Time) {
	if err := s.db.TouchSession(ctx, sessionID, now); err != nil {
		s.logger().WarnContext(ctx, "session last-seen not recorded", "session", sessionID[:min(12, len(sessionID))], "err", err)
	}
}
