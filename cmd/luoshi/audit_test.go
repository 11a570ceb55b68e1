package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/testenv"
)

func TestAuditVerifyCommand(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			dsn, driver := filepath.Join(t.TempDir(), "luoshi.db"), "sqlite"
			if engine == "postgres" {
				dsn, driver = testenv.PostgresURL(t), "pgx"
			}
			getenv := env(func(string) string { return "" })
			verify := func() (stdout, stderr string, err error) {
				var o, e bytes.Buffer
				err = cmdAudit(ctx, []string{"verify", "--db", dsn}, getenv, &o, &e)
				return o.String(), e.String(), err
			}

			out, _, err := verify()
			if err != nil || !strings.Contains(out, "共 0 条记录") {
				t.Fatalf("empty log: %q %v", out, err)
			}

			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				err := db.InTx(ctx, func(tx *store.Tx) error {
					return tx.Audit(audit.System("cli").New(audit.PlanImported, "plan", strconv.Itoa(i+1), nil, map[string]int{"n": i}))
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			res, err := db.VerifyAudit(ctx)
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			out, _, err = verify()
			if err != nil || !strings.Contains(out, "审计日志完整: 共 3 条记录, 末条哈希 "+res.LastHash) {
				t.Fatalf("intact log: %q %v", out, err)
			}

			// Edit record 2 behind the application's back, past the trigger.
			raw, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			stmts := []string{"ALTER TABLE audit_log DISABLE TRIGGER USER", `UPDATE audit_log SET after_json = '{"n":9}' WHERE id = 2`}
			if engine == "sqlite" {
				stmts[0] = "DROP TRIGGER audit_log_no_update"
			}
			for _, s := range stmts {
				if _, err := raw.ExecContext(ctx, s); err != nil {
					t.Fatal(err)
				}
			}
			out, errOut, err := verify()
			var code exitCode
			if !errors.As(err, &code) || code != 3 {
				t.Fatalf("tampered log: err %v, want exit status 3", err)
			}
			if out != "" || !strings.Contains(errOut, "审计日志在第 2 条记录处断裂: 记录内容与其哈希不符") {
				t.Fatalf("tampered log: stdout %q stderr %q", out, errOut)
			}
		})
	}
}

func TestAuditCommandUsage(t *testing.T) {
	var o, e bytes.Buffer
	getenv := env(func(string) string { return "" })
	for _, args := range [][]string{nil, {"nope"}, {"verify", "extra", "--db", "x"}} {
		o.Reset()
		e.Reset()
		err := cmdAudit(context.Background(), args, getenv, &o, &e)
		var code exitCode
		if !errors.As(err, &code) || code != 2 || !strings.Contains(e.String(), "usage: luoshi audit verify") {
			t.Errorf("%q: %v, stderr %q", args, err, e.String())
		}
	}
}
