package account

import (
	"context"
	"log/slog"
	"sync"
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
// working when writes fail (issue 7). Meanwhile this node remembers the
// activity in memory (lastSeen), so that an active user is not signed out
// by the idle timeout while the database takes no writes.
func (s *Service) touch(ctx context.Context, sessionID string, now time.Time) {
	if err := s.db.TouchSession(ctx, sessionID, now); err != nil {
		s.logger().WarnContext(ctx, "session last-seen not recorded", "session", sessionID[:min(12, len(sessionID))], "err", err)
		s.seen.remember(sessionID, now)
		return
	}
	s.seen.forget(sessionID)
}

// maxSeen bounds the sessions remembered in memory while writes fail.
const maxSeen = 100000

// seenCache holds the activity of sessions whose last-seen write failed.
type seenCache struct {
	mu sync.Mutex
	m  map[string]time.Time
}

func (c *seenCache) remember(id string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]time.Time{}
	}
	if _, ok := c.m[id]; ok || len(c.m) < maxSeen {
		c.m[id] = at
	}
}

func (c *seenCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
}

// latest returns the later of stored and what this node remembers.
func (c *seenCache) latest(id string, stored time.Time) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.m[id]; ok && t.After(stored) {
		return t
	}
	return stored
}
