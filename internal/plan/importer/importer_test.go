package importer

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/demo"
	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/plan/parse"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/testenv"
)

// engines runs fn on a fresh, migrated SQLite database and on a fresh,
// migrated PostgreSQL database.
func engines(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, testenv.DSN(t, engine))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			db.SetClock(func() time.Time { return time.Date(2024, 2, 1, 9, 0, 0, 0, time.UTC) })
			fn(t, db)
		})
	}
}

var staff = audit.Source{ActorID: 7, ActorName: "staff", IP: "192.0.2.1", RequestID: "req1"}

// document is the demo document made a different file: the same plan
// under a different hash, since the tests here import it several times.
func document(variant string) []byte {
	return append(bytes.Clone(demo.PlanDocument), []byte("\n"+variant+"\n")...)
}

func counts(t testing.TB, db *store.DB, id int64) (sections, items, keyItems, measures, targets int) {
	t.Helper()
	p, err := db.Plan(context.Background(), auth.Scope{All: true}, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range p.KeyItems {
		measures += len(k.Measures)
	}
	return len(p.Sections), p.ItemCount(), len(p.KeyItems), measures, len(Targets(p))
}

func auditActions(t testing.TB, db *store.DB) []audit.Entry {
	t.Helper()
	es, _, err := db.AuditEntries(context.Background(), audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestSaveCreatesEverything(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := New(db)
		r, err := svc.Upload(ctx, "staff", `C:\文件\2023年全市科技创新工作要点.txt`, document("a"))
		if err != nil {
			t.Fatal(err)
		}
		if r.Document.Name != "2023年全市科技创新工作要点.txt" || r.Duplicate.Exists() || len(r.Document.SHA256) != 64 {
			t.Fatalf("review: %+v %+v", r.Document, r.Duplicate)
		}
		f, err := db.File(ctx, r.Document.SHA256)
		if err != nil || !bytes.Equal(f.Content, document("a")) || f.CreatedBy != "staff" || f.Size != int64(len(f.Content)) {
			t.Fatalf("stored file: %v %+v", err, f.Name)
		}
		// Uploading again is idempotent.
		if _, err := svc.Upload(ctx, "other", "again.txt", document("a")); err != nil {
			t.Fatal(err)
		}
		if f, _ := db.File(ctx, r.Document.SHA256); f.Name != r.Document.Name {
			t.Fatalf("second upload renamed the file: %q", f.Name)
		}

		p := r.Plan
		wantS, wantI, wantK, wantT := len(p.Sections), p.ItemCount(), len(p.KeyItems), len(Targets(p))
		wantM := 0
		for _, k := range p.KeyItems {
			wantM += len(k.Measures)
		}
		if wantS != 6 || wantI != 17 || wantK != 10 || len(p.Targets) != 5 {
			t.Fatalf("parse: %d sections, %d items, %d key items, %d headline targets", wantS, wantI, wantK, len(p.Targets))
		}
		if err := svc.Save(ctx, staff, p, SaveOptions{SourceName: r.Document.Name}); err != nil {
			t.Fatal(err)
		}
		s, i, k, m, tg := counts(t, db, p.ID)
		if s != wantS || i != wantI || k != wantK || m != wantM || tg != wantT {
			t.Fatalf("saved %d/%d/%d/%d/%d, parsed %d/%d/%d/%d/%d", s, i, k, m, tg, wantS, wantI, wantK, wantM, wantT)
		}
		ref, err := db.PlanRefByHash(ctx, r.Document.SHA256)
		if err != nil || ref.ID != p.ID || ref.Status != StatusDraft {
			t.Fatalf("saved plan: %+v %v", ref, err)
		}
		es := auditActions(t, db)
		if len(es) != 1 || es[0].Action != audit.PlanImported || es[0].EntityID != strconv.FormatInt(p.ID, 10) ||
			es[0].ActorName != "staff" || !bytes.Contains(es[0].After, []byte(`"title":"2023年全市科技创新工作要点"`)) {
			t.Fatalf("audit: %+v", es)
		}
		if res, err := db.VerifyAudit(ctx); err != nil || !res.OK() {
			t.Fatalf("audit chain: %+v %v", res, err)
		}

		// The same document again is a conflict naming the plan.
		r2, err := svc.Reopen(ctx, r.Document.SHA256, "")
		if err != nil {
			t.Fatal(err)
		}
		if !r2.Duplicate.Replaceable() || r2.Duplicate.ID != p.ID || r2.Document.Name != r.Document.Name {
			t.Fatalf("reopen: %+v %+v", r2.Duplicate, r2.Document)
		}
		err = svc.Save(ctx, staff, r2.Plan, SaveOptions{})
		want := "该文件已导入为计划《2023年全市科技创新工作要点》(#" + strconv.FormatInt(p.ID, 10) + ")"
		if e := apperr.As(err); e == nil || e.Code != apperr.Conflict || e.Message != want {
			t.Fatalf("second save: %v, want %q", err, want)
		}
		if len(auditActions(t, db)) != 1 {
			t.Fatal("a refused save was audited")
		}
	})
}

func TestReplaceDraft(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := New(db)
		r, err := svc.Upload(ctx, "staff", "plan.txt", document("b"))
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Save(ctx, staff, r.Plan, SaveOptions{}); err != nil {
			t.Fatal(err)
		}
		oldID := r.Plan.ID

		r2, err := svc.Reopen(ctx, r.Document.SHA256, "plan.txt")
		if err != nil {
			t.Fatal(err)
		}
		r2.Plan.Title = "2023年工作要点(修订)"
		if err := svc.Save(ctx, staff, r2.Plan, SaveOptions{ReplaceID: oldID}); err != nil {
			t.Fatal(err)
		}
		plans, err := db.Plans(ctx, auth.Scope{All: true})
		if err != nil || len(plans) != 1 || plans[0].ID != r2.Plan.ID || plans[0].ID == oldID || plans[0].Title != "2023年工作要点(修订)" {
			t.Fatalf("after replace: %+v %v", plans, err)
		}
		if _, err := db.Plan(ctx, auth.Scope{All: true}, oldID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("old plan: %v", err)
		}
		es := auditActions(t, db)
		if len(es) != 2 || es[0].Action != audit.PlanReplaced || es[0].EntityID != strconv.FormatInt(r2.Plan.ID, 10) ||
			!bytes.Contains(es[0].Before, []byte(`"id":`+strconv.FormatInt(oldID, 10))) {
			t.Fatalf("audit: %+v", es)
		}

		// A replace that fails halfway leaves the draft as it was.
		boom := errors.New("boom")
		afterCreate = func(*store.Tx) error { return boom }
		t.Cleanup(func() { afterCreate = nil })
		r3, _ := svc.Reopen(ctx, r.Document.SHA256, "plan.txt")
		if err := svc.Save(ctx, staff, r3.Plan, SaveOptions{ReplaceID: r2.Plan.ID}); !errors.Is(err, boom) {
			t.Fatalf("failing replace: %v", err)
		}
		afterCreate = nil
		if plans, _ := db.Plans(ctx, auth.Scope{All: true}); len(plans) != 1 || plans[0].ID != r2.Plan.ID {
			t.Fatalf("after failed replace: %+v", plans)
		}
		if s, i, k, _, _ := counts(t, db, r2.Plan.ID); s != 6 || i != 17 || k != 10 {
			t.Fatalf("draft damaged by failed replace: %d %d %d", s, i, k)
		}

		// An active plan is not replaced.
		r4, _ := svc.Upload(ctx, "staff", "active.txt", document("c"))
		if err := svc.Save(ctx, staff, r4.Plan, SaveOptions{Activate: true}); err != nil {
			t.Fatal(err)
		}
		r5, _ := svc.Reopen(ctx, r4.Document.SHA256, "")
		if r5.Duplicate.Status != StatusActive || r5.Duplicate.Replaceable() {
			t.Fatalf("duplicate of an active plan: %+v", r5.Duplicate)
		}
		err = svc.Save(ctx, staff, r5.Plan, SaveOptions{ReplaceID: r4.Plan.ID})
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("replace active plan: %v", err)
		}
		// Nor is a draft from another document.
		err = svc.Save(ctx, staff, r5.Plan, SaveOptions{ReplaceID: r2.Plan.ID})
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("replace with another document: %v", err)
		}
		if plans, _ := db.Plans(ctx, auth.Scope{All: true}); len(plans) != 2 {
			t.Fatalf("refused replaces changed plans: %+v", plans)
		}
		if n := len(auditActions(t, db)); n != 3 {
			t.Fatalf("%d audit entries, want 3", n)
		}
	})
}

func TestFailureMidwayLeavesNothing(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := New(db)
		r, err := svc.Upload(ctx, "staff", "plan.txt", document("d"))
		if err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		written := 0
		afterCreate = func(tx *store.Tx) error {
			written = len(r.Plan.Sections)
			return boom
		}
		t.Cleanup(func() { afterCreate = nil })
		if err := svc.Save(ctx, staff, r.Plan, SaveOptions{}); !errors.Is(err, boom) || written != 6 {
			t.Fatalf("save: %v (after %d sections)", err, written)
		}
		plans, err := db.Plans(ctx, auth.Scope{All: true})
		if err != nil || len(plans) != 0 {
			t.Fatalf("a failed save left plans: %+v %v", plans, err)
		}
		if _, err := db.PlanRefByHash(ctx, r.Document.SHA256); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("by hash: %v", err)
		}
		if es := auditActions(t, db); len(es) != 0 {
			t.Fatalf("a failed save was audited: %+v", es)
		}
	})
}

func TestUploadRefusesNonPlans(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := New(db)
		png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)
		_, err := svc.Upload(ctx, "staff", "logo.png", png)
		var pe *parse.Error
		if !errors.As(err, &pe) || pe.Message == "" {
			t.Fatalf("png: %v", err)
		}
		_, err = svc.Upload(ctx, "staff", "big.txt", make([]byte, parse.MaxSize+1))
		if !errors.As(err, &pe) || !errors.Is(err, parse.ErrTooLarge) {
			t.Fatalf("too large: %v", err)
		}
		if _, err := svc.Reopen(ctx, "0000000000000000000000000000000000000000000000000000000000000000", ""); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("unknown file: %v", err)
		}
		if _, err := svc.Reopen(ctx, "../../etc/passwd", ""); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("bad sha: %v", err)
		}
	})
}

func TestValidateNamesRows(t *testing.T) {
	p, err := parse.Parse("plan.txt", demo.PlanDocument)
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(p); err != nil {
		t.Fatalf("parsed plan invalid: %v", err)
	}
	refs := Targets(p)
	p.Title, p.Year, p.IssuedOn = " ", 1999, "2023-13-01"
	refs[2].Value = -1
	refs[3].Comparator = "=="
	p.Sections[1].Items[0].Title = ""
	e := apperr.As(Validate(p))
	if e == nil || e.Code != apperr.Invalid {
		t.Fatalf("want invalid, got %v", e)
	}
	want := map[string]string{
		"title":               "计划名称不能为空",
		"year":                "年度须为2000至2100之间的整数",
		"issued_on":           "印发日期须为“年-月-日”格式,如 2023-02-28",
		"target.2.value":      "第3个目标:目标值须为不小于0的数字",
		"target.3.comparator": "第4个目标:要求须为达到、突破、左右或不超过",
		"item.1.0.title":      "第2个部分第1条:标题不能为空",
	}
	for k, v := range want {
		if e.Fields[k] != v {
			t.Errorf("field %s: %q, want %q", k, e.Fields[k], v)
		}
	}
	if len(e.Fields) != len(want) {
		t.Errorf("fields: %v", e.Fields)
	}
}

func TestValues(t *testing.T) {
	money := plan.Target{Value: 1.53e9, Unit: "元", Display: "15.3亿元"}
	if n, u := WrittenValue(money); n != "15.3" || u != "亿元" {
		t.Fatalf("written: %q %q", n, u)
	}
	count := plan.Target{Value: 185, Unit: "家", Display: "185家"}
	if n, u := WrittenValue(count); n != "185" || u != "家" {
		t.Fatalf("written: %q %q", n, u)
	}
	if n, u := WrittenValue(plan.Target{Value: 2500, Unit: "元"}); n != "2500" || u != "元" {
		t.Fatalf("no display: %q %q", n, u)
	}
	// Unchanged input keeps the document's wording.
	m := money
	if !SetValue(&m, "15.3", "亿元") || m != money {
		t.Fatalf("unchanged: %+v", m)
	}
	if !SetValue(&m, "16.8", "亿元") || m.Value != 1680000000 || m.Unit != "元" || m.Display != "16.8亿元" {
		t.Fatalf("changed: %+v", m)
	}
	for _, bad := range []string{"", "abc", "-1", "NaN", "Inf", "1e400"} {
		c := count
		if SetValue(&c, bad, "家") || c != count {
			t.Errorf("SetValue(%q) accepted or changed: %+v", bad, c)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"  a.txt ", "a.txt"}, {`C:\x\y.docx`, "y.docx"}, {"/etc/passwd", "passwd"}, {"", "upload"}, {"..", "upload"},
	} {
		if got := cleanName(tc.in); got != tc.want {
			t.Errorf("cleanName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDropTargets(t *testing.T) {
	p, err := parse.Parse("plan.txt", demo.PlanDocument)
	if err != nil {
		t.Fatal(err)
	}
	n := len(Targets(p))
	last := Targets(p)[n-1].Name
	DropTargets(p, func(i int) bool { return i == 0 || i == n-2 })
	refs := Targets(p)
	if len(refs) != n-2 || refs[0].Name != "入库备案国家科技型中小企业" || refs[len(refs)-1].Name != last {
		t.Fatalf("after drop: %d targets, first %q", len(refs), refs[0].Name)
	}
}
