// Package reporting runs the changes of assignment and monthly reporting
// (issue 8): each validates its input, checks the version the user saw,
// writes the change and its audit entry in one transaction, and tells the
// notifier after commit. Web pages and the API both call it.
package reporting

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/period"
	"github.com/luoshi/luoshi/internal/report"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/text"
)

// Service changes assignments and reports.
type Service struct {
	db     *store.DB
	notify report.Notifier
}

// New returns the service; a nil notifier does nothing.
func New(db *store.DB, n report.Notifier) *Service {
	if n == nil {
		n = report.NopNotifier{}
	}
	return &Service{db: db, notify: n}
}

// Loc is the bureau's time zone: deadlines end at local midnight.
var Loc = period.China

// SaveAssignments saves assignments (one, or many rows of the table view)
// in one transaction: all or nothing. Errors name the row at fault; a row
// someone else changed meanwhile is a conflict saying who owns it now.
func (s *Service) SaveAssignments(ctx context.Context, src audit.Source, a *auth.Actor, rows []report.AssignmentInput, labels []string) error {
	if !a.Role.EditsPlans() {
		return apperr.New(apperr.Forbidden, "只有局机关工作人员可以分配任务")
	}
	fields := map[string]string{}
	for i := range rows {
		if err := rows[i].Validate(label(labels, i)); err != nil {
			maps.Copy(fields, apperr.As(err).Fields)
		}
	}
	if len(fields) > 0 {
		return apperr.WithFields("分工信息有误,请按提示修改", fields)
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		for i, in := range rows {
			if _, err := tx.ItemOfPlan(in.TaskID, in.MeasureID); err != nil {
				return err
			}
			missing, err := tx.UnitsExist(append(append([]int64{}, in.LeadUnitIDs...), in.CoUnitIDs...))
			if err != nil {
				return err
			}
			if len(missing) > 0 {
				return apperr.WithFields("分工信息有误", map[string]string{label(labels, i) + "lead_units": label(labels, i) + "所选单位不存在"})
			}
			before, err := s.db.Assignment(ctx, auth.Everything, in.TaskID, in.MeasureID)
			if err != nil {
				return err
			}
			version, err := tx.SaveAssignment(in)
			if apperr.Is(err, apperr.Conflict) {
				// What the other person saved, as committed now.
				if now, rerr := s.db.Assignment(ctx, auth.Everything, in.TaskID, in.MeasureID); rerr == nil {
					before = now
				}
				return assignmentConflict(label(labels, i), before)
			}
			if err != nil {
				return err
			}
			after := map[string]any{"lead_unit_ids": in.LeadUnitIDs, "co_unit_ids": in.CoUnitIDs, "person_name": in.PersonName,
				"person_phone": in.PersonPhone, "person_user_id": in.PersonUserID, "due_on": in.DueOn, "milestones": in.Milestones, "version": version}
			if err := tx.Audit(src.New(audit.AssignmentUpdated, "assignment", report.ItemKey(in.TaskID, in.MeasureID),
				assignmentAudit(before), after)); err != nil {
				return err
			}
		}
		return nil
	})
}

func label(labels []string, i int) string {
	if i < len(labels) {
		return labels[i]
	}
	return ""
}

func assignmentAudit(a report.Assignment) map[string]any {
	return map[string]any{"lead_units": a.LeadNames(), "co_units": a.CoNames(), "person": a.Person(), "due_on": a.DueOn,
		"milestones": a.Milestones, "version": a.Version}
}

// assignmentConflict tells the second writer what the first one saved.
func assignmentConflict(prefix string, now report.Assignment) error {
	fields := map[string]string{
		prefix + "lead_units": fmt.Sprintf("%s牵头单位现为「%s」,配合单位「%s」", prefix, now.LeadNames(), now.CoNames()),
		prefix + "person":     fmt.Sprintf("%s责任人现为「%s」,完成时限「%s」", prefix, now.Person(), now.DueOn),
	}
	return &apperr.Error{Code: apperr.Conflict, Fields: fields,
		Message: prefix + "该任务的分工刚刚已被他人修改(现在的内容见下),请刷新后再改"}
}

// DecideSuggestion accepts a parser's suggested unit as lead or co-unit of
// its task (role "lead" or "co"), or rejects it (role ""); unitID, when not
// 0, corrects the unit the suggestion names.
func (s *Service) DecideSuggestion(ctx context.Context, src audit.Source, a *auth.Actor, id, version int64, role string, unitID int64) error {
	if !a.Role.EditsPlans() {
		return apperr.New(apperr.Forbidden, "只有局机关工作人员可以分配任务")
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		taskID, measureID, sg, err := tx.Suggestion(id)
		if err != nil {
			return err
		}
		if role == "" {
			if err := tx.SetSuggestionState(id, "rejected", version); err != nil {
				return err
			}
			return tx.Audit(src.New(audit.SuggestionRejected, "suggestion", strconv.FormatInt(id, 10), sg, nil))
		}
		if role != "lead" && role != "co" {
			return apperr.New(apperr.Invalid, "请选择作为牵头单位或配合单位")
		}
		if unitID == 0 {
			unitID = sg.UnitID
		}
		if unitID == 0 {
			return apperr.WithFields("没有名为「"+sg.Name+"」的单位", map[string]string{"unit": "请选择一个单位来更正「" + sg.Name + "」"})
		}
		if err := tx.SetSuggestionState(id, "accepted", version); err != nil {
			return err
		}
		cur, err := s.db.Assignment(ctx, auth.Everything, taskID, measureID)
		if err != nil {
			return err
		}
		in := inputOf(cur)
		if cur.Inherited {
			in.LeadUnitIDs, in.CoUnitIDs = nil, nil
		}
		in.LeadUnitIDs, in.CoUnitIDs = without(in.LeadUnitIDs, unitID), without(in.CoUnitIDs, unitID)
		if role == "lead" {
			in.LeadUnitIDs = append(in.LeadUnitIDs, unitID)
		} else {
			if len(in.LeadUnitIDs) == 0 {
				return apperr.New(apperr.Invalid, "请先指定牵头单位,再添加配合单位「%s」", sg.Name)
			}
			in.CoUnitIDs = append(in.CoUnitIDs, unitID)
		}
		if _, err := tx.SaveAssignment(in); err != nil {
			return err
		}
		return tx.Audit(src.New(audit.SuggestionAccepted, "suggestion", strconv.FormatInt(id, 10), sg,
			map[string]any{"unit_id": unitID, "role": role, "task_id": taskID}))
	})
}

// inputOf is the input that saves an assignment unchanged.
func inputOf(a report.Assignment) report.AssignmentInput {
	in := report.AssignmentInput{TaskID: a.TaskID, MeasureID: a.MeasureID, PersonName: a.PersonName, PersonPhone: a.PersonPhone,
		PersonUserID: a.PersonUserID, Milestones: a.Milestones, Version: a.Version}
	if a.DueOn != a.PlanDue {
		in.DueOn = a.DueOn
	}
	for _, u := range a.LeadUnits {
		in.LeadUnitIDs = append(in.LeadUnitIDs, u.ID)
	}
	for _, u := range a.CoUnits {
		in.CoUnitIDs = append(in.CoUnitIDs, u.ID)
	}
	return in
}

func without(ids []int64, id int64) []int64 {
	var out []int64
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}

// SetRules changes a plan's reporting rules.
func (s *Service) SetRules(ctx context.Context, src audit.Source, a *auth.Actor, planID int64, r period.Rules, version int64) error {
	if !a.Role.EditsPlans() {
		return apperr.New(apperr.Forbidden, "只有局机关工作人员可以修改填报规则")
	}
	if err := r.Validate(); err != nil {
		return apperr.WithFields("填报规则有误", map[string]string{"rules": err.Error()})
	}
	before, _, err := s.db.PlanRules(ctx, planID)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetPlanRules(planID, r, version); err != nil {
			return err
		}
		return tx.Audit(src.New(audit.PlanRulesUpdated, "plan", strconv.FormatInt(planID, 10), before, r))
	})
}

// Saved is a report written by SaveDrafts.
type Saved struct {
	Key     string `json:"key"`
	ID      int64  `json:"id"`
	Version int64  `json:"version"`
}

// checkItem makes sure the actor may report for d: a reporter of a unit
// in its scope that leads the item. It returns the item's plan.
func (s *Service) checkItem(ctx context.Context, a *auth.Actor, taskID, measureID, unitID int64) (int64, error) {
	if a.Role != auth.Reporter {
		return 0, apperr.New(apperr.Forbidden, "进展报告由承担任务的单位填报")
	}
	if !a.Scope.Has(unitID) {
		return 0, apperr.New(apperr.NotFound, "未找到")
	}
	as, err := s.db.Assignment(ctx, a.Scope, taskID, measureID)
	if err != nil {
		return 0, err
	}
	if !as.HasLead(unitID) {
		return 0, apperr.New(apperr.Forbidden, "该事项不由本单位牵头,无需填报")
	}
	return as.PlanID, nil
}

// SaveDrafts saves what a unit typed for several items of one period in
// one transaction, as typed (nothing is required of a draft). A row
// changed by someone else since it was read is a conflict listing what
// changed. labels name the rows in error messages.
func (s *Service) SaveDrafts(ctx context.Context, src audit.Source, a *auth.Actor, drafts []report.Draft, labels []string) ([]Saved, error) {
	fields := map[string]string{}
	for i := range drafts {
		if _, err := period.Parse(drafts[i].Period); err != nil {
			return nil, apperr.New(apperr.Invalid, "%s", err.Error())
		}
		if err := drafts[i].Validate(label(labels, i)); err != nil {
			maps.Copy(fields, apperr.As(err).Fields)
		}
	}
	if len(fields) > 0 {
		return nil, apperr.WithFields("填报内容有误,请按提示修改", fields)
	}
	plans := make([]int64, len(drafts))
	for i, d := range drafts {
		p, err := s.checkItem(ctx, a, d.TaskID, d.MeasureID, d.UnitID)
		if err != nil {
			return nil, err
		}
		plans[i] = p
	}
	var out []Saved
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		out = out[:0]
		for i, d := range drafts {
			id, version, err := tx.SaveDraft(plans[i], d, false)
			if apperr.Is(err, apperr.Conflict) {
				return s.draftConflict(ctx, label(labels, i), d)
			}
			if err != nil {
				return err
			}
			if err := tx.Audit(src.New(audit.ReportSaved, "report", strconv.FormatInt(id, 10), nil, d)); err != nil {
				return err
			}
			out = append(out, Saved{Key: report.ItemKey(d.TaskID, d.MeasureID), ID: id, Version: version})
		}
		return nil
	})
	return out, err
}

// draftConflict reads the report as committed and says what differs from
// what the user typed.
func (s *Service) draftConflict(ctx context.Context, prefix string, d report.Draft) error {
	cur, err := s.db.Reports(ctx, auth.Everything, store.ReportFilter{UnitID: d.UnitID, Period: d.Period, TaskID: d.TaskID})
	e := &apperr.Error{Code: apperr.Conflict, Message: prefix + "该报告刚刚已被他人修改,您的修改未保存。对方的修改如下,请刷新后再填",
		Fields: map[string]string{}}
	if err != nil {
		return e
	}
	for _, r := range cur {
		if r.MeasureID == d.MeasureID {
			by := r.SubmittedBy
			for k, v := range r.Changes(&d) {
				e.Fields[prefix+k] = prefix + v
			}
			if by != "" {
				e.Fields[prefix+"by"] = prefix + "最近提交人:" + by
			}
			e.Fields[prefix+"at"] = prefix + "对方保存于 " + r.UpdatedAt.In(Loc).Format("2006-01-02 15:04:05")
		}
	}
	return e
}

// Submit sends reports for review in one transaction; each must hold what
// CheckSubmit asks. versions are those the user saw.
func (s *Service) Submit(ctx context.Context, src audit.Source, a *auth.Actor, ids, versions []int64, labels []string) error {
	var events []report.Event
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		events = events[:0]
		fields := map[string]string{}
		for i, id := range ids {
			r, err := tx.Report(id)
			if err != nil {
				return err
			}
			if _, err := s.checkItem(ctx, a, r.TaskID, r.MeasureID, r.UnitID); err != nil {
				return err
			}
			if err := r.CheckSubmit(label(labels, i)); err != nil {
				maps.Copy(fields, apperr.As(err).Fields)
				continue
			}
			r, err = tx.SetReportStatus(id, versions[i], []report.Status{report.StatusDraft, report.Returned}, report.Submitted, a.Username, "")
			if apperr.Is(err, apperr.Conflict) {
				return apperr.New(apperr.Conflict, "%s该报告刚刚已被他人修改或提交,请刷新后查看", label(labels, i))
			}
			if err != nil {
				return err
			}
			if err := tx.Audit(src.New(audit.ReportSubmitted, "report", strconv.FormatInt(id, 10), nil,
				map[string]any{"revision": r.Revision, "period": r.Period})); err != nil {
				return err
			}
			events = append(events, event("submitted", r, a.Username, ""))
		}
		if len(fields) > 0 {
			return apperr.WithFields("尚不能提交,请补全后再提交", fields)
		}
		return nil
	})
	if err == nil {
		for _, e := range events {
			s.notify.ReportEvent(e)
		}
	}
	return err
}

// Review approves a submitted report, or returns it with a comment (a
// return needs one). Only the bureau's staff review.
func (s *Service) Review(ctx context.Context, src audit.Source, a *auth.Actor, id, version int64, approve bool, comment string) error {
	return s.review(ctx, src, a, []int64{id}, []int64{version}, approve, comment)
}

// ApproveAll approves several submitted reports in one transaction: all
// or none (a report someone else handled meanwhile is a conflict).
func (s *Service) ApproveAll(ctx context.Context, src audit.Source, a *auth.Actor, ids, versions []int64) error {
	if len(ids) == 0 {
		return apperr.New(apperr.Invalid, "请先勾选要通过的报告")
	}
	return s.review(ctx, src, a, ids, versions, true, "")
}

func (s *Service) review(ctx context.Context, src audit.Source, a *auth.Actor, ids, versions []int64, approve bool, comment string) error {
	if a.Role != auth.Staff {
		return apperr.New(apperr.Forbidden, "只有局机关工作人员可以审核")
	}
	comment = strings.TrimSpace(text.NormalizeMulti(comment))
	if msg := text.Multi("审核意见", comment); msg != "" {
		return apperr.WithFields(msg, map[string]string{"comment": msg})
	}
	if !approve && comment == "" {
		return apperr.WithFields("退回须写明意见", map[string]string{"comment": "请写明退回的原因和修改要求"})
	}
	if len([]rune(comment)) > 1000 {
		return apperr.WithFields("审核意见过长", map[string]string{"comment": "审核意见不超过1000字"})
	}
	to, action := report.Returned, audit.ReportReturned
	if approve {
		to, action = report.Approved, audit.ReportApproved
	}
	var events []report.Event
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		events = events[:0]
		for i, id := range ids {
			r, err := tx.SetReportStatus(id, versions[i], []report.Status{report.Submitted}, to, a.Username, comment)
			if apperr.Is(err, apperr.Conflict) {
				cur, rerr := tx.Report(id)
				if rerr != nil {
					return rerr
				}
				return apperr.New(apperr.Conflict, "%s「%s」的报告刚刚已被他人处理:现为「%s」(%s %s),请刷新后查看",
					cur.UnitName, cur.Title, report.StatusLabel(cur.Status), cur.ReviewedBy, cur.ReviewComment)
			}
			if err != nil {
				return err
			}
			if approve {
				// An approved report's indicator values become the unit's
				// figures for the month (the dashboard's source "report").
				if err := tx.RecordReportValues(r, r.SubmittedBy); err != nil {
					return err
				}
			}
			events = append(events, event(string(to), r, a.Username, comment))
			if err := tx.Audit(src.New(action, "report", strconv.FormatInt(id, 10), map[string]any{"status": "submitted"},
				map[string]any{"status": to, "comment": comment, "revision": r.Revision})); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		for _, e := range events {
			s.notify.ReportEvent(e)
		}
	}
	return err
}

func event(kind string, r report.Report, actor, comment string) report.Event {
	return report.Event{Kind: kind, ReportID: r.ID, PlanID: r.PlanID, UnitID: r.UnitID, Period: r.Period, Title: r.Title,
		Comment: comment, Actor: actor}
}

// AddEvidence checks a file by its content (kind and size), keeps it in
// the files table by SHA-256 (the same bytes are stored once) and attaches
// it to the report of d's item, creating the draft when there is none yet.
// It returns the report's id and new version.
func (s *Service) AddEvidence(ctx context.Context, src audit.Source, a *auth.Actor, d report.Draft, name string, data []byte) (int64, int64, error) {
	kind, err := report.SniffEvidence(name, data)
	if err != nil {
		return 0, 0, err
	}
	if _, err := period.Parse(d.Period); err != nil {
		return 0, 0, apperr.New(apperr.Invalid, "%s", err.Error())
	}
	planID, err := s.checkItem(ctx, a, d.TaskID, d.MeasureID, d.UnitID)
	if err != nil {
		return 0, 0, err
	}
	sum := sha256.Sum256(data)
	e := report.Evidence{SHA256: hex.EncodeToString(sum[:]), Name: cleanName(name, kind), Kind: kind, Size: int64(len(data))}
	var id, version int64
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		cur, err := tx.ReportOf(d.UnitID, d.Period, d.TaskID, d.MeasureID)
		switch {
		case err == nil:
			id, version = cur.ID, cur.Version
			if d.Version != 0 && d.Version != cur.Version {
				return apperr.New(apperr.Conflict, "该报告刚刚已被他人修改,请刷新后再上传")
			}
		case apperr.Is(err, apperr.NotFound):
			if id, version, err = tx.SaveDraft(planID, report.Draft{TaskID: d.TaskID, MeasureID: d.MeasureID, UnitID: d.UnitID,
				Period: d.Period, State: report.NotStarted}, false); err != nil {
				return err
			}
		default:
			return err
		}
		if err := tx.PutFile(store.File{SHA256: e.SHA256, Name: e.Name, Content: data, CreatedBy: a.Username}); err != nil {
			return err
		}
		if version, err = tx.AddEvidence(id, version, e); err != nil {
			return err
		}
		return tx.Audit(src.New(audit.ReportEvidence, "report", strconv.FormatInt(id, 10), nil, e))
	})
	return id, version, err
}

// RemoveEvidence detaches a file from a report that is still editable.
func (s *Service) RemoveEvidence(ctx context.Context, src audit.Source, a *auth.Actor, reportID, version int64, sum string) (int64, error) {
	r, err := s.db.Report(ctx, a.Scope, reportID)
	if err != nil {
		return 0, err
	}
	if _, err := s.checkItem(ctx, a, r.TaskID, r.MeasureID, r.UnitID); err != nil {
		return 0, err
	}
	var nv int64
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if nv, err = tx.RemoveEvidence(reportID, version, sum); err != nil {
			return err
		}
		return tx.Audit(src.New(audit.ReportEvidenceDrop, "report", strconv.FormatInt(reportID, 10), map[string]string{"sha256": sum}, nil))
	})
	return nv, err
}

// cleanName keeps the base name of an upload, within 100 characters, and
// names a nameless file after its kind.
func cleanName(name, kind string) string {
	name = strings.TrimSpace(name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.ToValidUTF8(name, "")
	if r := []rune(name); len(r) > 100 {
		name = string(r[len(r)-100:])
	}
	if name == "" {
		name = "佐证材料." + kind
	}
	return name
}
