package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/testenv"
)

// TestAuditKeyedChainRewrite: with the audit key, a log rewritten by
// someone who can write to the database (triggers dropped, rows edited,
// hashes recomputed) fails `luoshi audit verify`; records written before
// the key verify as a plain prefix (issue 7, item 11).
func TestAuditKeyedChainRewrite(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			dsn, driver := filepath.Join(t.TempDir(), "luoshi.db"), "sqlite"
			vars := map[string]string{}
			if engine == "postgres" {
				dsn, driver = testenv.PostgresURL(t), "pgx"
			}
			getenv := env(func(k string) string { return vars[k] })
			cmd := func(args ...string) (string, string, error) {
				var o, e bytes.Buffer
				err := run(ctx, args, getenv, strings.NewReader(""), &o, &e)
				return o.String(), e.String(), err
			}

			// Two records from before the key: a plain prefix.
			db, _, err := openMigrated(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{"1", "2"} {
				if err := db.InTx(ctx, func(tx *store.Tx) error {
					return tx.Audit(audit.System("cli").New(audit.PlanImported, "plan", id, nil, map[string]string{"n": id}))
				}); err != nil {
					t.Fatal(err)
				}
			}
			db.Close()

			// Then keyed records: SQLite makes its key file beside the
			// database; PostgreSQL takes LUOSHI_AUDIT_KEY.
			if engine == "postgres" {
				vars["LUOSHI_AUDIT_KEY"] = strings.Repeat("k3y-", 10)
			}
			_, errOut, err := cmd("unit", "add", "--db", dsn, "--code", "city", "--name", "某市", "--kind", "city", "--division", "510900")
			if err != nil {
				t.Fatalf("unit add: %v %s", err, errOut)
			}
			if engine == "sqlite" {
				st, err := os.Stat(dsn + ".auditkey")
				if err != nil || st.Mode().Perm() != 0o600 || !strings.Contains(errOut, "已生成审计密钥文件") {
					t.Fatalf("key file: %v %v, stderr %q", st, err, errOut)
				}
			}
			if _, _, err := cmd("unit", "add", "--db", dsn, "--code", "park", "--name", "某园区", "--kind", "park", "--parent", "city"); err != nil {
				t.Fatal(err)
			}
			out, errOut, err := cmd("audit", "verify", "--db", dsn)
			if err != nil || !strings.Contains(out, "共 4 条记录") || !strings.Contains(out, "其中 2 条以审计密钥签名") {
				t.Fatalf("verify before the rewrite: %v\n%s%s", err, out, errOut)
			}

			// Without the key on PostgreSQL a writer refuses to add plain
			// records after keyed ones.
			if engine == "postgres" {
				delete(vars, "LUOSHI_AUDIT_KEY")
				if _, _, err := cmd("unit", "add", "--db", dsn, "--code", "x", "--name", "某区", "--kind", "park", "--parent", "city"); err == nil ||
					!strings.Contains(err.Error(), "审计日志已使用密钥签名") {
					t.Errorf("a write without the key on a keyed chain: %v", err)
				}
				vars["LUOSHI_AUDIT_KEY"] = strings.Repeat("k3y-", 10)
			}

			// The attacker: no key, full write access. Every record is
			// rewritten with recomputed plain hashes.
			plain, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			entries, _, err := plain.AuditEntries(ctx, audit.Filter{Limit: 100})
			plain.Close()
			if err != nil {
				t.Fatal(err)
			}
			slices.Reverse(entries)
			raw, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			disable := []string{"ALTER TABLE audit_log DISABLE TRIGGER USER"}
			if engine == "sqlite" {
				disable = []string{"DROP TRIGGER audit_log_no_update"}
			}
			for _, s := range disable {
				if _, err := raw.ExecContext(ctx, s); err != nil {
					t.Fatal(err)
				}
			}
			upd := "UPDATE audit_log SET after_json = ?, hash_alg = ?, prev_hash = ?, hash = ? WHERE id = ?"
			if engine == "postgres" {
				upd = "UPDATE audit_log SET after_json = $1, hash_alg = $2, prev_hash = $3, hash = $4 WHERE id = $5"
			}
			prev := ""
			for _, e := range entries {
				if e.Action == audit.UnitCreated {
					e.After = []byte(strings.Replace(string(e.After), "某", "另", 1))
				}
				e.HashAlg = audit.DefaultHashAlg
				if err := audit.Seal(&e, prev); err != nil {
					t.Fatal(err)
				}
				prev = e.Hash
				if _, err := raw.ExecContext(ctx, upd, string(e.After), e.HashAlg, e.PrevHash, e.Hash, e.ID); err != nil {
					t.Fatal(err)
				}
			}
			out, errOut, err = cmd("audit", "verify", "--db", dsn)
			var code exitCode
			if !errors.As(err, &code) || code != 3 || !strings.Contains(errOut, "没有一条记录以密钥签名") {
				t.Fatalf("verify after a plain rewrite: %v\n%s%s", err, out, errOut)
			}
		})
	}
}
