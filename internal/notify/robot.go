package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Robots posts to WeCom and DingTalk group robot webhooks.
type Robots struct {
	Client *http.Client
	Now    func() time.Time
}

// WeComPayload is the body of a WeCom group robot call: markdown, the
// subject as a heading (企业微信 “群机器人配置说明”).
func WeComPayload(subject, body, link string) ([]byte, error) {
	content := "**" + subject + "**\n" + body
	if link != "" {
		content += "\n[查看详情](" + link + ")"
	}
	return json.Marshal(map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": content}})
}

// DingTalkPayload is the body of a DingTalk group robot call: markdown
// with a title (the notification's summary) and text.
func DingTalkPayload(subject, body, link string) ([]byte, error) {
	text := "### " + subject + "\n\n" + body
	if link != "" {
		text += "\n\n[查看详情](" + link + ")"
	}
	return json.Marshal(map[string]any{"msgtype": "markdown", "markdown": map[string]string{"title": subject, "text": text}})
}

// DingTalkSign returns the sign parameter of a DingTalk robot with 加签
// security: base64 of HMAC-SHA256 over "timestamp\nsecret" keyed by the
// secret (not yet URL-encoded).
func DingTalkSign(secret string, timestampMillis int64) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(timestampMillis, 10) + "\n" + secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// SignedDingTalkURL adds timestamp and sign to a DingTalk webhook URL.
func SignedDingTalkURL(webhook, secret string, now time.Time) (string, error) {
	u, err := url.Parse(webhook)
	if err != nil {
		return "", err
	}
	ts := now.UnixMilli()
	q := u.Query()
	q.Set("timestamp", strconv.FormatInt(ts, 10))
	q.Set("sign", DingTalkSign(secret, ts))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Send posts m to its robot and checks the robot's answer: both robots
// answer 200 with {"errcode": 0} on success.
func (r *Robots) Send(ctx context.Context, m Message) error {
	var body []byte
	var err error
	target := m.Target
	switch m.Kind {
	case WeCom:
		body, err = WeComPayload(m.Subject, m.Body, m.Link)
	case DingTalk:
		body, err = DingTalkPayload(m.Subject, m.Body, m.Link)
		if err == nil && m.Secret != "" {
			now := time.Now()
			if r.Now != nil {
				now = r.Now()
			}
			target, err = SignedDingTalkURL(m.Target, m.Secret, now)
		}
	default:
		return fmt.Errorf("notify: robots cannot send %s", m.Kind)
	}
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	client := r.Client
	if client == nil {
		client = &http.Client{Timeout: 20 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("notify: %s robot: %w", m.Kind, redactURL(err, m.Target))
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("notify: %s robot answered %d: %s", m.Kind, resp.StatusCode, strings.TrimSpace(string(answer)))
	}
	var res struct {
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if json.Unmarshal(answer, &res) == nil && res.ErrCode != nil && *res.ErrCode != 0 {
		return fmt.Errorf("notify: %s robot refused the message: %d %s", m.Kind, *res.ErrCode, res.ErrMsg)
	}
	return nil
}

// redactURL keeps the webhook's key (its query) out of error texts, which
// are stored and shown to staff.
func redactURL(err error, webhook string) error {
	u, perr := url.Parse(webhook)
	if perr != nil || u.RawQuery == "" {
		return err
	}
	return fmt.Errorf("%s", strings.ReplaceAll(err.Error(), u.RawQuery, "…"))
}
