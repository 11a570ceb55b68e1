package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/store"
)

// TestImportUnitChoices: on the review page the parser's units are
// suggestions; the reviewer accepts one as lead, rejects another, adds a
// co-unit the parser missed; nothing else becomes a responsibility.
func TestImportUnitChoices(t *testing.T) {
	e := newServer(t)
	c := e.login(t, "staff")
	ctx := context.Background()
	resp, body := c.upload("/plans/import", "2023年全市科技创新工作要点.txt", importDoc(), true)
	if resp.StatusCode != 200 || !strings.Contains(body, `name="unitrole.s1.0.0"`) || !strings.Contains(body, `data-unit="遂宁高新区"`) {
		t.Fatalf("review without unit choices: %d", resp.StatusCode)
	}
	form := formValues(t, body, "/plans/import/save")
	section, _ := e.db.UnitByCode(ctx, "sn-kjj-ghk")
	form.Set("unitrole.s1.0.0", "lead")   // 射洪市
	form.Set("unitrole.s1.0.1", "reject") // 遂宁高新区
	form.Set("unitadd.s1.0.co", itoa(section.ID))
	form.Set("title", "2023年全市科技创新工作要点(导入)")
	resp, _ = c.post("/plans/import/save", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	plans, _ := e.db.Plans(ctx, auth.Everything)
	var id int64
	for _, p := range plans {
		if p.ID != e.demo.PlanID {
			id = p.ID
		}
	}
	as, err := e.db.Assignments(ctx, auth.Everything, store.AssignmentFilter{PlanID: id})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		switch {
		case a.Kind == "work_item" && a.TaskNo == 2:
			if a.LeadNames() != "射洪市" || a.CoNames() != "科技规划与成果转化科" ||
				a.Suggestions[0].State != "accepted" || a.Suggestions[1].State != "rejected" {
				t.Errorf("item 2: lead %s co %s %+v", a.LeadNames(), a.CoNames(), a.Suggestions)
			}
		case len(a.LeadUnits)+len(a.CoUnits) > 0:
			t.Errorf("%s %d got units %s/%s without a decision", a.Kind, a.TaskNo, a.LeadNames(), a.CoNames())
		}
		for _, s := range a.Suggestions {
			if a.TaskNo != 2 && a.Kind == "work_item" && s.State != "open" {
				t.Errorf("item %d suggestion %s is %s", a.TaskNo, s.Name, s.State)
			}
		}
	}
}
