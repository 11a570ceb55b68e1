package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/auth"
)

// TestHashLimiter: a slot is granted while one is free; with all slots
// taken a caller waits and then gets the busy error; a waiter gets a slot
// that is freed; a cancelled caller stops waiting.
func TestHashLimiter(t *testing.T) {
	ctx := context.Background()
	l := auth.NewHashLimiter(2, 10*time.Millisecond)
	r1, err1 := l.Acquire(ctx)
	r2, err2 := l.Acquire(ctx)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	_, err := l.Acquire(ctx)
	if e := apperr.As(err); e == nil || e.Code != apperr.Busy || e.Message != "系统繁忙，请稍后再试" {
		t.Fatalf("third acquire of two slots: %v", err)
	}
	r1()
	r3, err := l.Acquire(ctx)
	if err != nil {
		t.Fatalf("acquire after a release: %v", err)
	}
	r2()
	r3()

	// A waiter with a long wait gets the slot once it is freed.
	patient := auth.NewHashLimiter(1, time.Hour)
	hold, _ := patient.Acquire(ctx)
	got := make(chan error)
	go func() {
		r, err := patient.Acquire(ctx)
		if err == nil {
			r()
		}
		got <- err
	}()
	hold()
	if err := <-got; err != nil {
		t.Fatalf("waiter: %v", err)
	}
	// A cancelled caller stops waiting.
	hold, _ = patient.Acquire(ctx)
	defer hold()
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := patient.Acquire(cctx); err == nil {
		t.Fatal("cancelled acquire got a slot")
	}
}

func TestHashSlots(t *testing.T) {
	saved := auth.DefaultHashParams
	defer func() { auth.DefaultHashParams = saved }()
	auth.DefaultHashParams = auth.HashParams{Memory: 64 * 1024, Time: 2, Threads: 2}
	for mem, want := range map[int]int{256: 4, 512: 8, 100: 1, 10: 1} {
		if got := auth.HashSlots(mem); got != want {
			t.Errorf("HashSlots(%d MiB) = %d, want %d", mem, got, want)
		}
	}
}
