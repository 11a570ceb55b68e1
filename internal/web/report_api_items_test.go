package web_test

import (
	"context"
	"encoding/json"
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

// TestRulesAPIPlanVersion: the rules carry the plan's version, which a PUT
// of the rules must send back; the reply has the new one.
func TestRulesAPIPlanVersion(t *testing.T) {
	e := newServer(t)
	ctx := context.Background()
	staff := apiToken(t, e, "staff")
	rules := "/api/v1/plans/" + itoa(e.demo.PlanID) + "/report-rules"
	p, _ := e.db.Plan(ctx, auth.Everything, e.demo.PlanID)
	var got struct {
		PlanVersion int64 `json:"plan_version"`
	}
	if resp, body := apiGet(t, e, staff, rules); resp.StatusCode != 200 || json.Unmarshal([]byte(body), &got) != nil || got.PlanVersion != p.Version {
		t.Fatalf("rules: %d %s (plan version %d)", resp.StatusCode, body, p.Version)
	}
	put := map[string]any{"frequency": "quarterly", "open_day": 1, "close_day": 10, "plan_version": p.Version}
	resp, body := apiSend(t, e, staff, "PUT", rules, put)
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &got) != nil || got.PlanVersion != p.Version+1 || !strings.Contains(body, `"key":"2023-Q2"`) {
		t.Fatalf("put rules: %d %s", resp.StatusCode, body)
	}
	if resp, body := apiSend(t, e, staff, "PUT", rules, put); resp.StatusCode != 409 {
		t.Fatalf("stale rules: %d %s", resp.StatusCode, body)
	}
}
