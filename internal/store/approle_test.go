package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/testenv"
)

// appRoleGrants are the README's statements that make role R the
// application's PostgreSQL role: it reads and writes the data, appends to
// the audit log, and nothing more. The tables stay owned by the role that
// runs `luoshi migrate`.
var appRoleGrants = []string{
	`GRANT USAGE ON SCHEMA public TO R`,
	`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO R`,
	`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO R`,
	`REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM R`,
}

// TestAppRoleCannotChangeAuditLog: the non-superuser application role of
// the README can run Luoshi (here: write an audit record) but cannot
// update, delete or truncate audit_log, nor disable or drop its triggers
// (issue 7, item 11).
func TestAppRoleCannotChangeAuditLog(t *testing.T) {
	ctx := context.Background()
	base := os.Getenv(testenv.PostgresEnv)
	var b [4]byte
	rand.Read(b[:])
	role := "luoshi_app_" + hex.EncodeToString(b[:])
	if base != "" {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, `CREATE ROLE `+role+` LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`); err != nil {
			t.Fatal(err)
		}
		// Registered before the database, so it runs after the database
		// (and the role's grants in it) is dropped.
		t.Cleanup(func() { admin.ExecContext(context.Background(), `DROP ROLE IF EXISTS `+role) })
	}
	dsn := testenv.PostgresURL(t)
	owner, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	if _, err := owner.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	mustTx(t, owner, func(tx *store.Tx) error {
		return tx.Audit(audit.System("test").New(audit.PlanImported, "plan", "1", nil, nil))
	})
	ownerSQL, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer ownerSQL.Close()
	for _, g := range appRoleGrants {
		if _, err := ownerSQL.ExecContext(ctx, strings.ReplaceAll(g, " R", " "+role)); err != nil {
			t.Fatalf("%s: %v", g, err)
		}
	}

	u, _ := url.Parse(dsn)
	u.User = url.User(role)
	app, err := store.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if err := app.CheckSchema(ctx); err != nil {
		t.Fatalf("the app role cannot read the schema: %v", err)
	}
	mustTx(t, app, func(tx *store.Tx) error {
		return tx.Audit(audit.System("test").New(audit.PlanUpdated, "plan", "1", nil, nil))
	})
	if res, err := app.VerifyAudit(ctx); err != nil || !res.OK() || res.Checked != 2 {
		t.Fatalf("verify as the app role: %+v %v", res, err)
	}

	raw, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		`UPDATE audit_log SET after_json = '{"x":1}' WHERE id = 1`,
		`DELETE FROM audit_log WHERE id = 2`,
		`TRUNCATE audit_log`,
		`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change`,
		`ALTER TABLE audit_log DISABLE TRIGGER ALL`,
		`DROP TRIGGER audit_log_no_change ON audit_log`,
		`DROP TABLE audit_log`,
		`SET session_replication_role = replica`,
	} {
		if _, err := raw.ExecContext(ctx, q); err == nil {
			t.Errorf("the app role could run %s", q)
		}
	}
	if res, err := owner.VerifyAudit(ctx); err != nil || !res.OK() || res.Checked != 2 {
		t.Fatalf("audit log changed: %+v %v", res, err)
	}
}
