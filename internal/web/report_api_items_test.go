package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/luoshi/luoshi/internal/auth"
)

// TestAssignmentsAPIItemOfPlan: a PUT of assignments naming an item the
// plan does not have (no such task; a measure of another task) is refused
// with the row at fault, and nothing is saved.
func TestAssignmentsAPIItemOfPlan(t *testing.T) {
	e := newServer(t)
	ctx := context.Background()
	staff := apiToken(t, e, "staff")
	plan := "/api/v1/plans/" + itoa(e.demo.PlanID)
	p, _ := e.db.Plan(ctx, auth.Everything, e.demo.PlanID)
	k9 := p.KeyItems[8]
	a, _ := e.db.Assignment(ctx, auth.Everything, k9.ID, 0)
	good := map[string]any{"task_id": k9.ID, "lead_unit_ids": []int64{a.LeadUnits[0].ID}, "person_name": "接口责任人",
		"due_on": "2023-11-30", "version": a.Version}
	for _, bad := range []map[string]any{{"task_id": 999999}, {"task_id": k9.ID, "measure_id": p.KeyItems[0].Measures[0].ID}} {
		resp, body := apiSend(t, e, staff, "PUT", plan+"/assignments", map[string]any{"assignments": []any{good, bad}})
		if resp.StatusCode != 422 || !strings.Contains(body, "assignments[1] task_id") {
			t.Fatalf("item not of the plan %v: %d %.300s", bad, resp.StatusCode, body)
		}
	}
	if now, _ := e.db.Assignment(ctx, auth.Everything, k9.ID, 0); now.Version != a.Version || now.PersonName == "接口责任人" {
		t.Fatalf("saved despite the bad row: %+v", now)
	}
}
