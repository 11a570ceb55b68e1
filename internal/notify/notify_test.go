package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/notify"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/testenv"
)

// robot stands in for the WeCom and DingTalk webhooks: it checks each
// call's JSON (and DingTalk's signature) and counts messages per subject.
type robot struct {
	t      testing.TB
	ts     *httptest.Server
	secret string // DingTalk signing secret

	mu      sync.Mutex
	got     map[string]int // "kind subject" → calls
	fail    map[string]int // kind → answer 500 this many more times
	errcode bool           // answer {"errcode": 310000}
	onCall  func(n int)    // after the n-th accepted message
	n       int
}

func newRobot(t testing.TB, secret string) *robot {
	rb := &robot{t: t, secret: secret, got: map[string]int{}, fail: map[string]int{}}
	rb.ts = httptest.NewServer(http.HandlerFunc(rb.serve))
	t.Cleanup(rb.ts.Close)
	return rb
}

func (rb *robot) serve(w http.ResponseWriter, r *http.Request) {
	kind := strings.TrimPrefix(r.URL.Path, "/")
	body, _ := io.ReadAll(r.Body)
	var msg struct {
		MsgType  string            `json:"msgtype"`
		Markdown map[string]string `json:"markdown"`
	}
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") ||
		json.Unmarshal(body, &msg) != nil || msg.MsgType != "markdown" {
		rb.t.Errorf("robot %s: bad call %s %s %q", kind, r.Method, r.Header.Get("Content-Type"), body)
		http.Error(w, "bad", 400)
		return
	}
	var subject string
	switch kind {
	case "wecom":
		// {"msgtype":"markdown","markdown":{"content":"**subject**\n…"}}
		c := msg.Markdown["content"]
		if !strings.HasPrefix(c, "**") {
			rb.t.Errorf("wecom content %q", c)
		}
		subject, _, _ = strings.Cut(strings.TrimPrefix(c, "**"), "**")
	case "dingtalk":
		// {"msgtype":"markdown","markdown":{"title":…,"text":…}} with
		// timestamp and sign = base64(HMAC-SHA256(secret, ts+"\n"+secret)).
		subject = msg.Markdown["title"]
		if !strings.Contains(msg.Markdown["text"], subject) {
			rb.t.Errorf("dingtalk text %q lacks the title", msg.Markdown["text"])
		}
		ts := r.URL.Query().Get("timestamp")
		if _, err := strconv.ParseInt(ts, 10, 64); err != nil || !strings.Contains(r.URL.RawQuery, "access_token=abc") {
			rb.t.Errorf("dingtalk query %q", r.URL.RawQuery)
		}
		mac := hmac.New(sha256.New, []byte(rb.secret))
		mac.Write([]byte(ts + "\n" + rb.secret))
		want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
		if r.URL.Query().Get("sign") != want {
			rb.t.Errorf("dingtalk sign %q, want %q (raw query %q)", r.URL.Query().Get("sign"), want, r.URL.RawQuery)
			w.Write([]byte(`{"errcode":310000,"errmsg":"sign not match"}`))
			return
		}
	default:
		rb.t.Errorf("robot: unknown path %s", r.URL.Path)
		http.NotFound(w, r)
		return
	}
	rb.mu.Lock()
	if rb.fail[kind] > 0 {
		rb.fail[kind]--
		rb.mu.Unlock()
		http.Error(w, "busy", 500)
		return
	}
	if rb.errcode {
		rb.mu.Unlock()
		w.Write([]byte(`{"errcode":310000,"errmsg":"keywords not in content"}`))
		return
	}
	rb.got[kind+" "+subject]++
	rb.n++
	n, on := rb.n, rb.onCall
	rb.mu.Unlock()
	w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	if on != nil {
		on(n)
	}
}

func (rb *robot) counts() map[string]int {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	out := map[string]int{}
	for k, v := range rb.got {
		out[k] = v
	}
	return out
}

func TestRobotPayloads(t *testing.T) {
	b, _ := notify.WeComPayload("督办提醒", "请于3月10日前回复", "https://x/supervision/1")
	if string(b) != `{"markdown":{"content":"**督办提醒**\n请于3月10日前回复\n[查看详情](https://x/supervision/1)"},"msgtype":"markdown"}` {
		t.Errorf("wecom: %s", b)
	}
	b, _ = notify.DingTalkPayload("督办提醒", "请回复", "")
	if string(b) != `{"markdown":{"text":"### 督办提醒\n\n请回复","title":"督办提醒"},"msgtype":"markdown"}` {
		t.Errorf("dingtalk: %s", b)
	}
	// A fixed vector, computed independently:
	//   printf '1700000000000\nSEC123' | openssl dgst -sha256 -hmac SEC123 -binary | base64
	if got := notify.DingTalkSign("SEC123", 1700000000000); got != dingVector {
		t.Errorf("sign: %s, want %s", got, dingVector)
	}
	u, err := notify.SignedDingTalkURL("https://oapi.dingtalk.com/robot/send?access_token=abc", "SEC123", time.UnixMilli(1700000000000))
	if err != nil || !strings.Contains(u, "timestamp=1700000000000") || !strings.Contains(u, "access_token=abc") ||
		!strings.Contains(u, "sign="+strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(dingVector)) {
		t.Errorf("signed url %s %v", u, err)
	}
}

func TestRobotErrors(t *testing.T) {
	rb := newRobot(t, "s")
	r := &notify.Robots{}
	ctx := context.Background()
	if err := r.Send(ctx, notify.Message{Kind: notify.WeCom, Target: rb.ts.URL + "/wecom", Subject: "a"}); err != nil {
		t.Fatal(err)
	}
	rb.fail["wecom"] = 1
	if err := r.Send(ctx, notify.Message{Kind: notify.WeCom, Target: rb.ts.URL + "/wecom?key=SECRETKEY", Subject: "b"}); err == nil ||
		!strings.Contains(err.Error(), "500") {
		t.Fatalf("a 500 answer: %v", err)
	}
	rb.errcode = true
	if err := r.Send(ctx, notify.Message{Kind: notify.WeCom, Target: rb.ts.URL + "/wecom", Subject: "c"}); err == nil ||
		!strings.Contains(err.Error(), "310000") {
		t.Fatalf("an errcode answer: %v", err)
	}
	// A robot that cannot be reached: the webhook key stays out of the error.
	err := r.Send(ctx, notify.Message{Kind: notify.WeCom, Target: "http://127.0.0.1:1/cgi-bin/webhook/send?key=SECRETKEY", Subject: "d"})
	if err == nil || strings.Contains(err.Error(), "SECRETKEY") {
		t.Fatalf("unreachable: %v", err)
	}
}

// TestSMTP sends through the local sink, in clear and with STARTTLS.
func TestSMTP(t *testing.T) {
	ts := httptest.NewTLSServer(nil) // for its certificate for 127.0.0.1
	ts.Close()
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	for _, withTLS := range []bool{false, true} {
		t.Run(fmt.Sprint("starttls=", withTLS), func(t *testing.T) {
			var cfg *tls.Config
			if withTLS {
				cfg = &tls.Config{Certificates: ts.TLS.Certificates}
			}
			sink := testenv.NewSMTPSink(t, cfg)
			host, port, _ := net.SplitHostPort(sink.Addr)
			p, _ := strconv.Atoi(port)
			s := &notify.SMTP{Host: host, Port: p, From: "luoshi@example.gov.cn", Username: "luoshi", Password: "pw",
				TLSConfig: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}}
			err := s.Send(context.Background(), notify.Message{Kind: notify.Email, Target: "unit@example.gov.cn",
				Subject: "督〔2023〕第1号 督办通知", Body: "请于3月10日前回复。\n.以点开头的行", Link: "https://luoshi/x"})
			if err != nil {
				t.Fatal(err)
			}
			got := sink.Messages()
			if len(got) != 1 {
				t.Fatalf("%d messages", len(got))
			}
			m := got[0]
			if m.From != "luoshi@example.gov.cn" || len(m.To) != 1 || m.To[0] != "unit@example.gov.cn" || m.TLS != withTLS {
				t.Fatalf("envelope %+v", m)
			}
			// Over STARTTLS the password is sent; in clear to a non-local
			// server net/smtp would refuse, here the sink is on 127.0.0.1.
			if m.Auth == "" {
				t.Error("no AUTH PLAIN")
			}
			dec := new(mime.WordDecoder)
			var subject string
			for _, l := range strings.Split(m.Data, "\r\n") {
				if v, ok := strings.CutPrefix(l, "Subject: "); ok {
					subject, _ = dec.DecodeHeader(v)
				}
			}
			if subject != "督〔2023〕第1号 督办通知" || !strings.Contains(m.Data, "请于3月10日前回复。\r\n.以点开头的行\r\n") ||
				!strings.Contains(m.Data, "charset=utf-8") {
				t.Fatalf("data %q (subject %q)", m.Data, subject)
			}
		})
	}
	s := &notify.SMTP{}
	if err := s.Send(context.Background(), notify.Message{Target: "a@b.c"}); err == nil {
		t.Fatal("an unconfigured SMTP sent")
	}
}

func TestBackoff(t *testing.T) {
	for n, want := range map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 3: 4 * time.Minute, 8: 100 * time.Minute} {
		if got := notify.Backoff(time.Minute, 100*time.Minute, n); got != want {
			t.Errorf("backoff(%d) = %v, want %v", n, got, want)
		}
	}
}

func TestChannelValidate(t *testing.T) {
	for _, c := range []struct {
		ch    notify.Channel
		field string
	}{
		{notify.Channel{UnitID: 1, Kind: notify.Email, Target: "a@b.cn"}, ""},
		{notify.Channel{UnitID: 1, Kind: notify.Email, Target: "not mail"}, "target"},
		{notify.Channel{UnitID: 1, Kind: notify.WeCom, Target: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1"}, ""},
		{notify.Channel{UnitID: 1, Kind: notify.WeCom, Target: "ftp://x"}, "target"},
		{notify.Channel{UnitID: 1, Kind: notify.WeCom, Target: "https://x", Secret: "s"}, "secret"},
		{notify.Channel{UnitID: 1, Kind: notify.DingTalk, Target: "https://oapi.dingtalk.com/robot/send?access_token=1", Secret: "SEC"}, ""},
		{notify.Channel{UnitID: 1, Kind: "fax", Target: "1"}, "kind"},
		{notify.Channel{Kind: notify.Email, Target: "a@b.cn"}, "unit_id"},
	} {
		err := c.ch.Validate()
		if c.field == "" && err != nil || c.field != "" && (err == nil || !strings.Contains(fmt.Sprint(fieldsOf(err)), c.field)) {
			t.Errorf("%+v: %v, want field %q", c.ch, err, c.field)
		}
	}
}

// TestRunSchedulesAndStops: Run calls the scheduler first, sends, and
// returns when its context is cancelled.
func TestRunSchedulesAndStops(t *testing.T) {
	f := setup(t, "sqlite")
	ctx, cancel := context.WithCancel(context.Background())
	scheduled := 0
	w := f.worker("loop")
	w.Poll = time.Millisecond
	w.Before = func(ctx context.Context, now time.Time) error {
		scheduled++
		if scheduled == 1 {
			return f.db.InTx(ctx, func(tx *store.Tx) error {
				return tx.Notify(notify.Event{Key: "loop", UnitID: f.unit.ID, Subject: "事件1"})
			})
		}
		return nil
	}
	f.rb.onCall = func(n int) {
		if n == 2 { // both robots got the event
			cancel()
		}
	}
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if scheduled != 1 {
		t.Fatalf("scheduler ran %d times in well under BeforeEvery", scheduled)
	}
	f.exactlyOnce(t, 1)
}
