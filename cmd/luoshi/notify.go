package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/luoshi/luoshi/internal/notify"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/supervision"
)

const notifyUsage = "usage: luoshi notify run-once [--db …] [--smtp-host H --smtp-port P --smtp-user U --smtp-from ADDR] [--base-url URL]"

// notifyConfig is how notifications leave the system: the SMTP server and
// the web UI's public address for links. Robots need no configuration
// here: their webhooks are set per unit in the web UI.
type notifyConfig struct {
	smtp    notify.SMTP
	port    string
	baseURL string
	poll    time.Duration
}

// notifyFlags adds the notification flags, each with a LUOSHI_* fallback.
// The password is best given by environment (LUOSHI_SMTP_PASSWORD): flags
// show in the process list.
func notifyFlags(fs *flag.FlagSet, getenv env) *notifyConfig {
	c := &notifyConfig{}
	fs.StringVar(&c.smtp.Host, "smtp-host", getenv.or("LUOSHI_SMTP_HOST", ""), "SMTP server for e-mail notifications (env LUOSHI_SMTP_HOST)")
	fs.StringVar(&c.port, "smtp-port", getenv.or("LUOSHI_SMTP_PORT", "587"), "SMTP port; STARTTLS is used whenever the server offers it (env LUOSHI_SMTP_PORT)")
	fs.StringVar(&c.smtp.Username, "smtp-user", getenv.or("LUOSHI_SMTP_USER", ""), "SMTP user for AUTH PLAIN (env LUOSHI_SMTP_USER)")
	fs.StringVar(&c.smtp.Password, "smtp-password", getenv.or("LUOSHI_SMTP_PASSWORD", ""), "SMTP password; prefer the environment (env LUOSHI_SMTP_PASSWORD)")
	fs.StringVar(&c.smtp.From, "smtp-from", getenv.or("LUOSHI_SMTP_FROM", ""), "sender address, e.g. luoshi@kjj.example.gov.cn (env LUOSHI_SMTP_FROM)")
	fs.BoolVar(&c.smtp.RequireTLS, "smtp-require-tls", getenv.boolOr("LUOSHI_SMTP_REQUIRE_TLS", false), "refuse a server without STARTTLS (env LUOSHI_SMTP_REQUIRE_TLS)")
	fs.StringVar(&c.baseURL, "base-url", getenv.or("LUOSHI_BASE_URL", ""), "public address of the web UI, for links in messages (env LUOSHI_BASE_URL)")
	fs.DurationVar(&c.poll, "notify-poll", 15*time.Second, "how often the notification worker looks for due messages")
	return c
}

// worker builds the notification worker: e-mail when an SMTP server is
// configured, the robots always, and before each round the reminder
// scheduler (催办 of notices near or past their deadline, and reminders to
// units that have not reported as a reporting window closes).
func (c *notifyConfig) worker(db *store.DB, logger *slog.Logger) (*notify.Worker, error) {
	port, err := strconv.Atoi(c.port)
	if err != nil || port <= 0 || port > 65535 {
		return nil, fmt.Errorf("--smtp-port must be a port number, not %q", c.port)
	}
	c.smtp.Port = port
	robots := &notify.Robots{}
	senders := map[notify.Kind]notify.Sender{notify.WeCom: robots, notify.DingTalk: robots}
	if c.smtp.Configured() {
		smtp := c.smtp
		senders[notify.Email] = &smtp
	}
	sup := &supervision.Service{DB: db, Log: logger}
	return &notify.Worker{Outbox: db, Senders: senders, ID: notify.NewWorkerID(), BaseURL: c.baseURL, Log: logger, Poll: c.poll,
		Before: func(ctx context.Context, now time.Time) error {
			for _, job := range reminderJobs(sup) {
				if err := job(ctx, now); err != nil {
					return err
				}
			}
			return nil
		}}, nil
}

// reminderJobs are the jobs that queue reminders before each round.
func reminderJobs(sup *supervision.Service) []func(context.Context, time.Time) error {
	return []func(context.Context, time.Time) error{
		func(ctx context.Context, now time.Time) error { _, err := sup.Remind(ctx, now); return err },
		func(ctx context.Context, now time.Time) error { _, err := sup.RemindWindows(ctx, now); return err },
	}
}

// cmdNotify runs the notification tools (issue 8).
func cmdNotify(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "run-once" {
		fmt.Fprintln(stderr, notifyUsage)
		return exitCode(2)
	}
	fs := newFlags("notify run-once", stderr)
	dsn := dbFlag(fs, getenv)
	cfg := notifyFlags(fs, getenv)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, notifyUsage)
		return exitCode(2)
	}
	db, _, err := openMigrated(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	w, err := cfg.worker(db, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	res, err := w.RunOnce(ctx)
	fmt.Fprintf(stdout, "通知: 已发送 %d 条, 待重试 %d 条, 失败 %d 条 (sent %d, retry %d, failed %d)\n",
		res.Sent, res.Retried, res.Failed, res.Sent, res.Retried, res.Failed)
	return err
}
