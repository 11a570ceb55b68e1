// Package notify delivers Luoshi's notifications: the in-app inbox, e-mail
// over SMTP, and WeCom (企业微信) and DingTalk (钉钉) group robots. Events
// are written to a durable outbox in the transaction of the change that
// causes them; a Worker sends them afterwards, with retries and backoff,
// so a restart neither loses a message nor sends one twice (issue 8).
package notify

import (
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/text"
)

// Kind is a delivery channel's kind.
type Kind string

const (
	Email    Kind = "email"
	WeCom    Kind = "wecom"    // 企业微信群机器人
	DingTalk Kind = "dingtalk" // 钉钉群机器人
)

// Kinds lists the channel kinds in display order.
var Kinds = []Kind{Email, WeCom, DingTalk}

// Channel is where one unit's notifications go besides the inbox: an
// e-mail address or a robot's webhook URL (with DingTalk's signing secret).
type Channel struct {
	ID       int64  `json:"id"`
	UnitID   int64  `json:"unit_id"`
	UnitName string `json:"unit_name,omitempty"`
	Kind     Kind   `json:"kind"`
	Name     string `json:"name"`
	Target   string `json:"target"`
	// Secret signs DingTalk webhook calls; it is never shown again.
	Secret  string `json:"-"`
	Enabled bool   `json:"enabled"`
	Version int64  `json:"version"`
}

// HasSecret reports whether a signing secret is set (for display).
func (c Channel) HasSecret() bool { return c.Secret != "" }

// AuditFields is the channel as the audit log keeps it: the secret only as
// set or not.
func (c Channel) AuditFields() map[string]any {
	return map[string]any{"unit_id": c.UnitID, "kind": c.Kind, "name": c.Name, "target": c.Target,
		"secret_set": c.HasSecret(), "enabled": c.Enabled}
}

// OutboxStatus returns status when it is an outbox row's status (pending,
// sent, failed), else "" (any status): the filter of the delivery log.
func OutboxStatus(status string) string {
	switch status {
	case "pending", "sent", "failed":
		return status
	}
	return ""
}

// Validate checks a channel's fields.
func (c *Channel) Validate() error {
	fields := map[string]string{}
	c.Name = strings.TrimSpace(c.Name)
	c.Target = strings.TrimSpace(c.Target)
	c.Secret = strings.TrimSpace(c.Secret)
	if c.UnitID == 0 {
		fields["unit_id"] = "请选择单位"
	}
	if len([]rune(c.Name)) > 60 {
		fields["name"] = "名称不能超过60个字"
	} else if msg := text.Line("名称", c.Name); msg != "" {
		fields["name"] = msg
	}
	switch c.Kind {
	case Email:
		if a, err := mail.ParseAddress(c.Target); err != nil || a.Address != c.Target {
			fields["target"] = "请填写有效的电子邮件地址,例如 keji@example.gov.cn"
		}
	case WeCom, DingTalk:
		u, err := url.Parse(c.Target)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			fields["target"] = "请填写机器人的 Webhook 地址(以 https:// 开头)"
		}
	default:
		fields["kind"] = "请选择渠道类型"
	}
	if c.Kind != DingTalk && c.Secret != "" {
		fields["secret"] = "只有钉钉机器人使用加签密钥"
	}
	if len(c.Secret) > 200 {
		fields["secret"] = "密钥过长"
	}
	if len(fields) > 0 {
		return apperr.WithFields("通知渠道信息有误", fields)
	}
	return nil
}

// Event is something a unit (and maybe some users) should hear about. Key
// identifies the event: enqueueing the same key again adds nothing, so a
// job that runs twice, or a request that is retried, notifies once.
type Event struct {
	Key     string // e.g. "supervision:12:issued"
	Type    string // e.g. "supervision.issued"
	UnitID  int64  // the unit whose channels and users are told; 0: none
	UserIDs []int64
	Subject string
	Body    string
	Link    string // a path in the web UI, e.g. /supervision/12
	// DueAt delays the sending; zero sends at once.
	DueAt time.Time
}

// Message is one outbox row ready to send.
type Message struct {
	ID       int64
	Kind     Kind
	Target   string
	Secret   string
	Subject  string
	Body     string
	Link     string
	Attempts int
	// Disabled: the channel was switched off after the row was queued.
	Disabled bool
}
