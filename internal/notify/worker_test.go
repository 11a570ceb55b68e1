package notify_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/notify"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/testenv"
)

const dingVector = "lkcPI1uoxBY1gUnCnnPH1Kkru0Hqjo7rFpA3haIVhEQ="

func fieldsOf(err error) map[string]string {
	if e := apperr.As(err); e != nil {
		return e.Fields
	}
	return nil
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	db    *store.DB
	clk   *clock
	rb    *robot
	unit  org.Unit
	sends map[notify.Kind]notify.Sender
}

// setup opens a fresh database on engine with one unit whose notifications
// go to a WeCom and a signed DingTalk robot (the stand-in server).
func setup(t *testing.T, engine string) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, testenv.DSN(t, engine))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Date(2023, 4, 3, 1, 0, 0, 0, time.UTC)}
	db.SetClock(clk.now)
	f := &fixture{db: db, clk: clk, rb: newRobot(t, "SEC-demo")}
	f.unit = org.Unit{Code: "510921", Name: "示例县", Kind: org.City, DivisionCode: "510921"}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateUnit(&f.unit); err != nil {
			return err
		}
		for _, c := range []notify.Channel{
			{UnitID: f.unit.ID, Kind: notify.WeCom, Name: "县科技局群", Target: f.rb.ts.URL + "/wecom?key=k1", Enabled: true},
			{UnitID: f.unit.ID, Kind: notify.DingTalk, Name: "督办群", Target: f.rb.ts.URL + "/dingtalk?access_token=abc", Secret: "SEC-demo", Enabled: true},
		} {
			if err := tx.CreateChannel(&c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	robots := &notify.Robots{Now: clk.now}
	f.sends = map[notify.Kind]notify.Sender{notify.WeCom: robots, notify.DingTalk: robots}
	return f
}

// enqueue queues n events, each twice (the second changes nothing).
func (f *fixture) enqueue(t *testing.T, n int) {
	t.Helper()
	for round := 0; round < 2; round++ {
		err := f.db.InTx(context.Background(), func(tx *store.Tx) error {
			for i := 1; i <= n; i++ {
				err := tx.Notify(notify.Event{Key: fmt.Sprintf("test:%d", i), Type: "test", UnitID: f.unit.ID,
					Subject: fmt.Sprintf("事件%d", i), Body: "正文", Link: "/inbox"})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) worker(id string) *notify.Worker {
	return &notify.Worker{Outbox: f.db, Senders: f.sends, ID: id, Now: f.clk.now, Batch: 4, BaseURL: "https://luoshi.example"}
}

// exactlyOnce checks that each of n events reached each robot once.
func (f *fixture) exactlyOnce(t *testing.T, n int) {
	t.Helper()
	got := f.rb.counts()
	for i := 1; i <= n; i++ {
		for _, kind := range []string{"wecom", "dingtalk"} {
			if c := got[fmt.Sprintf("%s 事件%d", kind, i)]; c != 1 {
				t.Errorf("%s got 事件%d %d times", kind, i, c)
			}
		}
	}
	if len(got) != 2*n {
		t.Errorf("robots got %d distinct messages, want %d: %v", len(got), 2*n, got)
	}
	rows, err := f.db.OutboxRows(context.Background(), "pending", 100)
	if err != nil || len(rows) != 0 {
		t.Errorf("pending rows left: %d %v", len(rows), err)
	}
}

// TestWorkerRestart is issue 8's done-when: the robot receives exactly one
// message per event across a worker restart. The first worker is stopped
// in the middle of a batch (its context cancelled from inside the robot's
// handler); a second worker sends the rest.
func TestWorkerRestart(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			f := setup(t, engine)
			f.enqueue(t, 9) // 18 rows: 9 events × 2 robots
			ctx1, stop1 := context.WithCancel(context.Background())
			f.rb.onCall = func(n int) {
				if n == 6 {
					stop1() // mid-batch: the batch holds 4 rows
				}
			}
			res1, err := f.worker("w1").RunOnce(ctx1)
			if err != nil {
				t.Fatal(err)
			}
			if res1.Sent != 6 {
				t.Fatalf("first worker sent %d before stopping, want 6 (it finishes the message in flight)", res1.Sent)
			}
			f.rb.onCall = nil
			// A second worker, started at once: the first gave back its
			// claim, so nothing waits for a lease to run out.
			res2, err := f.worker("w2").RunOnce(context.Background())
			if err != nil || res2.Sent != 12 {
				t.Fatalf("second worker: %+v %v", res2, err)
			}
			f.exactlyOnce(t, 9)
			// Queuing the same events again sends nothing more.
			f.enqueue(t, 9)
			if res, _ := f.worker("w3").RunOnce(context.Background()); res.Sent != 0 {
				t.Fatalf("re-queued events were sent again: %+v", res)
			}
		})
	}
}

// TestWorkerCrash: a worker that dies holding a claim (no release) delays
// its rows only until the lease ends; then another worker sends them once.
func TestWorkerCrash(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			f := setup(t, engine)
			f.enqueue(t, 3)
			ctx := context.Background()
			claimed, err := f.db.ClaimOutbox(ctx, "dead", f.clk.now(), 10*time.Minute, 4)
			if err != nil || len(claimed) != 4 {
				t.Fatalf("claim: %d %v", len(claimed), err)
			}
			w := f.worker("alive")
			if res, _ := w.RunOnce(ctx); res.Sent != 2 {
				t.Fatalf("while the lease holds: sent %d, want the 2 unclaimed", res.Sent)
			}
			f.clk.add(11 * time.Minute)
			if res, _ := w.RunOnce(ctx); res.Sent != 4 {
				t.Fatalf("after the lease: sent %d, want 4", res.Sent)
			}
			// The dead worker wakes up: it may not mark what it lost.
			if err := f.db.MarkSent(ctx, claimed[0].ID, "dead", f.clk.now()); err == nil {
				t.Fatal("a worker marked a row it no longer holds")
			}
			f.exactlyOnce(t, 3)
		})
	}
}

// TestWorkersConcurrent runs two workers at once, as two app nodes would:
// every message is sent once.
func TestWorkersConcurrent(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			f := setup(t, engine)
			f.enqueue(t, 30)
			var wg sync.WaitGroup
			results := make([]notify.Result, 2)
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					w := f.worker(fmt.Sprintf("node%d", i))
					w.Batch = 3
					res, err := w.RunOnce(context.Background())
					if err != nil {
						t.Error(err)
					}
					results[i] = res
				}()
			}
			wg.Wait()
			if results[0].Sent+results[1].Sent != 60 {
				t.Fatalf("sent %+v, want 60 in all", results)
			}
			f.exactlyOnce(t, 30)
		})
	}
}

// TestWorkerRetries: a failing robot is retried with growing delays, then
// the row is failed with its last error.
func TestWorkerRetries(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			f := setup(t, engine)
			f.enqueue(t, 1)
			ctx := context.Background()
			w := f.worker("w")
			w.MaxAttempts = 3
			f.rb.fail["wecom"] = 100
			if res, _ := w.RunOnce(ctx); res.Sent != 1 || res.Retried != 1 {
				t.Fatalf("first round: %+v", res)
			}
			// Not due again until the backoff (1 min) has passed.
			f.clk.add(30 * time.Second)
			if res, _ := w.RunOnce(ctx); res.Retried != 0 {
				t.Fatalf("retried before the backoff: %+v", res)
			}
			f.clk.add(31 * time.Second)
			if res, _ := w.RunOnce(ctx); res.Retried != 1 {
				t.Fatalf("second attempt: %+v", res)
			}
			f.clk.add(119 * time.Second) // second delay: 2 min
			if res, _ := w.RunOnce(ctx); res.Retried+res.Failed != 0 {
				t.Fatalf("third attempt too early: %+v", res)
			}
			f.clk.add(2 * time.Second)
			if res, _ := w.RunOnce(ctx); res.Failed != 1 {
				t.Fatalf("third attempt: %+v", res)
			}
			rows, _ := f.db.OutboxRows(ctx, "failed", 10)
			if len(rows) != 1 || rows[0].Attempts != 3 || rows[0].Kind != notify.WeCom || rows[0].LastError == "" {
				t.Fatalf("failed rows: %+v", rows)
			}
			f.clk.add(24 * time.Hour)
			if res, _ := w.RunOnce(ctx); res != (notify.Result{}) {
				t.Fatalf("a failed row was tried again: %+v", res)
			}
		})
	}
}
