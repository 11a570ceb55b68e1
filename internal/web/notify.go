package web

import (
	"net/http"
	"strconv"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/notify"
	"github.com/luoshi/luoshi/internal/store"
)

// notifyRoutes are the inbox (every signed-in user) and the staff's
// configuration of each unit's channels with the delivery log (issue 8,
// item 5).
func (s *Server) notifyRoutes() []route {
	return []route{
		{"GET /inbox", s.inbox, anyone},
		{"POST /inbox/{id}/read", s.inboxRead, anyone},
		{"POST /inbox/read-all", s.inboxReadAll, anyone},

		{"GET /notify/channels", s.channels, staffOnly},
		{"POST /notify/channels", s.channelCreate, staffOnly},
		{"POST /notify/channels/{id}", s.channelUpdate, staffOnly},
		{"POST /notify/channels/{id}/delete", s.channelDelete, staffOnly},
		{"GET /notify/outbox", s.outbox, staffOnly},
	}
}

type inboxPage struct {
	Layout
	Items []store.InboxItem
}

func (s *Server) inbox(w http.ResponseWriter, r *http.Request) error {
	items, err := s.db.Inbox(r.Context(), auth.ActorFrom(r.Context()).ID, 200)
	if err != nil {
		return err
	}
	l, err := s.layout(w, r, "inbox", "inbox.title")
	if err != nil {
		return err
	}
	l.Crumbs = []Crumb{{Label: l.T("inbox.title")}}
	return s.render(w, http.StatusOK, "inbox", &inboxPage{Layout: l, Items: items})
}

// inboxRead marks a message read and opens what it is about; another
// user's message is not found.
func (s *Server) inboxRead(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var m store.InboxItem
	err = s.db.InTx(r.Context(), func(tx *store.Tx) error {
		m, err = tx.MarkRead(auth.ActorFrom(r.Context()).ID, id)
		return err
	})
	if err != nil {
		return err
	}
	to := localPath(m.Link)
	if m.Link == "" {
		to = "/inbox"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func (s *Server) inboxReadAll(w http.ResponseWriter, r *http.Request) error {
	err := s.db.InTx(r.Context(), func(tx *store.Tx) error {
		_, err := tx.MarkRead(auth.ActorFrom(r.Context()).ID, 0)
		return err
	})
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, "/inbox", l10n(r, "inbox.all_read"))
}

type channelsPage struct {
	Layout
	Channels []notify.Channel
	Units    []unitOption
	Kinds    []notify.Kind
	Form     notify.Channel
	EditID   int64
	Fields   map[string]string
	Error    string
}

func (s *Server) renderChannels(w http.ResponseWriter, r *http.Request, status int, p channelsPage) error {
	chans, err := s.db.Channels(r.Context(), 0)
	if err != nil {
		return err
	}
	units, err := s.db.Units(r.Context())
	if err != nil {
		return err
	}
	l, err := s.layout(w, r, "notify.channels", "notify.channels")
	if err != nil {
		return err
	}
	l.Crumbs = []Crumb{{Label: l.T("notify.channels")}}
	p.Layout, p.Channels, p.Units, p.Kinds = l, chans, unitOptions(units, 0), notify.Kinds
	if p.Fields == nil {
		p.Fields = map[string]string{}
	}
	return s.render(w, status, "notify_channels", &p)
}

func (s *Server) channels(w http.ResponseWriter, r *http.Request) error {
	return s.renderChannels(w, r, http.StatusOK, channelsPage{Form: notify.Channel{Enabled: true}})
}

func channelFromForm(r *http.Request) notify.Channel {
	c := notify.Channel{Kind: notify.Kind(r.PostFormValue("kind")), Name: r.PostFormValue("name"),
		Target: r.PostFormValue("target"), Secret: r.PostFormValue("secret"), Enabled: r.PostFormValue("enabled") != ""}
	c.UnitID, _ = strconv.ParseInt(r.PostFormValue("unit_id"), 10, 64)
	c.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	return c
}

func (s *Server) channelCreate(w http.ResponseWriter, r *http.Request) error {
	c := channelFromForm(r)
	err := s.db.InTx(r.Context(), func(tx *store.Tx) error {
		if err := tx.CreateChannel(&c); err != nil {
			return err
		}
		return tx.Audit(s.source(r).New(audit.ChannelCreated, "notify_channel", strconv.FormatInt(c.ID, 10), nil, c.AuditFields()))
	})
	if fe := fieldErrors(err); fe != nil {
		c.Secret = ""
		return s.renderChannels(w, r, http.StatusUnprocessableEntity, channelsPage{Form: c, Fields: fe.Fields, Error: fe.Message})
	}
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, "/notify/channels", l10n(r, "notify.channel_saved"))
}

func (s *Server) channelUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c := channelFromForm(r)
	c.ID = id
	err = s.db.InTx(r.Context(), func(tx *store.Tx) error {
		before, err := tx.Channel(id)
		if err != nil {
			return err
		}
		if err := tx.UpdateChannel(&c, r.PostFormValue("clear_secret") == ""); err != nil {
			return err
		}
		return tx.Audit(s.source(r).New(audit.ChannelUpdated, "notify_channel", strconv.FormatInt(id, 10), before.AuditFields(), c.AuditFields()))
	})
	if fe := fieldErrors(err); fe != nil {
		c.Secret = ""
		return s.renderChannels(w, r, http.StatusUnprocessableEntity, channelsPage{Form: c, EditID: id, Fields: fe.Fields, Error: fe.Message})
	}
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, "/notify/channels", l10n(r, "notify.channel_saved"))
}

func (s *Server) channelDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	err = s.db.InTx(r.Context(), func(tx *store.Tx) error {
		before, err := tx.Channel(id)
		if err != nil {
			return err
		}
		if err := tx.DeleteChannel(id, version); err != nil {
			return err
		}
		return tx.Audit(s.source(r).New(audit.ChannelDeleted, "notify_channel", strconv.FormatInt(id, 10), before.AuditFields(), nil))
	})
	if err != nil {
		return err
	}
	return s.redirectFlash(w, r, "/notify/channels", l10n(r, "notify.channel_deleted"))
}

type outboxPage struct {
	Layout
	Rows   []store.OutboxRow
	Status string
}

func (s *Server) outbox(w http.ResponseWriter, r *http.Request) error {
	status := notify.OutboxStatus(r.URL.Query().Get("status"))
	rows, err := s.db.OutboxRows(r.Context(), status, 200)
	if err != nil {
		return err
	}
	l, err := s.layout(w, r, "notify.outbox", "notify.outbox")
	if err != nil {
		return err
	}
	l.Crumbs = []Crumb{{Label: l.T("notify.channels"), URL: "/notify/channels"}, {Label: l.T("notify.outbox")}}
	return s.render(w, http.StatusOK, "notify_outbox", &outboxPage{Layout: l, Rows: rows, Status: status})
}
