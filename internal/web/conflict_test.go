package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/testenv"
)

var versionInput = regexp.MustCompile(`name="version" value="(\d+)"`)

// conflictRow is the table row of a 409 page for a field.
func conflictRow(label, current, yours string) string {
	return `<th>` + label + `</th><td class="conflict-current">` + current + `</td><td class="conflict-yours">` + yours + `</td>`
}

// TestConflictShowsCurrentAndTyped: a save that lost a version race (user,
// unit, plan activation) answers 409 with the stored data beside what was
// typed; the form keeps the typed values and the current version, so that
// saving again is a deliberate overwrite (issue 7, item 12).
func TestConflictShowsCurrentAndTyped(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			e := newServerOn(t, testenv.DSN(t, engine))
			admin := e.login(t, "sysadmin")

			u := e.user(t, "staff")
			admin.get("/admin/users/" + itoa(u.ID))
			form := url.Values{"name": {"第一次"}, "role": {"staff"}, "unit_id": {itoa(u.UnitID)}, "version": {itoa(u.Version)}}
			if resp, _ := admin.post("/admin/users/"+itoa(u.ID), form); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("first save: %d", resp.StatusCode)
			}
			form.Set("name", "第二次")
			form.Set("role", "leader")
			resp, body := admin.post("/admin/users/"+itoa(u.ID), form)
			if resp.StatusCode != http.StatusConflict || !strings.Contains(body, conflictRow("姓名", "第一次", "第二次")) ||
				!strings.Contains(body, conflictRow("角色", "局机关工作人员", "领导")) || !strings.Contains(body, `value="第二次"`) {
				t.Fatalf("stale user save: %d\n%s", resp.StatusCode, body)
			}
			m := versionInput.FindStringSubmatch(body)
			if m == nil || m[1] != itoa(e.user(t, "staff").Version) {
				t.Fatalf("the conflict form does not carry the current version: %v", m)
			}
			form.Set("version", m[1])
			form.Set("role", "staff")
			if resp, _ := admin.post("/admin/users/"+itoa(u.ID), form); resp.StatusCode != http.StatusSeeOther || e.user(t, "staff").Name != "第二次" {
				t.Fatalf("saving again after the conflict: %d", resp.StatusCode)
			}

			unit, _ := e.db.UnitByCode(ctx, "sn-gxq")
			uform := url.Values{"code": {unit.Code}, "name": {"新名称甲"}, "kind": {string(unit.Kind)},
				"parent_id": {itoa(unit.ParentID)}, "sort": {itoa(int64(unit.Sort))}, "version": {itoa(unit.Version)}}
			if resp, _ := admin.post("/admin/units/"+itoa(unit.ID), uform); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("first unit save: %d", resp.StatusCode)
			}
			uform.Set("name", "新名称乙")
			resp, body = admin.post("/admin/units/"+itoa(unit.ID), uform)
			if resp.StatusCode != http.StatusConflict || !strings.Contains(body, conflictRow("单位名称", "新名称甲", "新名称乙")) ||
				!strings.Contains(body, `value="新名称乙"`) {
				t.Fatalf("stale unit save: %d\n%s", resp.StatusCode, body)
			}

			staff := e.login(t, "staff")
			p := &plan.Plan{Title: "2025年科技工作要点", Year: 2025, Sections: []plan.Section{{No: 1, Title: "一", Items: []plan.Task{{No: 1, Title: "甲"}}}}}
			if err := e.db.InTx(ctx, func(tx *store.Tx) error { return tx.CreatePlan(p) }); err != nil {
				t.Fatal(err)
			}
			path := "/plans/" + itoa(p.ID)
			_, page := staff.get(path)
			m = versionInput.FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("no activation form on a draft plan")
			}
			if resp, _ := staff.post(path+"/activate", url.Values{"version": {m[1]}}); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("activate: %d", resp.StatusCode)
			}
			resp, body = staff.post(path+"/activate", url.Values{"version": {m[1]}})
			if resp.StatusCode != http.StatusConflict || !strings.Contains(body, conflictRow("状态", "执行中", "执行中")) ||
				!strings.Contains(body, "数据已被他人修改") {
				t.Fatalf("stale activation: %d\n%s", resp.StatusCode, body)
			}

			// The review of a document whose draft was activated while the
			// reviewer edited: the plan as it is now beside the typed title.
			_, body = staff.upload("/plans/import", "plan.txt", importDoc(), true)
			save := formValues(t, body, "/plans/import/save")
			if resp, _ := staff.post("/plans/import/save", save); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("save the draft: %d", resp.StatusCode)
			}
			_, body = staff.upload("/plans/import", "plan.txt", importDoc(), true)
			save = formValues(t, body, "/plans/import/save")
			m = regexp.MustCompile(`data-duplicate="(\d+)"`).FindStringSubmatch(body)
			if m == nil {
				t.Fatal("second upload not shown as a duplicate")
			}
			draftPath := "/plans/" + m[1]
			_, page = staff.get(draftPath)
			v := versionInput.FindStringSubmatch(page)
			if v == nil {
				t.Fatal("no activation form on the imported draft")
			}
			if resp, _ := staff.post(draftPath+"/activate", url.Values{"version": {v[1]}}); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("activate the draft: %d", resp.StatusCode)
			}
			save.Set("replace", m[1])
			save.Set("title", "改过的标题")
			resp, body = staff.post("/plans/import/save", save)
			if resp.StatusCode != http.StatusConflict || !strings.Contains(body, conflictRow("状态", "执行中", "草稿")) ||
				!strings.Contains(body, `<td class="conflict-yours">改过的标题</td>`) || !strings.Contains(body, `value="改过的标题"`) {
				t.Fatalf("replace of a draft activated meanwhile: %d\n%s", resp.StatusCode, body)
			}
		})
	}
}
