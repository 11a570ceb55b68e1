package store_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/store"
)

// appendAudit writes n records, one transaction each, and returns them as
// read back, oldest first.
func appendAudit(t testing.TB, db *store.DB, n int) []audit.Entry {
	t.Helper()
	for i := 1; i <= n; i++ {
		src := audit.Source{ActorID: int64(i), ActorName: fmt.Sprintf("user%d", i), UnitID: 3, IP: "10.0.0.1", RequestID: fmt.Sprintf("req-%d", i)}
		mustTx(t, db, func(tx *store.Tx) error {
			return tx.Audit(src.New(audit.PlanUpdated, "plan", "42", map[string]any{"title": "旧"}, map[string]any{"title": fmt.Sprint("新", i)}))
		})
	}
	es, _, err := db.AuditEntries(context.Background(), audit.Filter{Limit: audit.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(es)-1; i < j; i, j = i+1, j-1 {
		es[i], es[j] = es[j], es[i]
	}
	return es
}

func verifyAudit(t testing.TB, db *store.DB) audit.Result {
	t.Helper()
	res, err := db.VerifyAudit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestAuditAppendAndVerify(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if res := verifyAudit(t, db); !res.OK() || res.Checked != 0 {
			t.Fatalf("empty log: %+v", res)
		}
		// Nanoseconds are dropped: both engines keep microseconds.
		db.SetClock(func() time.Time { return time.Date(2024, 3, 1, 9, 30, 0, 123456789, time.UTC) })
		mustTx(t, db, func(tx *store.Tx) error {
			e := audit.System("req-a").New(audit.DemoLoaded, "plan", "1", nil, map[string]any{"plans": 1, "名称": "示例"})
			if err := tx.Audit(e); err != nil {
				return err
			}
			return tx.Audit(audit.Source{ActorName: "张三", IP: "2001:db8::1"}.New(audit.LoginFailed, "user", "张三", nil, nil))
		})
		// A rolled-back change leaves no record behind.
		boom := errors.New("boom")
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.Audit(audit.System("req-b").New(audit.PlanImported, "plan", "2", nil, nil)); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		at := time.Date(2024, 3, 2, 1, 2, 3, 999999999, time.FixedZone("CST", 8*3600))
		mustTx(t, db, func(tx *store.Tx) error {
			e := audit.Source{ActorID: 9, ActorName: "李四", UnitID: 5, RequestID: "req-c"}.New(audit.UserCreated, "user", "9", nil, map[string]string{"username": "lisi"})
			e.At = at
			return tx.Audit(e)
		})

		es, total, err := db.AuditEntries(ctx, audit.Filter{})
		if err != nil || total != 3 || len(es) != 3 {
			t.Fatalf("entries %d of %d: %v", len(es), total, err)
		}
		if es[0].ID != 3 || es[1].ID != 2 || es[2].ID != 1 {
			t.Fatalf("not newest first: %d %d %d", es[0].ID, es[1].ID, es[2].ID)
		}
		first := es[2]
		if !first.At.Equal(time.Date(2024, 3, 1, 9, 30, 0, 123456000, time.UTC)) || first.ActorName != "system" ||
			first.RequestID != "req-a" || string(first.After) != `{"plans":1,"名称":"示例"}` || first.Before != nil ||
			first.PrevHash != "" || first.HashAlg != "sha256" || len(first.Hash) != 64 {
			t.Fatalf("first record %+v", first)
		}
		if es[1].PrevHash != first.Hash || es[1].IP != "2001:db8::1" || es[1].Action != audit.LoginFailed {
			t.Fatalf("second record %+v", es[1])
		}
		if !es[0].At.Equal(at.Truncate(time.Microsecond)) || es[0].UnitID != 5 || es[0].ActorID != 9 {
			t.Fatalf("third record %+v", es[0])
		}
		res := verifyAudit(t, db)
		if !res.OK() || res.Checked != 3 || res.LastID != 3 || res.LastHash != es[0].Hash {
			t.Fatalf("verify: %+v", res)
		}
	})
}

func TestAuditFilter(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		base := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
		add := func(day int, src audit.Source, action, entity, id string) {
			mustTx(t, db, func(tx *store.Tx) error {
				e := src.New(action, entity, id, nil, nil)
				e.At = base.AddDate(0, 0, day).Add(500 * time.Microsecond)
				return tx.Audit(e)
			})
		}
		zhang := audit.Source{ActorID: 1, ActorName: "Zhang_San", UnitID: 10}
		li := audit.Source{ActorID: 2, ActorName: "li%si", UnitID: 20}
		add(0, zhang, audit.LoginSucceeded, "user", "1")
		add(1, zhang, audit.PlanUpdated, "plan", "7")
		add(2, li, audit.PlanUpdated, "plan", "8")
		add(3, li, audit.LoginFailed, "user", "li%si")
		add(4, audit.System(""), audit.DemoLoaded, "", "")

		tests := []struct {
			name string
			f    audit.Filter
			ids  []int64
		}{
			{"all", audit.Filter{}, []int64{5, 4, 3, 2, 1}},
			{"from", audit.Filter{From: base.AddDate(0, 0, 2)}, []int64{5, 4, 3}},
			{"from inside a second", audit.Filter{From: base.AddDate(0, 0, 2).Add(600 * time.Microsecond)}, []int64{5, 4}},
			{"to is exclusive", audit.Filter{To: base.AddDate(0, 0, 1).Add(500 * time.Microsecond)}, []int64{1}},
			{"range", audit.Filter{From: base.AddDate(0, 0, 1), To: base.AddDate(0, 0, 3)}, []int64{3, 2}},
			{"action", audit.Filter{Action: audit.PlanUpdated}, []int64{3, 2}},
			{"any of actions", audit.Filter{Actions: []string{audit.LoginSucceeded, audit.LoginFailed}}, []int64{4, 1}},
			{"one action", audit.Filter{Actions: []string{audit.DemoLoaded}}, []int64{5}},
			{"actions and action", audit.Filter{Actions: audit.LoginActions, Action: audit.LoginFailed}, []int64{4}},
			{"actions and actor", audit.Filter{Actions: audit.LoginActions, ActorName: "li"}, []int64{4}},
			{"actor contains, any case", audit.Filter{ActorName: "zhang"}, []int64{2, 1}},
			{"actor wildcard is literal", audit.Filter{ActorName: "i%s"}, []int64{4, 3}},
			{"underscore is literal", audit.Filter{ActorName: "g_s"}, []int64{2, 1}},
			{"no match", audit.Filter{ActorName: "_x"}, nil},
			{"entity", audit.Filter{Entity: "plan", EntityID: "8"}, []int64{3}},
			{"unit", audit.Filter{UnitID: 10}, []int64{2, 1}},
			{"page", audit.Filter{Limit: 2, Offset: 1}, []int64{4, 3}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				es, total, err := db.AuditEntries(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				var ids []int64
				for _, e := range es {
					ids = append(ids, e.ID)
				}
				if fmt.Sprint(ids) != fmt.Sprint(tt.ids) {
					t.Fatalf("ids %v, want %v", ids, tt.ids)
				}
				if tt.f.Limit == 0 && total != len(tt.ids) {
					t.Fatalf("total %d", total)
				}
				if tt.f.Limit != 0 && total != 5 {
					t.Fatalf("paged total %d, want 5", total)
				}
			})
		}
	})
}

// bypassTriggers does what someone with full database access could: turn
// off the append-only triggers.
func bypassTriggers(t testing.TB, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	stmts := []string{"ALTER TABLE audit_log DISABLE TRIGGER USER"}
	if db.Engine() == "sqlite" {
		stmts = []string{"DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"}
	}
	for _, s := range stmts {
		if err := db.ExecForTest(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuditIsAppendOnly(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		appendAudit(t, db, 2)
		for _, q := range []string{"UPDATE audit_log SET after_json = '{}' WHERE id = 1", "DELETE FROM audit_log WHERE id = 2"} {
			err := db.ExecForTest(ctx, q)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want the trigger's refusal", q, err)
			}
		}
		if db.Engine() == "postgres" {
			if err := db.ExecForTest(ctx, "TRUNCATE audit_log"); err == nil {
				t.Error("TRUNCATE succeeded")
			}
		}
		if res := verifyAudit(t, db); !res.OK() || res.Checked != 2 {
			t.Fatalf("verify %+v", res)
		}
	})
}

// TestAuditVerifyCatchesTampering edits the log behind the application's
// back, as issue 4 requires; each case gets a fresh database.
func TestAuditVerifyCatchesTampering(t *testing.T) {
	tests := []struct {
		name     string
		sql      string
		brokenID int64
		reason   string
	}{
		{"edited after_json", `UPDATE audit_log SET after_json = '{"title":"篡改"}' WHERE id = 3`, 3, "记录已被修改"},
		{"edited actor", `UPDATE audit_log SET actor_name = 'admin' WHERE id = 2`, 2, "记录已被修改"},
		{"deleted middle record", `DELETE FROM audit_log WHERE id = 3`, 4, "缺少第 3 条记录"},
		{"deleted first record", `DELETE FROM audit_log WHERE id = 1`, 2, "缺少第 1 条记录"},
		// The last record has no successor to vouch for it, but its own hash
		// no longer matches its content. (Rewriting its content and hash
		// together, or deleting it, is only caught against an anchored final
		// hash: see audit.Result.LastHash.)
		{"last hash changed", `UPDATE audit_log SET hash = '` + strings.Repeat("0", 64) + `' WHERE id = 5`, 5, "记录已被修改"},
	}
	engines(t, func(t *testing.T, db *store.DB) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				db := openDB(t, db.Engine())
				appendAudit(t, db, 5)
				bypassTriggers(t, db)
				if err := db.ExecForTest(context.Background(), tt.sql); err != nil {
					t.Fatal(err)
				}
				res := verifyAudit(t, db)
				if res.OK() || res.BrokenID != tt.brokenID || !strings.Contains(res.Reason, tt.reason) {
					t.Fatalf("got %+v, want broken at %d: %s", res, tt.brokenID, tt.reason)
				}
			})
		}
		t.Run("edited time", func(t *testing.T) {
			db := openDB(t, db.Engine())
			appendAudit(t, db, 3)
			bypassTriggers(t, db)
			q := "UPDATE audit_log SET at = at + interval '1 microsecond' WHERE id = 2"
			if db.Engine() == "sqlite" {
				q = "UPDATE audit_log SET at = replace(at, '.000000', '.000001') WHERE id = 2"
			}
			if err := db.ExecForTest(context.Background(), q); err != nil {
				t.Fatal(err)
			}
			if res := verifyAudit(t, db); res.OK() || res.BrokenID != 2 {
				t.Fatalf("got %+v, want broken at 2", res)
			}
		})
	})
}

func TestAuditConcurrentAppends(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		const n = 20
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- db.InTx(context.Background(), func(tx *store.Tx) error {
					return tx.Audit(audit.System(fmt.Sprint("req-", i)).New(audit.PlanUpdated, "plan", fmt.Sprint(i), nil, nil))
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		res := verifyAudit(t, db)
		if !res.OK() || res.Checked != n || res.LastID != n {
			t.Fatalf("verify %+v", res)
		}
	})
}

// TestNoCodeChangesAuditLog keeps the promise of issue 4: no code path
// updates or deletes audit records. Tests may, to prove verify catches it.
func TestNoCodeChangesAuditLog(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found at %s: %v", root, err)
	}
	forbidden := regexp.MustCompile(`(?is)\b(update\s+audit_log|delete\s+from\s+audit_log|truncate\s+(table\s+)?audit_log)\b`)
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		checked++
		if m := forbidden.Find(b); m != nil {
			rel, _ := filepath.Rel(root, path)
			t.Errorf("%s: %q: the audit log is append-only", rel, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 10 {
		t.Fatalf("only %d Go files checked under %s", checked, root)
	}
}
