// Package report holds assignment and monthly progress reporting (issue 8):
// who owns a task or measure (Assignment), what a unit reports on it for a
// period (Report), the bureau's review, and the rules for evidence files.
// It has types and rules only; the store keeps them and package reporting
// runs the changes (validation, version checks, audit, notifications).
package report

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/text"
)

// Status is where a report is in its review.
type Status string

const (
	StatusDraft Status = "draft"     // kept as typed, not yet sent
	Submitted   Status = "submitted" // waiting for the bureau's review
	Returned    Status = "returned"  // sent back with a comment; to correct and resubmit
	Approved    Status = "approved"  // accepted by the bureau
)

// Editable reports whether the unit may still change the report.
func (s Status) Editable() bool { return s == "" || s == StatusDraft || s == Returned }

// State is the progress a unit reports: 未启动/推进中/已完成/滞后.
type State string

const (
	NotStarted State = "not_started"
	InProgress State = "in_progress"
	Done       State = "done"
	Behind     State = "behind"
)

// States lists the progress states in display order.
var States = []State{NotStarted, InProgress, Done, Behind}

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	for _, x := range States {
		if x == s {
			return true
		}
	}
	return false
}

// UnitRef names an org unit.
type UnitRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Milestone is a dated deliverable of an assignment.
type Milestone struct {
	ID          int64  `json:"id,omitempty"`
	DueOn       string `json:"due_on"` // YYYY-MM-DD
	Deliverable string `json:"deliverable"`
}

// Suggestion is a unit the parser found for a task: offered to staff, who
// accept it (as lead or co-unit) or reject it; never a responsibility by
// itself. UnitID is 0 when no unit of that name exists.
type Suggestion struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Role    string `json:"role"` // lead or co, as the parser read it
	UnitID  int64  `json:"unit_id,omitempty"`
	State   string `json:"state"` // open, accepted, rejected
	Version int64  `json:"version"`
}

// Assignment is who owns a task (MeasureID 0) or one of its measures:
// lead units, co-units, a responsible person, a due date and milestones.
// ID is 0 while nobody has assigned it; its Version guards the whole
// assignment, units included.
type Assignment struct {
	ID        int64  `json:"id"`
	PlanID    int64  `json:"plan_id"`
	TaskID    int64  `json:"task_id"`
	MeasureID int64  `json:"measure_id"`
	Kind      string `json:"kind"` // work_item, key_item or measure
	// TaskNo and MeasureNo number the item as the plan does; SectionNo is
	// the work item's section.
	SectionNo int    `json:"section_no,omitempty"`
	TaskNo    int    `json:"task_no"`
	MeasureNo int    `json:"measure_no,omitempty"`
	TaskTitle string `json:"task_title"`
	// Title is the task's title, or the measure's text.
	Title      string    `json:"title"`
	LeadUnits  []UnitRef `json:"lead_units"`
	CoUnits    []UnitRef `json:"co_units"`
	PersonName string    `json:"person_name"`
	// PersonPhone is the person's phone, when no user is named.
	PersonPhone  string `json:"person_phone"`
	PersonUserID int64  `json:"person_user_id,omitempty"`
	// PersonUser is the username of PersonUserID.
	PersonUser string `json:"person_user,omitempty"`
	// DueOn is the assigned due date, else the one the plan states.
	DueOn       string       `json:"due_on"`
	PlanDue     string       `json:"plan_due,omitempty"`
	DueText     string       `json:"due_text,omitempty"`
	Milestones  []Milestone  `json:"milestones"`
	Suggestions []Suggestion `json:"suggestions,omitempty"`
	// Inherited marks a measure whose units come from its key item.
	Inherited bool  `json:"inherited,omitempty"`
	Version   int64 `json:"version"`
}

// Key names the item: t12 for task 12, m34 for measure 34.
func (a *Assignment) Key() string { return ItemKey(a.TaskID, a.MeasureID) }

// ItemKey names a task (measureID 0) or a measure in forms and lists.
func ItemKey(taskID, measureID int64) string {
	if measureID != 0 {
		return fmt.Sprintf("m%d", measureID)
	}
	return fmt.Sprintf("t%d", taskID)
}

// HasLead reports whether unit is a lead unit of the assignment.
func (a *Assignment) HasLead(unit int64) bool {
	for _, u := range a.LeadUnits {
		if u.ID == unit {
			return true
		}
	}
	return false
}

// LeadNames joins the lead units' names.
func (a *Assignment) LeadNames() string { return names(a.LeadUnits) }

// CoNames joins the co-units' names.
func (a *Assignment) CoNames() string { return names(a.CoUnits) }

// Person is the responsible person as shown: name and phone, or the user.
func (a *Assignment) Person() string {
	p := a.PersonName
	if a.PersonUser != "" && p == "" {
		p = a.PersonUser
	}
	if a.PersonPhone != "" {
		p = strings.TrimSpace(p + " " + a.PersonPhone)
	}
	return p
}

func names(us []UnitRef) string {
	s := make([]string, len(us))
	for i, u := range us {
		s[i] = u.Name
	}
	return strings.Join(s, "、")
}

// AssignmentInput is a change to one assignment from a form, a table row
// or the API. Version is the version the user saw (0: never assigned).
type AssignmentInput struct {
	TaskID       int64       `json:"task_id"`
	MeasureID    int64       `json:"measure_id"`
	LeadUnitIDs  []int64     `json:"lead_unit_ids"`
	CoUnitIDs    []int64     `json:"co_unit_ids"`
	PersonName   string      `json:"person_name"`
	PersonPhone  string      `json:"person_phone"`
	PersonUserID int64       `json:"person_user_id"`
	DueOn        string      `json:"due_on"`
	Milestones   []Milestone `json:"milestones"`
	Version      int64       `json:"version"`
}

var phoneRe = regexp.MustCompile(`^[0-9+\- ]{5,20}$`)

// Validate checks the input; field names are prefixed with prefix (a table
// row's "第3行 ") so that a bulk save says where the error is.
func (in *AssignmentInput) Validate(prefix string) error {
	fields := map[string]string{}
	in.PersonName = strings.TrimSpace(in.PersonName)
	in.PersonPhone = strings.TrimSpace(in.PersonPhone)
	in.DueOn = strings.TrimSpace(in.DueOn)
	if msg := text.Line(prefix+"责任人姓名", in.PersonName); msg != "" {
		fields[prefix+"person_name"] = msg
	}
	if utf8.RuneCountInString(in.PersonName) > 50 {
		fields[prefix+"person_name"] = prefix + "责任人姓名不超过50字"
	}
	if in.PersonPhone != "" && !phoneRe.MatchString(in.PersonPhone) {
		fields[prefix+"person_phone"] = prefix + "联系电话只能包含数字、+、- 和空格(5至20位)"
	}
	if in.DueOn != "" && !ValidDate(in.DueOn) {
		fields[prefix+"due_on"] = prefix + "完成时限须为日期,如 2023-06-30"
	}
	leads := map[int64]bool{}
	for _, u := range in.LeadUnitIDs {
		leads[u] = true
	}
	for _, u := range in.CoUnitIDs {
		if leads[u] {
			fields[prefix+"co_units"] = prefix + "同一单位不能既是牵头单位又是配合单位"
		}
	}
	// A measure without lead units follows its key item's.
	if len(in.LeadUnitIDs) == 0 && in.MeasureID == 0 && (len(in.CoUnitIDs) > 0 || in.PersonName != "" || in.DueOn != "" || len(in.Milestones) > 0) {
		fields[prefix+"lead_units"] = prefix + "请先指定牵头单位"
	}
	for i := range in.Milestones {
		m := &in.Milestones[i]
		m.DueOn, m.Deliverable = strings.TrimSpace(m.DueOn), strings.TrimSpace(m.Deliverable)
		key := fmt.Sprintf("%smilestone_%d", prefix, i+1)
		switch {
		case !ValidDate(m.DueOn):
			fields[key] = fmt.Sprintf("%s节点%d的日期须为日期,如 2023-06-30", prefix, i+1)
		case text.Line("", m.Deliverable) != "":
			fields[key] = fmt.Sprintf("%s节点%d的交付成果%s", prefix, i+1, text.Line("", m.Deliverable))
		case m.Deliverable == "":
			fields[key] = fmt.Sprintf("%s节点%d须写明交付成果", prefix, i+1)
		case utf8.RuneCountInString(m.Deliverable) > 200:
			fields[key] = fmt.Sprintf("%s节点%d的交付成果不超过200字", prefix, i+1)
		}
	}
	if len(fields) > 0 {
		return apperr.WithFields("分工信息有误,请按提示修改", fields)
	}
	return nil
}

// ValidDate reports whether s is a date written YYYY-MM-DD.
func ValidDate(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}
