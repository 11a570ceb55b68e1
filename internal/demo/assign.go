package demo

import (
	"fmt"
	"time"

	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/report"
	"github.com/luoshi/luoshi/internal/store"
)

// owner is a demo assignment: lead and co-units by code, and a person.
type owner struct {
	lead, co []string
	person   string
	phone    string
}

// workItems and keyItems assign the demo plan's items (by number) to the
// seed's units: the counties and parks an item names, else the bureau
// section whose business it is. Synthetic, like every person named here.
var workItems = map[int]owner{
	1:  {lead: []string{"sn-kjj-rck"}, person: "周敏", phone: "0825-2221001"},
	2:  {lead: []string{"510981", "sn-gxq"}, co: []string{"sn-kjj-ghk"}, person: "王强", phone: "0825-6621001"},
	3:  {lead: []string{"sn-hdxq", "510981"}, co: []string{"sn-kjj-gxk"}, person: "刘洋", phone: "0825-2221002"},
	4:  {lead: []string{"510923", "510981"}, person: "陈静", phone: "0825-7821001"},
	5:  {lead: []string{"sn-kjj-gxk"}, person: "赵磊", phone: "0825-2221003"},
	6:  {lead: []string{"sn-kjj-gxk"}, co: []string{"sn-gxq", "sn-jkq"}, person: "赵磊", phone: "0825-2221003"},
	7:  {lead: []string{"sn-gxq", "sn-jkq"}, co: []string{"sn-kjj-ghk"}, person: "孙丽", phone: "0825-2221004"},
	8:  {lead: []string{"510921", "510904"}, co: []string{"sn-kjj-nck"}, person: "吴刚", phone: "0825-5421001"},
	9:  {lead: []string{"sn-kjj-nck"}, person: "郑华", phone: "0825-2221005"},
	10: {lead: []string{"sn-kjj-nck"}, co: []string{"510903"}, person: "郑华", phone: "0825-2221005"},
	11: {lead: []string{"sn-kjj-ghk"}, person: "钱进", phone: "0825-2221006"},
	12: {lead: []string{"sn-kjj-rck"}, person: "周敏", phone: "0825-2221001"},
	13: {lead: []string{"sn-kjj-ghk"}, person: "钱进", phone: "0825-2221006"},
	14: {lead: []string{"sn-kjj-rck"}, person: "周敏", phone: "0825-2221001"},
	15: {lead: []string{"sn-kjj-ghk"}, person: "钱进", phone: "0825-2221006"},
	16: {lead: []string{"sn-kjj-bgs"}, person: "冯敏", phone: "0825-2221000"},
	17: {lead: []string{"sn-kjj-bgs"}, person: "冯敏", phone: "0825-2221000"},
}

var keyItems = map[int]owner{
	1:  {lead: []string{"sn-kjj-ghk"}, person: "钱进", phone: "0825-2221006"},
	2:  {lead: []string{"sn-gxq"}, co: []string{"sn-kjj-gxk"}, person: "孙丽", phone: "0825-2221004"},
	3:  {lead: []string{"sn-kjj-rck"}, person: "周敏", phone: "0825-2221001"},
	4:  {lead: []string{"sn-kjj-gxk"}, person: "赵磊", phone: "0825-2221003"},
	5:  {lead: []string{"sn-kjj-rck"}, co: []string{"510981"}, person: "周敏", phone: "0825-2221001"},
	6:  {lead: []string{"sn-kjj-rck"}, person: "周敏", phone: "0825-2221001"},
	7:  {lead: []string{"sn-kjj-gxk"}, person: "赵磊", phone: "0825-2221003"},
	8:  {lead: []string{"sn-kjj-gxk"}, co: []string{"510981"}, person: "赵磊", phone: "0825-2221003"},
	9:  {lead: []string{"510981"}, co: []string{"sn-kjj-ghk"}, person: "王强", phone: "0825-6621001"},
	10: {lead: []string{"510921", "510904"}, co: []string{"sn-kjj-nck"}, person: "吴刚", phone: "0825-5421001"},
}

// assign writes the demo assignments; each key item is due at the year's
// end with two milestones.
func assign(tx *store.Tx, p *plan.Plan, ids map[string]int64) error {
	in := func(t plan.Task, o owner) report.AssignmentInput {
		a := report.AssignmentInput{TaskID: t.ID, PersonName: o.person, PersonPhone: o.phone}
		for _, c := range o.lead {
			a.LeadUnitIDs = append(a.LeadUnitIDs, ids[c])
		}
		for _, c := range o.co {
			a.CoUnitIDs = append(a.CoUnitIDs, ids[c])
		}
		return a
	}
	for _, s := range p.Sections {
		for _, t := range s.Items {
			o, ok := workItems[t.No]
			if !ok {
				continue
			}
			a := in(t, o)
			a.DueOn = fmt.Sprintf("%d-12-31", p.Year)
			if _, err := tx.SaveAssignment(a); err != nil {
				return fmt.Errorf("demo: assign item %d: %w", t.No, err)
			}
		}
	}
	for _, k := range p.KeyItems {
		o, ok := keyItems[k.No]
		if !ok {
			continue
		}
		a := in(k, o)
		a.DueOn = fmt.Sprintf("%d-12-31", p.Year)
		a.Milestones = []report.Milestone{
			{DueOn: fmt.Sprintf("%d-06-30", p.Year), Deliverable: "完成年度目标过半,形成阶段性成果材料"},
			{DueOn: fmt.Sprintf("%d-11-30", p.Year), Deliverable: "完成全部工作举措,报送总结"},
		}
		if _, err := tx.SaveAssignment(a); err != nil {
			return fmt.Errorf("demo: assign key item %d: %w", k.No, err)
		}
	}
	// The parser's suggestions that the assignments took up are accepted;
	// the others stay open, for staff to decide on.
	list, err := tx.Assignments(auth.Everything, store.AssignmentFilter{PlanID: p.ID})
	if err != nil {
		return err
	}
	for _, a := range list {
		for _, sg := range a.Suggestions {
			if sg.UnitID != 0 && (a.HasLead(sg.UnitID) || hasUnit(a.CoUnits, sg.UnitID)) {
				if err := tx.SetSuggestionState(sg.ID, "accepted", sg.Version); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func hasUnit(us []report.UnitRef, id int64) bool {
	for _, u := range us {
		if u.ID == id {
			return true
		}
	}
	return false
}

// ReportMonths is how many months of the demo year hold synthetic reports.
const ReportMonths = 5

// synthesizeReports fills the first ReportMonths months of the plan year
// with reports from every lead unit, each labelled 演示数据: approved up to
// the month before last; in the last month some are approved, some wait
// for review, some were returned, some units report 滞后 and some have
// not reported at all, so that every screen has something to show. The
// unit upToDate (the demo reporter's) has all its months approved, so its
// home shows the month now due.
func synthesizeReports(tx *store.Tx, p *plan.Plan, upToDate int64) error {
	sheetRows, err := tx.Assignments(auth.Everything, store.AssignmentFilter{PlanID: p.ID})
	if err != nil {
		return err
	}
	hasMeasures := map[int64]bool{}
	for _, a := range sheetRows {
		if a.MeasureID != 0 {
			hasMeasures[a.TaskID] = true
		}
	}
	n := 0
	for month := 1; month <= ReportMonths; month++ {
		key := fmt.Sprintf("%d-%02d", p.Year, month)
		for _, a := range sheetRows {
			if a.MeasureID == 0 && hasMeasures[a.TaskID] {
				continue
			}
			for _, u := range a.LeadUnits {
				n++
				last := month == ReportMonths && u.ID != upToDate
				if last && n%11 == 0 {
					continue // not reported: shows as missing
				}
				state, percent := report.InProgress, month*8
				problems := ""
				if last && n%7 == 0 {
					state, problems = report.Behind, "【演示数据】配套资金尚未到位,进度滞后于计划。"
				}
				d := report.Draft{TaskID: a.TaskID, MeasureID: a.MeasureID, UnitID: u.ID, Period: key,
					Progress: fmt.Sprintf("【演示数据】%d月:%s 按计划推进,完成阶段工作。", month, u.Name),
					Percent:  percent, State: state, Problems: problems,
					NextSteps: "【演示数据】继续推进,按月报送进展。"}
				id, version, err := tx.SaveDraft(p.ID, d, true)
				if err != nil {
					return fmt.Errorf("demo: report %s: %w", key, err)
				}
				if last && n%5 == 0 {
					continue // a draft, not yet submitted
				}
				if _, err := tx.SetReportStatus(id, version, []report.Status{report.StatusDraft}, report.Submitted, "demo", ""); err != nil {
					return err
				}
				// In the window (days 1–5 of the next month), except some
				// late ones in the last month.
				day := 1 + n%5
				if last && n%6 == 0 {
					day = 8
				}
				submitted := time.Date(p.Year, time.Month(month+1), day, 2, 0, 0, 0, time.UTC)
				var reviewed time.Time
				switch {
				case last && n%3 == 0:
					// waiting for review
				case last && n%4 == 0:
					if _, err := tx.SetReportStatus(id, version+1, []report.Status{report.Submitted}, report.Returned, "demo",
						"【演示数据】请补充佐证材料。"); err != nil {
						return err
					}
					reviewed = submitted.AddDate(0, 0, 2)
				default:
					if _, err := tx.SetReportStatus(id, version+1, []report.Status{report.Submitted}, report.Approved, "demo", ""); err != nil {
						return err
					}
					reviewed = submitted.AddDate(0, 0, 2)
				}
				if err := tx.BackdateReport(id, submitted, reviewed); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
