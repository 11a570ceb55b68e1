// Package supervision is the bureau's follow-up of late work (督办, issue 8
// item 4): numbered supervision notices (督办单) issued to a unit with a
// reply deadline, 催办 reminders, the unit's reply with evidence or its
// request for an extension (延期申请), and the bureau's decision, closing
// (办结销号) or escalation. Every step is time-stamped on the notice's
// trail, audited, version-checked and notified.
package supervision

import (
	"fmt"
	"strings"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/reporting"
	"github.com/luoshi/luoshi/internal/text"
)

// Status of a notice.
const (
	Issued             = "issued"              // 已下发, awaiting the unit
	Replied            = "replied"             // 已回复, awaiting the bureau
	ExtensionRequested = "extension_requested" // 申请延期, awaiting the bureau
	Closed             = "closed"              // 已办结销号
	Escalated          = "escalated"           // 已升级督办, awaiting the unit
)

// Statuses lists the statuses in display order.
var Statuses = []string{Issued, Escalated, ExtensionRequested, Replied, Closed}

// Steps of a trail. Issue is the first; the others are Actions.
const (
	StepIssued           = "issued"
	StepReminded         = "reminded"
	StepReplied          = "replied"
	StepExtensionAsked   = "extension_requested"
	StepExtensionGranted = "extension_granted"
	StepExtensionRefused = "extension_refused"
	StepClosed           = "closed"
	StepEscalated        = "escalated"
)

// Actor says who takes a step: the bureau (staff) or the unit (reporter).
type Actor int

const (
	Bureau Actor = iota
	Unit
)

// Action is a step after issuing: who may take it, from which statuses,
// and the status it leads to ("" keeps the status).
type Action struct {
	Step      string
	By        Actor
	From      []string
	To        string
	NeedsText bool
	NeedsDate bool
}

// Actions is the state machine of a notice.
var Actions = map[string]Action{
	StepReminded:         {Step: StepReminded, By: Bureau, From: []string{Issued, Escalated}},
	StepReplied:          {Step: StepReplied, By: Unit, From: []string{Issued, Escalated}, To: Replied, NeedsText: true},
	StepExtensionAsked:   {Step: StepExtensionAsked, By: Unit, From: []string{Issued, Escalated}, To: ExtensionRequested, NeedsText: true, NeedsDate: true},
	StepExtensionGranted: {Step: StepExtensionGranted, By: Bureau, From: []string{ExtensionRequested}, To: Issued},
	StepExtensionRefused: {Step: StepExtensionRefused, By: Bureau, From: []string{ExtensionRequested}, To: Issued, NeedsText: true},
	StepClosed:           {Step: StepClosed, By: Bureau, From: []string{Issued, Replied, ExtensionRequested, Escalated}, To: Closed},
	StepEscalated:        {Step: StepEscalated, By: Bureau, From: []string{Issued, Replied, ExtensionRequested, Escalated}, To: Escalated, NeedsText: true},
}

// Allows reports whether the action may be taken on a notice in status.
func (a Action) Allows(status string) bool {
	for _, s := range a.From {
		if s == status {
			return true
		}
	}
	return false
}

// Number is a notice's number: 督〔2023〕第3号.
func Number(year, seq int) string { return fmt.Sprintf("督〔%d〕第%d号", year, seq) }

// Today returns the Beijing date of t as YYYY-MM-DD: "today" and the year
// of a number are dates in the bureau's zone (reporting.Loc).
func Today(t time.Time) string { return t.In(reporting.Loc).Format("2006-01-02") }

// Year returns the Beijing year of t.
func Year(t time.Time) int { return t.In(reporting.Loc).Year() }

// Issue is the bureau's input for a new notice.
type Issue struct {
	UnitID    int64  `json:"unit_id"`
	TaskID    int64  `json:"task_id,omitempty"`
	MeasureID int64  `json:"measure_id,omitempty"`
	Subject   string `json:"subject"`
	Body      string `json:"body"`
	ReplyDue  string `json:"reply_due"` // YYYY-MM-DD
}

// Validate checks the fields against today (YYYY-MM-DD).
func (in *Issue) Validate(today string) error {
	fields := map[string]string{}
	in.Subject = strings.TrimSpace(in.Subject)
	in.Body = strings.TrimSpace(text.NormalizeMulti(in.Body))
	in.ReplyDue = strings.TrimSpace(in.ReplyDue)
	if in.UnitID == 0 {
		fields["unit_id"] = "请选择被督办单位"
	}
	if in.Subject == "" {
		fields["subject"] = "请填写督办事项"
	} else if len([]rune(in.Subject)) > 200 {
		fields["subject"] = "督办事项不能超过200个字"
	} else if msg := text.Line("督办事项", in.Subject); msg != "" {
		fields["subject"] = msg
	}
	if len([]rune(in.Body)) > 5000 {
		fields["body"] = "督办内容不能超过5000个字"
	} else if msg := text.Multi("督办内容", in.Body); msg != "" {
		fields["body"] = msg
	}
	if msg := checkDate(in.ReplyDue, today); msg != "" {
		fields["reply_due"] = msg
	}
	if len(fields) > 0 {
		return apperr.WithFields("督办单信息有误", fields)
	}
	return nil
}

// checkDate returns a message unless d is a date (YYYY-MM-DD) not before today.
func checkDate(d, today string) string {
	if d == "" {
		return "请填写日期"
	}
	if _, err := time.Parse("2006-01-02", d); err != nil {
		return "请输入有效日期,格式为 YYYY-MM-DD"
	}
	if d < today {
		return "日期不能早于今天"
	}
	return ""
}

// Input is an actor's input for a step.
type Input struct {
	Version int64    `json:"version"`
	Text    string   `json:"text"`
	DueOn   string   `json:"due_on"` // requested or granted deadline
	Files   []Upload `json:"-"`
}

// Validate checks the input of action a against today and the notice's
// current deadline.
func (in *Input) Validate(a Action, today, replyDue string) error {
	fields := map[string]string{}
	in.Text = strings.TrimSpace(text.NormalizeMulti(in.Text))
	in.DueOn = strings.TrimSpace(in.DueOn)
	if a.NeedsText && in.Text == "" {
		switch a.Step {
		case StepReplied:
			fields["text"] = "请填写办理情况"
		case StepExtensionAsked:
			fields["text"] = "请说明延期理由"
		default:
			fields["text"] = "请填写说明"
		}
	}
	if len([]rune(in.Text)) > 5000 {
		fields["text"] = "说明不能超过5000个字"
	} else if msg := text.Multi("说明", in.Text); msg != "" {
		fields["text"] = msg
	}
	if a.NeedsDate || (a.Step == StepExtensionGranted && in.DueOn != "") {
		if msg := checkDate(in.DueOn, today); msg != "" {
			fields["due_on"] = msg
		} else if in.DueOn <= replyDue {
			fields["due_on"] = "延期后的日期须晚于原回复期限 " + replyDue
		}
	}
	if a.Step != StepReplied && len(in.Files) > 0 {
		fields["files"] = "只有回复可以附佐证材料"
	}
	for i, f := range in.Files {
		if msg := f.Check(); msg != "" {
			fields[fmt.Sprintf("files[%d]", i)] = f.Name + ":" + msg
		}
	}
	if len(in.Files) > MaxFiles {
		fields["files"] = fmt.Sprintf("一次最多上传%d个文件", MaxFiles)
	}
	if len(fields) > 0 {
		return apperr.WithFields("提交的内容有误", fields)
	}
	return nil
}
