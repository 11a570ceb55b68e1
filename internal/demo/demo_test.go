package demo_test

import (
	"context"
	"strings"
	"testing"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/demo"
	"github.com/luoshi/luoshi/internal/report"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/testenv"
)

// TestLoad runs on both engines: the demo fills an empty database once,
// with units, the parsed plan, one account per role and an audit trail.
func TestLoad(t *testing.T) {
	auth.DefaultHashParams = auth.HashParams{Memory: 1024, Time: 1, Threads: 1}
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, testenv.DSN(t, engine))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			res, err := demo.Load(ctx, db)
			if err != nil || !res.Loaded || res.Units != 15 || len(res.Accounts) != len(auth.Roles) {
				t.Fatalf("load: %+v %v", res, err)
			}
			p, err := db.Plan(ctx, auth.Everything, res.PlanID)
			if err != nil || p.Status != "active" || len(p.Sections) != 6 || p.ItemCount() != 17 || len(p.KeyItems) != 10 {
				t.Fatalf("plan: %v", err)
			}
			for _, a := range res.Accounts {
				u, hash, err := db.UserCredentials(ctx, a.Username)
				if err != nil || u.Role != a.Role {
					t.Fatalf("account %s: %v", a.Username, err)
				}
				if ok, _ := auth.CheckPassword(hash, a.Password); !ok {
					t.Fatalf("account %s: printed password does not match", a.Username)
				}
			}
			// Assignments come from the demo's map, not from the parser's
			// guesses: no lead unit is the city or the bureau's office for
			// the key item that merely mentions 市创建工作领导小组办公室.
			as, err := db.Assignments(ctx, auth.Everything, store.AssignmentFilter{PlanID: res.PlanID})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range as {
				if a.HasLead(0) || strings.Contains(a.LeadNames(), "遂宁市") && !strings.Contains(a.LeadNames(), "遂宁市科学技术局") {
					t.Errorf("%s %d: lead %s", a.Kind, a.TaskNo, a.LeadNames())
				}
				if a.Kind == "key_item" && a.TaskNo == 1 && strings.Contains(a.LeadNames(), "办公室") {
					t.Errorf("key item 1 led by %s", a.LeadNames())
				}
				if a.Kind == "work_item" && len(a.LeadUnits) == 0 {
					t.Errorf("work item %d has no lead unit", a.TaskNo)
				}
			}
			// Synthetic reports for the first months, every one labelled.
			reports, err := db.Reports(ctx, auth.Everything, store.ReportFilter{PlanID: res.PlanID})
			if err != nil || len(reports) < 100 {
				t.Fatalf("%d demo reports %v", len(reports), err)
			}
			statuses := map[report.Status]int{}
			for _, r := range reports {
				statuses[r.Status]++
				if !r.Demo || !strings.Contains(r.Progress, "演示数据") {
					t.Fatalf("report %d is not labelled as demo data", r.ID)
				}
			}
			if statuses[report.Approved] == 0 || statuses[report.Submitted] == 0 || statuses[report.Returned] == 0 || statuses[report.StatusDraft] == 0 {
				t.Errorf("demo report statuses %v", statuses)
			}
			// Again: the database holds data, nothing happens.
			again, err := demo.Load(ctx, db)
			if err != nil || again.Loaded {
				t.Fatalf("second load: %+v %v", again, err)
			}
			if list, _ := db.Plans(ctx, auth.Everything); len(list) != 1 {
				t.Fatalf("%d plans after a second load", len(list))
			}
			if entries, _, _ := db.AuditEntries(ctx, audit.Filter{Action: audit.DemoLoaded}); len(entries) != 1 {
				t.Fatalf("demo load audited %d times", len(entries))
			}
			if res, err := db.VerifyAudit(ctx); err != nil || !res.OK() {
				t.Fatalf("audit chain after the demo: %+v %v", res, err)
			}
		})
	}
}
