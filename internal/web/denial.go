package web

import (
	"net/http"

	"github.com/luoshi/luoshi/internal/account"
	"github.com/luoshi/luoshi/internal/audit"
)

// addDenialCounts prefixes each access.denied row with how many tries its
// key had in that window: the log keeps one record per key and window, the
// count lives in access_denials (issue 7).
func (s *Server) addDenialCounts(r *http.Request, l Layout, rows []auditRow) {
	for i := range rows {
		e := rows[i].Entry
		if e.Action != audit.AccessDenied {
			continue
		}
		n, err := s.db.DenialCount(r.Context(), e.EntityID, e.At.Truncate(account.DenialWindow))
		if err != nil || n == 0 {
			continue
		}
		rows[i].Change = l.T("audit.denied_count", n, int(account.DenialWindow.Minutes())) + " · " + rows[i].Change
	}
}
