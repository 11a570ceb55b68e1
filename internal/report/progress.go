package report

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/text"
)

// Value is an indicator value a report gives, beside the indicator's target.
type Value struct {
	IndicatorID int64    `json:"indicator_id"`
	Name        string   `json:"name"`
	Unit        string   `json:"unit"`
	Target      float64  `json:"target"`
	Display     string   `json:"display,omitempty"`
	Value       *float64 `json:"value"` // nil: not given
}

// Evidence is a file attached to a report; the bytes are kept in the files
// table under their SHA-256.
type Evidence struct {
	SHA256 string `json:"sha256"`
	Name   string `json:"name"`
	Kind   string `json:"kind"` // pdf, jpg, png, docx, xlsx
	Size   int64  `json:"size"`
}

// Report is a unit's progress report on a task or measure for a period.
type Report struct {
	ID        int64  `json:"id"`
	PlanID    int64  `json:"plan_id"`
	TaskID    int64  `json:"task_id"`
	MeasureID int64  `json:"measure_id"`
	UnitID    int64  `json:"unit_id"`
	UnitName  string `json:"unit_name"`
	Period    string `json:"period"`
	// Title is the task's title or the measure's text.
	Title         string     `json:"title"`
	Status        Status     `json:"status"`
	Progress      string     `json:"progress"`
	Percent       int        `json:"percent"`
	State         State      `json:"state"`
	Problems      string     `json:"problems"`
	NextSteps     string     `json:"next_steps"`
	Values        []Value    `json:"values"`
	Files         []Evidence `json:"files"`
	Revision      int        `json:"revision"` // submissions so far
	SubmittedAt   *time.Time `json:"submitted_at,omitempty"`
	SubmittedBy   string     `json:"submitted_by,omitempty"`
	ReviewedAt    *time.Time `json:"reviewed_at,omitempty"`
	ReviewedBy    string     `json:"reviewed_by,omitempty"`
	ReviewComment string     `json:"review_comment,omitempty"`
	// Demo marks synthetic demonstration data (演示数据).
	Demo      bool      `json:"demo,omitempty"`
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Revision is one submission, return or approval of a report, with what
// the report said at that moment.
type Revision struct {
	ID       int64     `json:"id"`
	Revision int       `json:"revision"`
	Action   string    `json:"action"` // submitted, returned, approved
	Actor    string    `json:"actor"`
	Comment  string    `json:"comment"`
	At       time.Time `json:"at"`
	Snapshot Report    `json:"snapshot"`
}

// Draft is what a unit types for one item: saved as typed.
type Draft struct {
	TaskID    int64  `json:"task_id"`
	MeasureID int64  `json:"measure_id"`
	UnitID    int64  `json:"unit_id"`
	Period    string `json:"period"`
	Progress  string `json:"progress"`
	Percent   int    `json:"percent"`
	State     State  `json:"state"`
	Problems  string `json:"problems"`
	NextSteps string `json:"next_steps"`
	// Values by indicator id; a nil value clears it.
	Values map[int64]*float64 `json:"values"`
	// Version is the report's version the user saw; 0 for a new report.
	Version int64 `json:"version"`
}

// Validate checks what a draft may hold; prefix names the row.
func (d *Draft) Validate(prefix string) error {
	fields := map[string]string{}
	d.Progress = strings.TrimSpace(text.NormalizeMulti(d.Progress))
	d.Problems = strings.TrimSpace(text.NormalizeMulti(d.Problems))
	d.NextSteps = strings.TrimSpace(text.NormalizeMulti(d.NextSteps))
	if d.State == "" {
		d.State = NotStarted
	}
	if !d.State.Valid() {
		fields[prefix+"state"] = prefix + "进展状态须为未启动、推进中、已完成或滞后"
	}
	if d.Percent < 0 || d.Percent > 100 {
		fields[prefix+"percent"] = prefix + "完成比例须在0至100之间"
	}
	for _, f := range []struct{ name, label, s string }{
		{"progress", "工作进展", d.Progress}, {"problems", "存在问题", d.Problems}, {"next_steps", "下步计划", d.NextSteps}} {
		if msg := text.Multi(prefix+f.label, f.s); msg != "" {
			fields[prefix+f.name] = msg
		} else if utf8.RuneCountInString(f.s) > 2000 {
			fields[prefix+f.name] = prefix + f.label + "不超过2000字"
		}
	}
	if len(fields) > 0 {
		return apperr.WithFields("填报内容有误,请按提示修改", fields)
	}
	return nil
}

// CheckSubmit says what a report still lacks before it can be submitted.
func (r *Report) CheckSubmit(prefix string) error {
	fields := map[string]string{}
	if strings.TrimSpace(r.Progress) == "" {
		fields[prefix+"progress"] = prefix + "请填写本期工作进展"
	}
	if r.State == Done && r.Percent != 100 {
		fields[prefix+"percent"] = prefix + "已完成的事项完成比例应为100%"
	}
	if r.State == Behind && strings.TrimSpace(r.Problems) == "" {
		fields[prefix+"problems"] = prefix + "滞后的事项请说明存在的问题"
	}
	if len(fields) > 0 {
		return apperr.WithFields("尚不能提交,请补全后再提交", fields)
	}
	return nil
}

// Changes lists, field by field, how the saved report differs from what
// the user typed: shown with a conflict so that the second writer sees
// what the first one changed.
func (r *Report) Changes(d *Draft) map[string]string {
	out := map[string]string{}
	cmp := func(field, label, saved, typed string) {
		if saved != typed {
			out[field] = fmt.Sprintf("%s已被改为「%s」(您填写的是「%s」)", label, clip(saved), clip(typed))
		}
	}
	cmp("progress", "工作进展", r.Progress, d.Progress)
	cmp("percent", "完成比例", fmt.Sprint(r.Percent), fmt.Sprint(d.Percent))
	cmp("state", "进展状态", StateLabel(r.State), StateLabel(d.State))
	cmp("problems", "存在问题", r.Problems, d.Problems)
	cmp("next_steps", "下步计划", r.NextSteps, d.NextSteps)
	if r.Status != StatusDraft && r.Status != Returned {
		out["status"] = "报告已" + StatusLabel(r.Status) + ",不能再修改"
	}
	return out
}

func clip(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	return s
}

// StateLabel is the state's Chinese name.
func StateLabel(s State) string {
	switch s {
	case NotStarted:
		return "未启动"
	case InProgress:
		return "推进中"
	case Done:
		return "已完成"
	case Behind:
		return "滞后"
	}
	return string(s)
}

// StatusLabel is the review status's Chinese name.
func StatusLabel(s Status) string {
	switch s {
	case StatusDraft:
		return "草稿"
	case Submitted:
		return "已提交"
	case Returned:
		return "已退回"
	case Approved:
		return "已通过"
	}
	return "未填报"
}
