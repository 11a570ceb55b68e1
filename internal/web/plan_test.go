package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/store"
)

func TestPlanActivate(t *testing.T) {
	e := newServer(t)
	ctx := context.Background()
	p := &plan.Plan{Title: "2025年科技工作要点", Year: 2025, Sections: []plan.Section{{No: 1, Title: "一", Items: []plan.Task{{No: 1, Title: "甲"}}}}}
	if err := e.db.InTx(ctx, func(tx *store.Tx) error { return tx.CreatePlan(p) }); err != nil {
		t.Fatal(err)
	}
	path := "/plans/" + itoa(p.ID)
	staff := e.login(t, "staff")
	_, body := staff.get(path)
	if !strings.Contains(body, `action="`+path+`/activate"`) {
		t.Fatal("a draft plan offers no activation to staff")
	}
	if _, body := e.login(t, "leader").get(path); strings.Contains(body, "/activate") {
		t.Error("the leader is offered activation")
	}
	if resp, _ := e.login(t, "leader").post(path+"/activate", url.Values{"version": {"1"}}); resp.StatusCode != 404 {
		t.Errorf("leader activates: %d, want 404", resp.StatusCode)
	}
	if resp, _ := staff.post(path+"/activate", url.Values{"version": {"1"}}); resp.StatusCode != 303 {
		t.Fatalf("activate: %d", resp.StatusCode)
	}
	got, _ := e.db.Plan(ctx, auth.Everything, p.ID)
	if got.Status != "active" || got.Version != 2 {
		t.Fatalf("after activation: %s v%d", got.Status, got.Version)
	}
	// The same form again (stale version, no longer a draft): a conflict.
	if resp, body := staff.post(path+"/activate", url.Values{"version": {"1"}}); resp.StatusCode != 409 || !strings.Contains(body, "已被他人修改") {
		t.Fatalf("second activation: %d", resp.StatusCode)
	}
	if _, body := staff.get(path); strings.Contains(body, "/activate") {
		t.Error("an active plan still offers activation")
	}
	entries, _, _ := e.db.AuditEntries(ctx, audit.Filter{Action: audit.PlanUpdated, EntityID: itoa(p.ID)})
	if len(entries) != 1 || !strings.Contains(string(entries[0].After), "active") {
		t.Fatalf("audit: %+v", entries)
	}
}
