package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/testenv"
)

// engines runs fn once on a fresh, migrated SQLite database and once on a
// fresh, migrated PostgreSQL database.
func engines(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			fn(t, openDB(t, engine))
		})
	}
}

func openDB(t testing.TB, engine string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, testenv.DSN(t, engine))
	if err != nil {
		t.Fatalf("open %s: %v", engine, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", engine, err)
	}
	db.SetClock(func() time.Time { return time.Date(2023, 3, 1, 9, 0, 0, 0, time.UTC) })
	return db
}

func mustTx(t testing.TB, db *store.DB, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := db.InTx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func TestMigrateIsIdempotentAndChecked(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.CheckSchema(ctx); err != nil {
			t.Fatalf("fresh migrated schema: %v", err)
		}
		applied, err := db.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Fatalf("second migrate applied %v, %v; want nothing", applied, err)
		}
		want, _ := db.LatestVersion()
		got, _ := db.SchemaVersion(ctx)
		if got != want || want == 0 {
			t.Fatalf("schema version %d, latest %d", got, want)
		}
	})
}

func TestCheckSchemaRefusesEmptyDatabase(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CheckSchema(context.Background()); err == nil {
		t.Fatal("CheckSchema on an unmigrated database: want an error")
	}
}

// TestSchemasMatch keeps the two engines' migrations in step: the same
// tables with the same columns.
func TestSchemasMatch(t *testing.T) {
	lite := openDB(t, "sqlite")
	pg := openDB(t, "postgres")
	ls, err := lite.Columns(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ps, err := pg.Columns(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) < 8 {
		t.Fatalf("sqlite schema has only %d tables: %v", len(ls), ls)
	}
	if !reflect.DeepEqual(ls, ps) {
		t.Fatalf("schemas differ:\nsqlite:   %v\npostgres: %v", ls, ps)
	}
	// Editable tables carry a version for optimistic locking and their times;
	// logs, sessions and counters are written once or only by the system.
	notEditable := map[string]bool{"schema_migrations": true, "audit_log": true, "sessions": true,
		"api_tokens": true, "login_failures": true, "settings": false, "files": true,
		"registry_monthly": true, "password_history": true}
	for table, cols := range ls {
		if notEditable[table] {
			continue
		}
		if !contains(cols, "version") || !contains(cols, "updated_at") {
			t.Errorf("table %s is editable but lacks version/updated_at: %v", table, cols)
		}
	}
}

func contains(s []string, v string) bool {
	i := sort.SearchStrings(s, v)
	return i < len(s) && s[i] == v
}

func createUnits(t testing.TB, db *store.DB) (city, county org.Unit) {
	t.Helper()
	city = org.Unit{Code: "510900", Name: "示例市", Kind: org.City, DivisionCode: "510900"}
	mustTx(t, db, func(tx *store.Tx) error {
		if err := tx.CreateUnit(&city); err != nil {
			return err
		}
		county = org.Unit{Code: "510921", Name: "示例县", Kind: org.County, DivisionCode: "510921", ParentID: city.ID}
		return tx.CreateUnit(&county)
	})
	return city, county
}

func TestUnits(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		city, county := createUnits(t, db)
		units, err := db.Units(ctx)
		if err != nil || len(units) != 2 {
			t.Fatalf("units: %v %v", units, err)
		}
		got, err := db.UnitByCode(ctx, "510921")
		if err != nil || got.ID != county.ID || got.ParentID != city.ID || got.Kind != org.County {
			t.Fatalf("unit by code: %+v %v", got, err)
		}
		if _, err := db.Unit(ctx, 999999); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("missing unit: %v, want not_found", err)
		}
		// A duplicate code fails and leaves nothing behind.
		err = db.InTx(ctx, func(tx *store.Tx) error {
			u := org.Unit{Code: "park1", Name: "示例高新区", Kind: org.Park, ParentID: city.ID}
			if err := tx.CreateUnit(&u); err != nil {
				return err
			}
			dup := org.Unit{Code: "510921", Name: "重复", Kind: org.County, DivisionCode: "510922", ParentID: city.ID}
			return tx.CreateUnit(&dup)
		})
		if err == nil {
			t.Fatal("duplicate code: want an error")
		}
		if units, _ := db.Units(ctx); len(units) != 2 {
			t.Fatalf("failed transaction left %d units, want 2", len(units))
		}
		// Invalid input names the field.
		err = db.InTx(ctx, func(tx *store.Tx) error {
			return tx.CreateUnit(&org.Unit{Code: "x", Name: "", Kind: org.County, DivisionCode: "12", ParentID: city.ID})
		})
		e := apperr.As(err)
		if e == nil || e.Code != apperr.Invalid || e.Fields["name"] == "" || e.Fields["division_code"] == "" {
			t.Fatalf("invalid unit: %#v", err)
		}
	})
}

func samplePlan() *plan.Plan {
	stretch := 200.0
	return &plan.Plan{
		Title: "2024年全县科技工作要点", Issuer: "示例县科学技术局", IssuedOn: "2024-02-01", Year: 2024,
		DocNo: "示科发〔2024〕1号", Preamble: "全年高新技术企业达到150家。", Themes: []string{"创新平台", "科技惠民"},
		ContentHash: "abc123",
		Targets: []plan.Target{
			{Name: "高新技术企业", Value: 150, Unit: "家", Comparator: plan.AtLeast, Stretch: &stretch, Source: "全年高新技术企业达到150家"},
			{Name: "研发投入", Value: 1.53e9, Unit: "元", Comparator: plan.MoreThan, Display: "15.3亿元", Source: "研发投入突破15.3亿元"},
		},
		Sections: []plan.Section{
			{No: 1, Title: "强化平台", Items: []plan.Task{
				{No: 1, Title: "建设平台", Text: "建设平台。新增省级平台2个。", Units: []string{"示例县"},
					Targets: []plan.Target{{Name: "省级平台", Value: 2, Unit: "个", Comparator: plan.AtLeast, Increment: true, Source: "新增省级平台2个"}}},
				{No: 2, Title: "培育企业", Text: "培育企业。"},
			}},
			{No: 2, Title: "优化生态", Items: []plan.Task{{No: 3, Title: "落实政策", Text: "落实政策。"}}},
		},
		KeyItems: []plan.Task{
			{No: 1, Title: "创建创新型县", LeadUnits: []string{"示例县"}, Measures: []plan.Measure{
				{No: 1, Text: "编制方案", Done: true, DoneNote: "已完成"},
				{No: 2, Text: "组织申报", Due: "2024-06-30", DueText: "6月底前"},
			}},
		},
	}
}

func TestPlanRoundTrip(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, county := createUnits(t, db)
		p := samplePlan()
		mustTx(t, db, func(tx *store.Tx) error { return tx.CreatePlan(p) })
		if p.ID == 0 || p.Sections[0].ID == 0 || p.KeyItems[0].Measures[1].ID == 0 || p.Targets[0].ID == 0 {
			t.Fatalf("ids not set: %+v", p)
		}
		got, err := db.Plan(ctx, auth.Everything, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := samplePlan()
		// What the store adds: ids, kinds, status, versions. The units the
		// parser named are suggestions, not responsibilities (issue 8).
		copyIDs(want, p)
		want.KeyItems[0].LeadUnits = nil
		gotJSON, _ := json.MarshalIndent(got, "", " ")
		wantJSON, _ := json.MarshalIndent(want, "", " ")
		if string(gotJSON) != string(wantJSON) {
			t.Fatalf("round trip differs:\n got %s\nwant %s", gotJSON, wantJSON)
		}
		list, err := db.Plans(ctx, auth.Everything)
		if err != nil || len(list) != 1 {
			t.Fatalf("plans: %v %v", list, err)
		}
		s := list[0]
		if s.Sections != 2 || s.Items != 3 || s.KeyItems != 1 || s.Targets != 3 || s.Status != "draft" {
			t.Fatalf("summary %+v", s)
		}
		id, status, err := db.PlanIDByHash(ctx, "abc123")
		if err != nil || id != p.ID || status != "draft" {
			t.Fatalf("by hash: %d %s %v", id, status, err)
		}
		if _, _, err := db.PlanIDByHash(ctx, "other"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("unknown hash: %v", err)
		}
		if _, err := db.Plan(ctx, auth.Everything, p.ID+1000); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("missing plan: %v", err)
		}
		// The suggestion is offered for the key item, naming the county.
		as, err := db.Assignments(ctx, auth.Everything, store.AssignmentFilter{PlanID: p.ID, TaskID: p.KeyItems[0].ID})
		if err != nil || len(as) != 3 || len(as[0].Suggestions) != 1 || as[0].Suggestions[0].UnitID != county.ID ||
			as[0].Suggestions[0].State != "open" || len(as[0].LeadUnits) != 0 {
			t.Fatalf("suggestions: %+v %v", as, err)
		}
	})
}

func copyIDs(want, saved *plan.Plan) {
	want.ID, want.Status, want.Version = saved.ID, saved.Status, 1
	for i := range want.Targets {
		want.Targets[i].ID = saved.Targets[i].ID
	}
	for si := range want.Sections {
		want.Sections[si].ID = saved.Sections[si].ID
		for ti := range want.Sections[si].Items {
			copyTask(&want.Sections[si].Items[ti], &saved.Sections[si].Items[ti])
		}
	}
	for ti := range want.KeyItems {
		copyTask(&want.KeyItems[ti], &saved.KeyItems[ti])
	}
}

func copyTask(w, s *plan.Task) {
	w.ID, w.Kind, w.Version = s.ID, s.Kind, 1
	if w.Targets == nil {
		w.Targets = []plan.Target{}
	}
	for i := range w.Targets {
		w.Targets[i].ID = s.Targets[i].ID
	}
	for i := range w.Measures {
		w.Measures[i].ID, w.Measures[i].Version = s.Measures[i].ID, 1
	}
}

func TestInTxRollsBackOnError(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		ran := false
		err := db.InTx(ctx, func(tx *store.Tx) error {
			tx.AfterCommit(func() { ran = true })
			if err := tx.CreatePlan(samplePlan()); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err %v", err)
		}
		if ran {
			t.Fatal("after-commit hook ran on rollback")
		}
		if empty, err := db.IsEmpty(ctx); err != nil || !empty {
			t.Fatalf("rolled back plan left rows: empty=%v %v", empty, err)
		}
		mustTx(t, db, func(tx *store.Tx) error {
			tx.AfterCommit(func() { ran = true })
			return nil
		})
		if !ran {
			t.Fatal("after-commit hook did not run on commit")
		}
	})
}
