package supervision

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/notify"
	"github.com/luoshi/luoshi/internal/store"
)

// Service issues notices and takes their steps; the web pages and the API
// both call it.
type Service struct {
	DB *store.DB
	// Log records notifications that could not be queued (ReportEvent
	// has no caller to return an error to); nil discards.
	Log *slog.Logger
}

// stepAudit maps a step to its audit action.
var stepAudit = map[string]string{
	StepReminded: audit.NoticeReminded, StepReplied: audit.NoticeReplied, StepExtensionAsked: audit.NoticeExtensionAsked,
	StepExtensionGranted: audit.NoticeExtensionGranted, StepExtensionRefused: audit.NoticeExtensionRefused,
	StepClosed: audit.NoticeClosed, StepEscalated: audit.NoticeEscalated,
}

// Link is the notice's page.
func Link(id int64) string { return "/supervision/notices/" + strconv.FormatInt(id, 10) }

// Issue creates a notice to a unit, numbered in the current year, with its
// first trail step, audit entry and notification, in one transaction.
func (s *Service) Issue(ctx context.Context, a *auth.Actor, src audit.Source, in Issue) (*store.Notice, error) {
	if a == nil || a.Role != auth.Staff {
		return nil, apperr.New(apperr.Forbidden, "只有局机关工作人员可以下发督办单")
	}
	now := s.DB.Now()
	if err := in.Validate(Today(now)); err != nil {
		return nil, err
	}
	n := &store.Notice{Year: Year(now), UnitID: in.UnitID, TaskID: in.TaskID, MeasureID: in.MeasureID, Subject: in.Subject,
		Body: in.Body, ReplyDue: in.ReplyDue, IssuedBy: a.ID, IssuerName: a.Username}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		unit, err := tx.Unit(in.UnitID)
		if apperr.Is(err, apperr.NotFound) {
			return apperr.WithFields("督办单信息有误", map[string]string{"unit_id": "被督办单位不存在"})
		}
		if err != nil {
			return err
		}
		if err := tx.CheckTaskMeasure(&n.TaskID, n.MeasureID); err != nil {
			return err
		}
		if err := tx.CreateNotice(n, Number); err != nil {
			return err
		}
		n.UnitName = unit.Name
		if err := tx.AddTrail(n.ID, &store.TrailEntry{Step: StepIssued, ActorID: a.ID, ActorName: a.Username,
			Text: n.Body, DueOn: n.ReplyDue}); err != nil {
			return err
		}
		if err := tx.Notify(notify.Event{Key: fmt.Sprintf("supervision:%d:issued", n.ID), Type: audit.NoticeIssued,
			UnitID: n.UnitID, Subject: "【督办】" + n.Number + " " + n.Subject,
			Body: fmt.Sprintf("%s 请于 %s 前回复办理情况。\n%s", unit.Name, n.ReplyDue, n.Body), Link: Link(n.ID)}); err != nil {
			return err
		}
		return tx.Audit(src.New(audit.NoticeIssued, "supervision_notice", strconv.FormatInt(n.ID, 10), nil, in))
	})
	if err != nil {
		return nil, err
	}
	return s.DB.Notice(ctx, a.Scope, n.ID)
}

// Act takes step on notice id for a. The version must be the one a saw:
// otherwise the step is refused as a conflict that names the notice's
// current state.
func (s *Service) Act(ctx context.Context, a *auth.Actor, src audit.Source, id int64, step string, in Input) (*store.Notice, error) {
	action, ok := Actions[step]
	if !ok || a == nil {
		return nil, apperr.New(apperr.NotFound, "未找到")
	}
	switch {
	case action.By == Bureau && a.Role != auth.Staff:
		return nil, apperr.New(apperr.Forbidden, "只有局机关工作人员可以办理此步骤")
	case action.By == Unit && a.Role != auth.Reporter:
		return nil, apperr.New(apperr.Forbidden, "只有被督办单位的填报员可以回复或申请延期")
	}
	now := s.DB.Now()
	today := Today(now)
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Notice(a.Scope, id)
		if err != nil {
			return err
		}
		if n.Version != in.Version {
			return &apperr.Error{Code: apperr.Conflict, Key: "err.conflict",
				Message: fmt.Sprintf("督办单 %s 已被他人处理(现状态:%s,回复期限 %s),请刷新后重试", n.Number, StatusLabel(n.Status), n.ReplyDue)}
		}
		if !action.Allows(n.Status) {
			return apperr.New(apperr.Invalid, "督办单 %s 当前状态为「%s」,不能%s", n.Number, StatusLabel(n.Status), StepLabel(step))
		}
		if err := in.Validate(action, today, n.ReplyDue); err != nil {
			return err
		}
		change := store.NoticeChange{ID: n.ID, Version: n.Version, Status: n.Status}
		if action.To != "" {
			change.Status = action.To
		}
		entry := store.TrailEntry{Step: step, ActorID: a.ID, ActorName: a.Username, Text: in.Text, DueOn: in.DueOn}
		switch step {
		case StepExtensionGranted:
			if in.DueOn == "" {
				in.DueOn = requestedDate(n)
				entry.DueOn = in.DueOn
			}
			if in.DueOn == "" {
				return apperr.WithFields("提交的内容有误", map[string]string{"due_on": "请填写新的回复期限"})
			}
			change.ReplyDue = in.DueOn
		case StepEscalated:
			change.Level = n.Level + 1
		case StepClosed:
			change.Closed = true
		}
		for _, f := range in.Files {
			sha := f.SHA256()
			name := CleanName(f.Name)
			if err := tx.PutFile(store.File{SHA256: sha, Name: name, Content: f.Content, CreatedBy: a.Username}); err != nil {
				return err
			}
			entry.Files = append(entry.Files, store.EvidenceFile{SHA256: sha, Name: name, Size: int64(len(f.Content))})
		}
		if err := tx.UpdateNotice(change); err != nil {
			return err
		}
		if err := tx.AddTrail(n.ID, &entry); err != nil {
			return err
		}
		if err := tx.Notify(stepEvent(n, entry, change)); err != nil {
			return err
		}
		before := map[string]any{"status": n.Status, "reply_due": n.ReplyDue, "level": n.Level, "version": n.Version}
		after := map[string]any{"status": change.Status, "reply_due": n.ReplyDue, "level": n.Level, "version": n.Version + 1,
			"text": entry.Text}
		if change.ReplyDue != "" {
			after["reply_due"] = change.ReplyDue
		}
		if change.Level != 0 {
			after["level"] = change.Level
		}
		if entry.DueOn != "" {
			after["due_on"] = entry.DueOn
		}
		if len(entry.Files) > 0 {
			after["files"] = entry.Files
		}
		return tx.Audit(src.New(stepAudit[step], "supervision_notice", strconv.FormatInt(n.ID, 10), before, after))
	})
	if err != nil {
		return nil, err
	}
	return s.DB.Notice(ctx, a.Scope, id)
}

// requestedDate is the deadline the unit's last extension request asked for.
func requestedDate(n *store.Notice) string {
	for i := len(n.Trail) - 1; i >= 0; i-- {
		if n.Trail[i].Step == StepExtensionAsked {
			return n.Trail[i].DueOn
		}
	}
	return ""
}

// stepEvent is the notification of a step: the unit hears of the bureau's
// steps, the issuer of the unit's.
func stepEvent(n *store.Notice, e store.TrailEntry, c store.NoticeChange) notify.Event {
	ev := notify.Event{Key: fmt.Sprintf("supervision:%d:%s:%d", n.ID, e.Step, e.ID), Type: "supervision." + e.Step,
		Link: Link(n.ID), Subject: "【督办】" + n.Number + " " + StepLabel(e.Step)}
	due := n.ReplyDue
	if c.ReplyDue != "" {
		due = c.ReplyDue
	}
	switch Actions[e.Step].By {
	case Unit:
		ev.UserIDs = []int64{n.IssuedBy}
		ev.Body = fmt.Sprintf("%s:%s", n.UnitName, e.Text)
		if e.DueOn != "" {
			ev.Body += "\n申请延期至 " + e.DueOn
		}
	default:
		ev.UnitID = n.UnitID
		ev.Body = n.Subject
		if e.Text != "" {
			ev.Body += "\n" + e.Text
		}
		if e.Step != StepClosed {
			ev.Body += "\n回复期限:" + due
		}
	}
	return ev
}

// Remind queues a 催办 reminder for every notice that waits for its unit
// and is due within two days or overdue: one per notice and Beijing day,
// however often the job runs.
func (s *Service) Remind(ctx context.Context, now time.Time) (int, error) {
	today := Today(now)
	soon := Today(now.Add(48 * time.Hour))
	notices, err := s.DB.NoticesAwaitingReply(ctx, soon)
	if err != nil {
		return 0, err
	}
	if len(notices) == 0 {
		return 0, nil
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		for _, n := range notices {
			body := fmt.Sprintf("督办单 %s「%s」回复期限为 %s,请抓紧办理并回复。", n.Number, n.Subject, n.ReplyDue)
			if n.ReplyDue < today {
				body = fmt.Sprintf("督办单 %s「%s」已超过回复期限 %s,请立即办理并回复。", n.Number, n.Subject, n.ReplyDue)
			}
			if err := tx.Notify(notify.Event{Key: fmt.Sprintf("supervision:%d:remind:%s", n.ID, today), Type: audit.NoticeReminded,
				UnitID: n.UnitID, Subject: "【催办】" + n.Number + " " + n.Subject, Body: body, Link: Link(n.ID)}); err != nil {
				return err
			}
		}
		return nil
	})
	return len(notices), err
}
