package api

import (
	"encoding/base64"
	"net/http"
	"strconv"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/supervision"
)

// supervisionRoutes are the 督办 and inbox endpoints (issue 8).
func (h *handler) supervisionRoutes() []route {
	staff := []auth.Role{auth.Staff}
	actors := []auth.Role{auth.Staff, auth.Reporter}
	return []route{
		{"GET /supervision/notices", h.listNotices, planReaders},
		{"POST /supervision/notices", h.issueNotice, staff},
		{"GET /supervision/notices/{id}", h.getNotice, planReaders},
		{"POST /supervision/notices/{id}/steps", h.noticeStep, actors},
		{"GET /supervision/watch", h.watch, planReaders},
		{"GET /inbox", h.inbox, auth.Roles},
		{"POST /inbox/{id}/read", h.inboxRead, auth.Roles},
	}
}

func (h *handler) sup() *supervision.Service { return &supervision.Service{DB: h.cfg.DB} }

func (h *handler) listNotices(w http.ResponseWriter, r *http.Request) error {
	var f store.NoticeFilter
	if s := r.URL.Query().Get("status"); s != "" {
		f.Status = []string{s}
	}
	ns, err := h.cfg.DB.Notices(r.Context(), auth.ActorFrom(r.Context()).Scope, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"notices": ns})
	return nil
}

func (h *handler) issueNotice(w http.ResponseWriter, r *http.Request) error {
	var in supervision.Issue
	if err := decode(w, r, 64<<10, &in); err != nil {
		return err
	}
	n, err := h.sup().Issue(r.Context(), auth.ActorFrom(r.Context()), h.source(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, n)
	return nil
}

func (h *handler) getNotice(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	n, err := h.cfg.DB.Notice(r.Context(), auth.ActorFrom(r.Context()).Scope, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, n)
	return nil
}

// stepBody is a step by JSON; files carry their bytes in base64.
type stepBody struct {
	Step    string `json:"step"`
	Version int64  `json:"version"`
	Text    string `json:"text"`
	DueOn   string `json:"due_on"`
	Files   []struct {
		Name    string `json:"name"`
		Content string `json:"content_base64"`
	} `json:"files"`
}

func (h *handler) noticeStep(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a := auth.ActorFrom(r.Context())
	// Scope before anything else: another unit's notice is not found.
	if _, err := h.cfg.DB.Notice(r.Context(), a.Scope, id); err != nil {
		return err
	}
	var body stepBody
	if err := decode(w, r, 4*supervision.MaxFileSize, &body); err != nil {
		return err
	}
	in := supervision.Input{Version: body.Version, Text: body.Text, DueOn: body.DueOn}
	for i, f := range body.Files {
		b, err := base64.StdEncoding.DecodeString(f.Content)
		if err != nil {
			return apperr.WithFields("提交的内容有误", map[string]string{"files[" + strconv.Itoa(i) + "]": f.Name + ":content_base64 不是有效的 Base64"})
		}
		in.Files = append(in.Files, supervision.Upload{Name: f.Name, Content: b})
	}
	if _, ok := supervision.Actions[body.Step]; !ok {
		return apperr.WithFields("提交的内容有误", map[string]string{"step": "未知的办理步骤"})
	}
	n, err := h.sup().Act(r.Context(), a, h.source(r), id, body.Step, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, n)
	return nil
}

func (h *handler) watch(w http.ResponseWriter, r *http.Request) error {
	days, _ := strconv.Atoi(r.URL.Query().Get("days"))
	if days <= 0 || days > 3650 {
		days = h.cfg.SilentDays // as the web page
	}
	wt, err := h.sup().Watch(r.Context(), auth.ActorFrom(r.Context()).Scope, h.cfg.DB.Now(), days)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wt)
	return nil
}

func (h *handler) inbox(w http.ResponseWriter, r *http.Request) error {
	a := auth.ActorFrom(r.Context())
	items, err := h.cfg.DB.Inbox(r.Context(), a.ID, 200)
	if err != nil {
		return err
	}
	unread, err := h.cfg.DB.UnreadCount(r.Context(), a.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"unread": unread, "messages": items})
	return nil
}

func (h *handler) inboxRead(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var m store.InboxItem
	err = h.cfg.DB.InTx(r.Context(), func(tx *store.Tx) error {
		m, err = tx.MarkRead(auth.ActorFrom(r.Context()).ID, id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}
