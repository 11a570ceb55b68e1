package api

import (
	"net/http"
	"strconv"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/notify"
	"github.com/luoshi/luoshi/internal/store"
)

// notifyRoutes are the staff's notification channels and delivery log.
func (h *handler) notifyRoutes() []route {
	staff := []auth.Role{auth.Staff}
	return []route{
		{"GET /notify/channels", h.listChannels, staff},
		{"POST /notify/channels", h.createChannel, staff},
		{"PUT /notify/channels/{id}", h.updateChannel, staff},
		{"DELETE /notify/channels/{id}", h.deleteChannel, staff},
		{"GET /notify/outbox", h.listOutbox, staff},
	}
}

// channelView is a channel as the API shows it: the secret only as set or not.
type channelView struct {
	notify.Channel
	SecretSet bool `json:"secret_set"`
}

func viewChannel(c notify.Channel) channelView {
	return channelView{Channel: c, SecretSet: c.HasSecret()}
}

type channelBody struct {
	UnitID      int64       `json:"unit_id"`
	Kind        notify.Kind `json:"kind"`
	Name        string      `json:"name"`
	Target      string      `json:"target"`
	Secret      string      `json:"secret"`
	Enabled     *bool       `json:"enabled"`
	Version     int64       `json:"version"`
	ClearSecret bool        `json:"clear_secret"`
}

func (b channelBody) channel() notify.Channel {
	c := notify.Channel{UnitID: b.UnitID, Kind: b.Kind, Name: b.Name, Target: b.Target, Secret: b.Secret, Enabled: true,
		Version: b.Version}
	if b.Enabled != nil {
		c.Enabled = *b.Enabled
	}
	return c
}

func (h *handler) listChannels(w http.ResponseWriter, r *http.Request) error {
	unit, _ := strconv.ParseInt(r.URL.Query().Get("unit"), 10, 64)
	chans, err := h.cfg.DB.Channels(r.Context(), unit)
	if err != nil {
		return err
	}
	out := []channelView{}
	for _, c := range chans {
		out = append(out, viewChannel(c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"channels": out})
	return nil
}

func (h *handler) createChannel(w http.ResponseWriter, r *http.Request) error {
	var b channelBody
	if err := decode(w, r, 16<<10, &b); err != nil {
		return err
	}
	c := b.channel()
	err := h.cfg.DB.InTx(r.Context(), func(tx *store.Tx) error {
		if err := tx.CreateChannel(&c); err != nil {
			return err
		}
		return tx.Audit(h.source(r).New(audit.ChannelCreated, "notify_channel", strconv.FormatInt(c.ID, 10), nil, c.AuditFields()))
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewChannel(c))
	return nil
}

func (h *handler) updateChannel(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var b channelBody
	if err := decode(w, r, 16<<10, &b); err != nil {
		return err
	}
	c := b.channel()
	c.ID = id
	err = h.cfg.DB.InTx(r.Context(), func(tx *store.Tx) error {
		before, err := tx.Channel(id)
		if err != nil {
			return err
		}
		if err := tx.UpdateChannel(&c, !b.ClearSecret); err != nil {
			return err
		}
		return tx.Audit(h.source(r).New(audit.ChannelUpdated, "notify_channel", strconv.FormatInt(id, 10),
			before.AuditFields(), c.AuditFields()))
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewChannel(c))
	return nil
}

func (h *handler) deleteChannel(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(r.URL.Query().Get("version"), 10, 64)
	err = h.cfg.DB.InTx(r.Context(), func(tx *store.Tx) error {
		before, err := tx.Channel(id)
		if err != nil {
			return err
		}
		if err := tx.DeleteChannel(id, version); err != nil {
			return err
		}
		return tx.Audit(h.source(r).New(audit.ChannelDeleted, "notify_channel", strconv.FormatInt(id, 10), before.AuditFields(), nil))
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handler) listOutbox(w http.ResponseWriter, r *http.Request) error {
	status := notify.OutboxStatus(r.URL.Query().Get("status"))
	rows, err := h.cfg.DB.OutboxRows(r.Context(), status, 500)
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []store.OutboxRow{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": rows})
	return nil
}
