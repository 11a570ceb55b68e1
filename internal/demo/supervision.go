package demo

import (
	"fmt"

	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/supervision"
)

// supervise adds two supervision notices labelled 演示数据, numbered in the
// plan's year: one to 射洪市 (the demo reporter's unit) awaiting its reply,
// one to 蓬溪县 already answered and closed, so that the 督办 pages have
// content.
func supervise(tx *store.Tx, p *plan.Plan, ids map[string]int64) error {
	if len(p.KeyItems) < 10 {
		return nil
	}
	now := tx.DB().Now()
	notices := []struct {
		unit    string
		task    int64
		subject string
		body    string
		steps   []store.TrailEntry
		status  string
	}{
		{"510981", p.KeyItems[8].ID, "【演示数据】创新型县(市)创建进度滞后",
			"【演示数据】请说明创建方案编制和申报材料准备情况,提出下一步措施。", nil, supervision.Issued},
		{"510921", p.KeyItems[9].ID, "【演示数据】省级农业科技园区申报材料报送",
			"【演示数据】请报送园区申报材料清单及进度安排。",
			[]store.TrailEntry{
				{Step: supervision.StepReplied, ActorName: "demo", Text: "【演示数据】申报材料已于5月底报送省科技厅,附清单。"},
				{Step: supervision.StepClosed, ActorName: "demo", Text: "【演示数据】材料齐全,同意办结销号。"},
			}, supervision.Closed},
	}
	for _, d := range notices {
		n := &store.Notice{Year: p.Year, UnitID: ids[d.unit], TaskID: d.task, Subject: d.subject, Body: d.body,
			ReplyDue: supervision.Today(now.AddDate(0, 0, 5)), IssuerName: "demo"}
		if err := tx.CreateNotice(n, supervision.Number); err != nil {
			return fmt.Errorf("demo: notice: %w", err)
		}
		steps := append([]store.TrailEntry{{Step: supervision.StepIssued, ActorName: "demo", Text: n.Body, DueOn: n.ReplyDue}}, d.steps...)
		for i := range steps {
			if err := tx.AddTrail(n.ID, &steps[i]); err != nil {
				return err
			}
		}
		if d.status != supervision.Issued {
			if err := tx.UpdateNotice(store.NoticeChange{ID: n.ID, Version: n.Version, Status: d.status,
				Closed: d.status == supervision.Closed}); err != nil {
				return err
			}
		}
	}
	return nil
}
