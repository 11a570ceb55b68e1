package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"
)

// Outbox is what the worker needs from the store. Claims are leases: a row
// claimed by a worker that dies is claimed again once the lease ends.
type Outbox interface {
	// ClaimOutbox atomically claims up to limit due, unclaimed rows for
	// worker until now+lease and returns them.
	ClaimOutbox(ctx context.Context, worker string, now time.Time, lease time.Duration, limit int) ([]Message, error)
	// MarkSent records a successful send of a row this worker holds.
	MarkSent(ctx context.Context, id int64, worker string, now time.Time) error
	// MarkRetry records a failed attempt: the row is due again at next, or
	// failed for good when final.
	MarkRetry(ctx context.Context, id int64, worker string, now time.Time, errText string, next time.Time, final bool) error
	// ReleaseOutbox gives back rows this worker claimed but did not try.
	ReleaseOutbox(ctx context.Context, ids []int64, worker string) error
}

// Sender delivers one message over one kind of channel.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrNoSender is the error of a message whose channel kind has no sender
// (e-mail without an SMTP server configured).
var ErrNoSender = errors.New("notify: no sender for this channel kind")

// Worker sends the outbox. Run it in every app node: the claims make sure
// only one node sends a given row.
type Worker struct {
	Outbox  Outbox
	Senders map[Kind]Sender
	// ID names this worker in claims; NewWorkerID makes a unique one.
	ID string
	// BaseURL is put before links that are paths (the web UI's public
	// address); empty leaves them as they are.
	BaseURL string
	Now     func() time.Time
	Log     *slog.Logger

	Batch       int           // rows per claim (10)
	Lease       time.Duration // how long a claim holds (10 min; > Batch × SendTimeout)
	SendTimeout time.Duration // per message (20 s)
	MaxAttempts int           // then the row is failed (6)
	BaseDelay   time.Duration // first retry delay, doubled each attempt (1 min)
	MaxDelay    time.Duration // cap of the retry delay (2 h)
	Poll        time.Duration // Run's pause when the outbox is empty (15 s)

	// Before runs at the start of RunOnce, and in Run at most every
	// BeforeEvery (10 min): the scheduler that enqueues due reminders. Its
	// events have daily keys, so running it more often adds nothing.
	Before      func(ctx context.Context, now time.Time) error
	BeforeEvery time.Duration

	lastBefore time.Time
}

// Result counts what one round did.
type Result struct {
	Sent, Retried, Failed int
}

// NewWorkerID returns host-pid-random, unique among the app nodes.
func NewWorkerID() string {
	host, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

func (w *Worker) defaults() {
	if w.ID == "" {
		w.ID = NewWorkerID()
	}
	if w.Now == nil {
		w.Now = func() time.Time { return time.Now().UTC() }
	}
	if w.Log == nil {
		w.Log = slog.New(slog.DiscardHandler)
	}
	if w.Batch <= 0 {
		w.Batch = 10
	}
	if w.SendTimeout <= 0 {
		w.SendTimeout = 20 * time.Second
	}
	if w.Lease <= 0 {
		w.Lease = 10 * time.Minute
	}
	if w.MaxAttempts <= 0 {
		w.MaxAttempts = 6
	}
	if w.BaseDelay <= 0 {
		w.BaseDelay = time.Minute
	}
	if w.MaxDelay <= 0 {
		w.MaxDelay = 2 * time.Hour
	}
	if w.Poll <= 0 {
		w.Poll = 15 * time.Second
	}
	if w.BeforeEvery <= 0 {
		w.BeforeEvery = 10 * time.Minute
	}
}

// Backoff is the delay after the n-th failed attempt (n ≥ 1): base, 2×base,
// 4×base, … at most max.
func Backoff(base, max time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return d
}

// RunOnce runs the scheduler and sends every due row, batch by batch, until
// none is left or ctx is cancelled. A cancelled worker finishes the message
// it is sending and records it, gives back the rest of its claim, and
// returns: a message is never sent and then forgotten.
func (w *Worker) RunOnce(ctx context.Context) (Result, error) {
	w.defaults()
	if err := w.schedule(ctx); err != nil {
		return Result{}, err
	}
	return w.drain(ctx)
}

func (w *Worker) schedule(ctx context.Context) error {
	if w.Before == nil {
		return nil
	}
	now := w.Now()
	if err := w.Before(ctx, now); err != nil {
		return fmt.Errorf("notify: schedule: %w", err)
	}
	w.lastBefore = now
	return nil
}

// drain sends every due row, batch by batch.
func (w *Worker) drain(ctx context.Context) (Result, error) {
	var res Result
	for ctx.Err() == nil {
		batch, err := w.Outbox.ClaimOutbox(ctx, w.ID, w.Now(), w.Lease, w.Batch)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return res, fmt.Errorf("notify: claim: %w", err)
		}
		if len(batch) == 0 {
			break
		}
		if err := w.sendBatch(ctx, batch, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

func (w *Worker) sendBatch(ctx context.Context, batch []Message, res *Result) error {
	// Recording an outcome must not be cut short by the cancellation that
	// stops the worker, or a sent message would be sent again.
	keep := context.WithoutCancel(ctx)
	for i, m := range batch {
		if ctx.Err() != nil {
			ids := make([]int64, 0, len(batch)-i)
			for _, rest := range batch[i:] {
				ids = append(ids, rest.ID)
			}
			rctx, cancel := context.WithTimeout(keep, 10*time.Second)
			err := w.Outbox.ReleaseOutbox(rctx, ids, w.ID)
			cancel()
			return err
		}
		err := w.send(keep, m)
		now := w.Now()
		mctx, cancel := context.WithTimeout(keep, 10*time.Second)
		if err == nil {
			err = w.Outbox.MarkSent(mctx, m.ID, w.ID, now)
			cancel()
			if err != nil {
				return fmt.Errorf("notify: mark %d sent: %w", m.ID, err)
			}
			res.Sent++
			continue
		}
		attempts := m.Attempts + 1
		final := attempts >= w.MaxAttempts || errors.Is(err, errPermanent)
		next := now.Add(Backoff(w.BaseDelay, w.MaxDelay, attempts))
		w.Log.Warn("notification not sent", "outbox_id", m.ID, "kind", m.Kind, "attempt", attempts, "final", final, "err", err)
		merr := w.Outbox.MarkRetry(mctx, m.ID, w.ID, now, truncate(err.Error(), 500), next, final)
		cancel()
		if merr != nil {
			return fmt.Errorf("notify: mark %d retry: %w", m.ID, merr)
		}
		if final {
			res.Failed++
		} else {
			res.Retried++
		}
	}
	return nil
}

// errPermanent marks errors that no retry can fix.
var errPermanent = errors.New("permanent")

func (w *Worker) send(ctx context.Context, m Message) error {
	if m.Disabled {
		return fmt.Errorf("渠道已停用: %w", errPermanent)
	}
	s := w.Senders[m.Kind]
	if s == nil {
		return fmt.Errorf("%w %s", ErrNoSender, m.Kind)
	}
	if w.BaseURL != "" && strings.HasPrefix(m.Link, "/") {
		m.Link = strings.TrimSuffix(w.BaseURL, "/") + m.Link
	}
	sctx, cancel := context.WithTimeout(ctx, w.SendTimeout)
	defer cancel()
	return s.Send(sctx, m)
}

// Run sends the outbox until ctx is cancelled, pausing Poll between rounds,
// with the scheduler every BeforeEvery. Errors are logged and retried next
// round.
func (w *Worker) Run(ctx context.Context) error {
	w.defaults()
	for {
		if w.lastBefore.IsZero() || w.Now().Sub(w.lastBefore) >= w.BeforeEvery {
			if err := w.schedule(ctx); err != nil && ctx.Err() == nil {
				w.Log.Error("notify worker", "err", err)
			}
		}
		res, err := w.drain(ctx)
		if err != nil && ctx.Err() == nil {
			w.Log.Error("notify worker", "err", err)
		}
		if res.Sent > 0 || res.Failed > 0 {
			w.Log.Info("notifications sent", "sent", res.Sent, "retried", res.Retried, "failed", res.Failed)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(w.Poll):
		}
	}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
