package notify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/notify"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/testenv"
)

type nopSender struct{}

func (nopSender) Send(context.Context, notify.Message) error { return nil }

// BenchmarkOutbox measures the outbox's own cost per message on SQLite:
// queue (with its idempotency key), claim, send to a sender that does
// nothing, mark sent.
func BenchmarkOutbox(b *testing.B) {
	ctx := context.Background()
	db, err := store.Open(ctx, testenv.DSN(b, "sqlite"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	unit := org.Unit{Code: "510900", Name: "市", Kind: org.City, DivisionCode: "510900"}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateUnit(&unit); err != nil {
			return err
		}
		return tx.CreateChannel(&notify.Channel{UnitID: unit.ID, Kind: notify.WeCom, Target: "https://robot.example/x", Enabled: true})
	})
	if err != nil {
		b.Fatal(err)
	}
	w := &notify.Worker{Outbox: db, Senders: map[notify.Kind]notify.Sender{notify.WeCom: nopSender{}}, Batch: 50,
		Now: func() time.Time { return time.Now().UTC() }}
	b.ResetTimer()
	err = db.InTx(ctx, func(tx *store.Tx) error {
		for i := range b.N {
			if err := tx.Notify(notify.Event{Key: fmt.Sprint("bench:", i), UnitID: unit.ID, Subject: "事件"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	res, err := w.RunOnce(ctx)
	if err != nil || res.Sent != b.N {
		b.Fatalf("sent %d of %d: %v", res.Sent, b.N, err)
	}
}
