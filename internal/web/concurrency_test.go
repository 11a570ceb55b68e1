package web_test

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/testenv"
)

// TestConcurrentWrites signs in and writes from many clients at once, on
// both engines: every request succeeds (no "database is locked"), and the
// audit chain that all of them append to stays intact.
func TestConcurrentWrites(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			e := newServerOn(t, testenv.DSN(t, engine))
			const clients, tokens = 8, 3
			var wg sync.WaitGroup
			errs := make(chan string, clients*(tokens+1))
			for i := 0; i < clients; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					name := []string{"staff", "leader", "reporter"}[i%3]
					c := e.anon(t)
					c.get("/login")
					resp, _ := c.post("/login", url.Values{"username": {name}, "password": {e.password(t, name)}})
					if resp.StatusCode != 303 {
						errs <- name + " login: " + resp.Status
						return
					}
					c.get("/account/tokens")
					for j := 0; j < tokens; j++ {
						resp, body := c.post("/account/tokens", url.Values{"name": {"并发"}})
						if resp.StatusCode != 200 || !strings.Contains(body, "lsp_") {
							errs <- name + " token: " + resp.Status
						}
					}
				}(i)
			}
			wg.Wait()
			close(errs)
			for e := range errs {
				t.Error(e)
			}
			ctx := context.Background()
			created, _, err := e.db.AuditEntries(ctx, audit.Filter{Action: audit.TokenCreated, Limit: 1000})
			if err != nil || len(created) != clients*tokens {
				t.Fatalf("%d token audit entries, want %d (%v)", len(created), clients*tokens, err)
			}
			if res, err := e.db.VerifyAudit(ctx); err != nil || !res.OK() {
				t.Fatalf("audit chain after concurrent writes: %+v %v", res, err)
			}
		})
	}
}
