package supervision_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/notify"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/supervision"
	"github.com/luoshi/luoshi/internal/testenv"
)

type world struct {
	db              *store.DB
	svc             *supervision.Service
	now             time.Time
	city, a, b      org.Unit
	staff, rep, out *auth.Actor
}

func newWorld(t *testing.T, engine string) *world {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, testenv.DSN(t, engine))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	w := &world{db: db, svc: &supervision.Service{DB: db}, now: time.Date(2023, 3, 1, 2, 0, 0, 0, time.UTC)}
	db.SetClock(func() time.Time { return w.now })
	w.city = org.Unit{Code: "510900", Name: "示例市", Kind: org.City, DivisionCode: "510900"}
	user := func(tx *store.Tx, name string, role auth.Role, unit org.Unit, scope auth.Scope) (*auth.Actor, error) {
		u := auth.User{Username: name, Role: role, UnitID: unit.ID}
		if err := tx.CreateUser(&u, "x"); err != nil {
			return nil, err
		}
		return &auth.Actor{User: u, Scope: scope}, nil
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateUnit(&w.city); err != nil {
			return err
		}
		w.a = org.Unit{Code: "510921", Name: "甲县", Kind: org.County, DivisionCode: "510921", ParentID: w.city.ID}
		w.b = org.Unit{Code: "510923", Name: "乙县", Kind: org.County, DivisionCode: "510923", ParentID: w.city.ID}
		if err := tx.CreateUnit(&w.a); err != nil {
			return err
		}
		if err := tx.CreateUnit(&w.b); err != nil {
			return err
		}
		if err := tx.CreateChannel(&notify.Channel{UnitID: w.a.ID, Kind: notify.Email, Target: "a@example.cn", Enabled: true}); err != nil {
			return err
		}
		if w.staff, err = user(tx, "staff", auth.Staff, w.city, auth.Everything); err != nil {
			return err
		}
		if w.rep, err = user(tx, "rep", auth.Reporter, w.a, auth.Scope{Units: []int64{w.a.ID}}); err != nil {
			return err
		}
		w.out, err = user(tx, "other", auth.Reporter, w.b, auth.Scope{Units: []int64{w.b.ID}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

var pdf = []byte("%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")

func TestNoticeLifecycle(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newWorld(t, engine)
			ctx := context.Background()
			src := audit.System("t")
			n, err := w.svc.Issue(ctx, w.staff, src, supervision.Issue{UnitID: w.a.ID, Subject: "科技型企业入库滞后", ReplyDue: "2023-03-10"})
			if err != nil {
				t.Fatal(err)
			}
			n2, err := w.svc.Issue(ctx, w.staff, src, supervision.Issue{UnitID: w.b.ID, Subject: "乙县事项", ReplyDue: "2023-03-10"})
			if err != nil {
				t.Fatal(err)
			}
			if n.Number != "督〔2023〕第1号" || n2.Number != "督〔2023〕第2号" || n.Status != supervision.Issued {
				t.Fatalf("numbers %q %q, status %s", n.Number, n2.Number, n.Status)
			}
			// Bad input names its field; a reporter may not issue.
			_, err = w.svc.Issue(ctx, w.staff, src, supervision.Issue{UnitID: w.a.ID, ReplyDue: "2023-02-01"})
			if e := apperr.As(err); e == nil || e.Fields["subject"] == "" || e.Fields["reply_due"] == "" {
				t.Fatalf("bad issue: %v", err)
			}
			if _, err := w.svc.Issue(ctx, w.rep, src, supervision.Issue{UnitID: w.a.ID, Subject: "x", ReplyDue: "2023-03-10"}); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("reporter issued: %v", err)
			}
			// The other unit's reporter: not found, by list and by id.
			if _, err := w.svc.Act(ctx, w.out, src, n.ID, supervision.StepReplied, supervision.Input{Version: n.Version, Text: "x"}); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("other unit replied: %v", err)
			}
			if list, _ := w.db.Notices(ctx, w.out.Scope, store.NoticeFilter{}); len(list) != 1 || list[0].ID != n2.ID {
				t.Fatalf("other unit's list: %+v", list)
			}
			// The unit asks for an extension; the bureau grants the date asked.
			w.now = w.now.Add(24 * time.Hour)
			_, err = w.svc.Act(ctx, w.rep, src, n.ID, supervision.StepExtensionAsked, supervision.Input{Version: n.Version, Text: "需协调省厅", DueOn: "2023-03-05"})
			if e := apperr.As(err); e == nil || e.Fields["due_on"] == "" {
				t.Fatalf("an extension to an earlier date: %v", err)
			}
			n, err = w.svc.Act(ctx, w.rep, src, n.ID, supervision.StepExtensionAsked, supervision.Input{Version: n.Version, Text: "需协调省厅", DueOn: "2023-03-20"})
			if err != nil || n.Status != supervision.ExtensionRequested {
				t.Fatalf("extension: %v %+v", err, n)
			}
			n, err = w.svc.Act(ctx, w.staff, src, n.ID, supervision.StepExtensionGranted, supervision.Input{Version: n.Version})
			if err != nil || n.Status != supervision.Issued || n.ReplyDue != "2023-03-20" {
				t.Fatalf("grant: %v %+v", err, n)
			}
			// A stale version is a conflict naming the current state.
			_, err = w.svc.Act(ctx, w.rep, src, n.ID, supervision.StepReplied, supervision.Input{Version: n.Version - 1, Text: "x"})
			if !apperr.Is(err, apperr.Conflict) || !strings.Contains(apperr.As(err).Message, "2023-03-20") {
				t.Fatalf("stale reply: %v", err)
			}
			// A file that is not one of the kinds, whatever its name.
			_, err = w.svc.Act(ctx, w.rep, src, n.ID, supervision.StepReplied, supervision.Input{Version: n.Version, Text: "已完成",
				Files: []supervision.Upload{{Name: "报告.pdf", Content: []byte("MZ\x90\x00 not a pdf")}}})
			if e := apperr.As(err); e == nil || !strings.Contains(e.Fields["files[0]"], "报告.pdf") {
				t.Fatalf("a disguised file: %v", err)
			}
			n, err = w.svc.Act(ctx, w.rep, src, n.ID, supervision.StepReplied, supervision.Input{Version: n.Version, Text: "已完成入库112家",
				Files: []supervision.Upload{{Name: `C:\材料\入库名单.pdf`, Content: pdf}}})
			if err != nil || n.Status != supervision.Replied {
				t.Fatalf("reply: %v %+v", err, n)
			}
			last := n.Trail[len(n.Trail)-1]
			if len(last.Files) != 1 || last.Files[0].Name != "入库名单.pdf" {
				t.Fatalf("reply files: %+v", last)
			}
			f, err := w.db.NoticeFile(ctx, w.rep.Scope, n.ID, last.Files[0].ID)
			if err != nil || !bytes.Equal(f.Content, pdf) {
				t.Fatalf("file: %v", err)
			}
			if _, err := w.db.NoticeFile(ctx, w.out.Scope, n.ID, last.Files[0].ID); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("other unit read the file: %v", err)
			}
			// The unit cannot close; the bureau does.
			if _, err := w.svc.Act(ctx, w.rep, src, n.ID, supervision.StepClosed, supervision.Input{Version: n.Version}); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("reporter closed: %v", err)
			}
			n, err = w.svc.Act(ctx, w.staff, src, n.ID, supervision.StepClosed, supervision.Input{Version: n.Version, Text: "办结"})
			if err != nil || n.Status != supervision.Closed || n.ClosedAt == nil {
				t.Fatalf("close: %v %+v", err, n)
			}
			if _, err := w.svc.Act(ctx, w.staff, src, n.ID, supervision.StepEscalated, supervision.Input{Version: n.Version, Text: "x"}); !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("escalated a closed notice: %v", err)
			}
			var steps []string
			for _, e := range n.Trail {
				steps = append(steps, e.Step)
				if e.At.IsZero() {
					t.Errorf("step %s has no time", e.Step)
				}
			}
			if got := strings.Join(steps, ","); got != "issued,extension_requested,extension_granted,replied,closed" {
				t.Fatalf("trail %s", got)
			}
			// Every step is audited.
			es, _, err := w.db.AuditEntries(ctx, audit.Filter{Entity: "supervision_notice", EntityID: itoa(n.ID)})
			if err != nil || len(es) != 5 {
				t.Fatalf("audit: %d %v", len(es), err)
			}
			// The unit's reporter got the bureau's steps in the inbox, the
			// issuer the unit's; the unit's e-mail channel has them queued.
			inbox, _ := w.db.Inbox(ctx, w.rep.ID, 50)
			staffInbox, _ := w.db.Inbox(ctx, w.staff.ID, 50)
			if len(inbox) != 3 || len(staffInbox) != 2 {
				t.Fatalf("inbox: reporter %d, staff %d", len(inbox), len(staffInbox))
			}
			rows, _ := w.db.OutboxRows(ctx, "", 50)
			if len(rows) != 3 {
				t.Fatalf("outbox: %d rows", len(rows))
			}
		})
	}
}

func TestRemind(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newWorld(t, engine)
			ctx := context.Background()
			if _, err := w.svc.Issue(ctx, w.staff, audit.System("t"), supervision.Issue{UnitID: w.a.ID, Subject: "事项", ReplyDue: "2023-03-05"}); err != nil {
				t.Fatal(err)
			}
			count := func() int {
				rows, _ := w.db.OutboxRows(ctx, "", 50)
				return len(rows)
			}
			base := count()
			if n, _ := w.svc.Remind(ctx, w.now); n != 0 || count() != base {
				t.Fatal("reminded four days ahead")
			}
			w.now = time.Date(2023, 3, 3, 1, 0, 0, 0, time.UTC) // two days ahead
			for range 3 {
				if _, err := w.svc.Remind(ctx, w.now); err != nil {
					t.Fatal(err)
				}
			}
			if count() != base+1 {
				t.Fatalf("three runs on one day: %d reminders", count()-base)
			}
			w.now = w.now.Add(5 * 24 * time.Hour) // overdue, another day
			w.svc.Remind(ctx, w.now)
			if count() != base+2 {
				t.Fatalf("next day: %d reminders", count()-base)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
