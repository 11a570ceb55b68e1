package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/luoshi/luoshi/internal/auth"
)

func apiSend(t *testing.T, e *env, token, method, path string, body any) (*http.Response, string) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, e.ts.URL+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	return e.anon(t).do(req)
}

// TestReportAPI runs a month through /api/v1: the sheet, drafts, an
// evidence file, submit, a return without and with a comment, a stale
// draft (409 with what changed).
func TestReportAPI(t *testing.T) {
	e := newServer(t)
	ctx := context.Background()
	reporter, staff := apiToken(t, e, "reporter"), apiToken(t, e, "staff")
	plan := "/api/v1/plans/" + itoa(e.demo.PlanID)

	resp, body := apiGet(t, e, reporter, plan+"/sheet?period=2023-06")
	var sheet struct {
		Rows []struct {
			UnitID     int64 `json:"unit_id"`
			Assignment struct {
				TaskID    int64 `json:"task_id"`
				MeasureID int64 `json:"measure_id"`
			} `json:"assignment"`
		} `json:"rows"`
	}
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &sheet) != nil || len(sheet.Rows) != 6 {
		t.Fatalf("sheet: %d %s", resp.StatusCode, body)
	}
	row := sheet.Rows[0]
	draft := map[string]any{"task_id": row.Assignment.TaskID, "measure_id": row.Assignment.MeasureID, "unit_id": row.UnitID,
		"period": "2023-06", "progress": "接口填报", "percent": 50, "state": "in_progress"}
	resp, body = apiSend(t, e, reporter, "POST", "/api/v1/report-drafts", map[string]any{"drafts": []any{draft}})
	var saved struct {
		Saved []struct{ ID, Version int64 } `json:"saved"`
	}
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &saved) != nil || len(saved.Saved) != 1 {
		t.Fatalf("drafts: %d %s", resp.StatusCode, body)
	}
	id, version := saved.Saved[0].ID, saved.Saved[0].Version
	// Staff cannot write a unit's report.
	if resp, _ := apiSend(t, e, staff, "POST", "/api/v1/report-drafts", map[string]any{"drafts": []any{draft}}); resp.StatusCode != 404 {
		t.Fatalf("staff drafts: %d", resp.StatusCode)
	}
	// A stale version: 409 naming what is saved.
	draft["progress"], draft["version"] = "过期的修改", 0
	resp, body = apiSend(t, e, reporter, "POST", "/api/v1/report-drafts", map[string]any{"drafts": []any{draft}})
	if resp.StatusCode != 409 || !strings.Contains(body, "接口填报") {
		t.Fatalf("stale draft: %d %s", resp.StatusCode, body)
	}
	// Evidence by multipart.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range map[string]string{"task_id": itoa(row.Assignment.TaskID), "measure_id": itoa(row.Assignment.MeasureID),
		"unit_id": itoa(row.UnitID), "period": "2023-06"} {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", "scan.pdf")
	fw.Write([]byte("%PDF-1.5 scan"))
	mw.Close()
	req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/report-evidence", &buf)
	req.Header.Set("Authorization", "Bearer "+reporter)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if resp, body := e.anon(t).do(req); resp.StatusCode != 200 || !strings.Contains(body, `"version":`+itoa(version+1)) {
		t.Fatalf("evidence: %d %s", resp.StatusCode, body)
	}
	version++
	if resp, body := apiSend(t, e, reporter, "POST", "/api/v1/report-submissions", map[string]any{"reports": []any{map[string]int64{"id": id, "version": version}}}); resp.StatusCode != 204 {
		t.Fatalf("submit: %d %s", resp.StatusCode, body)
	}
	version++
	path := "/api/v1/reports/" + itoa(id) + "/review"
	if resp, _ := apiSend(t, e, staff, "POST", path, map[string]any{"decision": "return", "version": version}); resp.StatusCode != 422 {
		t.Fatalf("return without comment: %d", resp.StatusCode)
	}
	if resp, body := apiSend(t, e, staff, "POST", path, map[string]any{"decision": "return", "comment": "补充", "version": version}); resp.StatusCode != 200 || !strings.Contains(body, `"status":"returned"`) {
		t.Fatalf("return: %d %s", resp.StatusCode, body)
	}
	if resp, body := apiGet(t, e, reporter, "/api/v1/reports/"+itoa(id)); resp.StatusCode != 200 || strings.Count(body, `"action"`) != 2 {
		t.Fatalf("report with revisions: %d %s", resp.StatusCode, body)
	}
	// Bulk approval by the API: the demo's May reports waiting for review.
	var waiting struct {
		Reports []struct{ ID, Version int64 } `json:"reports"`
	}
	_, body = apiGet(t, e, staff, "/api/v1/reports?plan="+itoa(e.demo.PlanID)+"&period=2023-05&status=submitted")
	if json.Unmarshal([]byte(body), &waiting) != nil || len(waiting.Reports) == 0 {
		t.Fatalf("waiting reports: %s", body)
	}
	if resp, body := apiSend(t, e, staff, "POST", "/api/v1/report-approvals", map[string]any{"reports": waiting.Reports}); resp.StatusCode != 204 {
		t.Fatalf("bulk approve: %d %s", resp.StatusCode, body)
	}
	// Assignments: staff save, the reporter reads its own.
	p, _ := e.db.Plan(ctx, auth.Everything, e.demo.PlanID)
	k9 := p.KeyItems[8]
	a, _ := e.db.Assignment(ctx, auth.Everything, k9.ID, 0)
	in := map[string]any{"task_id": k9.ID, "lead_unit_ids": []int64{a.LeadUnits[0].ID}, "person_name": "接口责任人",
		"due_on": "2023-11-30", "version": a.Version}
	if resp, body := apiSend(t, e, staff, "PUT", plan+"/assignments", map[string]any{"assignments": []any{in}}); resp.StatusCode != 200 || !strings.Contains(body, "接口责任人") {
		t.Fatalf("put assignments: %d %.300s", resp.StatusCode, body)
	}
	if resp, body := apiSend(t, e, staff, "PUT", plan+"/assignments", map[string]any{"assignments": []any{in}}); resp.StatusCode != 409 {
		t.Fatalf("stale assignment: %d %.300s", resp.StatusCode, body)
	}
	if resp, _ := apiSend(t, e, reporter, "PUT", plan+"/assignments", map[string]any{"assignments": []any{in}}); resp.StatusCode != 404 {
		t.Fatalf("reporter put assignments: %d", resp.StatusCode)
	}
	if resp, body := apiGet(t, e, reporter, plan+"/assignments"); resp.StatusCode != 200 || !strings.Contains(body, "接口责任人") {
		t.Fatalf("reporter assignments: %d", resp.StatusCode)
	}
	if resp, body := apiGet(t, e, reporter, plan+"/report-rules"); resp.StatusCode != 200 || !strings.Contains(body, `"key":"2023-06"`) {
		t.Fatalf("rules: %d %s", resp.StatusCode, body)
	}
}
