package web

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// health is the body of /healthz (issue 7). Status is "ok", "degraded"
// (reads work, writes fail: a read-only database or a full disk) or
// "unavailable" (the database does not answer).
type health struct {
	Status string `json:"status"`
	Engine string `json:"engine"`
	Read   string `json:"read"`  // "ok" or "failing"
	Write  string `json:"write"` // "ok", "failing" or "unknown" (reads failed)
}

// healthCache keeps the write probe's outcome for a few seconds, so that
// a client polling /healthz cannot turn it into a stream of writes.
type healthCache struct {
	mu  sync.Mutex
	at  time.Time
	err error
}

const healthProbeEvery = 5 * time.Second

func (s *Server) writeCheck(ctx context.Context) error {
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	now := s.db.Now()
	if !s.health.at.IsZero() && now.Sub(s.health.at) < healthProbeEvery && now.After(s.health.at) {
		return s.health.err
	}
	s.health.err = s.db.CheckWrite(ctx)
	s.health.at = now
	return s.health.err
}

// healthz reports whether the database answers reads and takes writes:
// 200 {"status":"ok"} when both work; 200 {"status":"degraded",
// "write":"failing"} when only reads work (signed-in users can still
// read), or 503 with ?strict=1; 503 {"status":"unavailable"} when reads
// fail.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	h := health{Status: "ok", Engine: s.db.Engine(), Read: "ok", Write: "ok"}
	status := http.StatusOK
	if err := s.db.Ping(ctx); err != nil {
		s.log.ErrorContext(ctx, "healthz: reads fail", "err", err, "request_id", RequestID(ctx))
		h.Status, h.Read, h.Write, status = "unavailable", "failing", "unknown", http.StatusServiceUnavailable
	} else if err := s.writeCheck(ctx); err != nil {
		s.log.WarnContext(ctx, "healthz: writes fail", "err", err, "request_id", RequestID(ctx))
		h.Status, h.Write = "degraded", "failing" // the cause is in the log, not on a public page
		if r.URL.Query().Get("strict") != "" {
			status = http.StatusServiceUnavailable
		}
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(h)
}
