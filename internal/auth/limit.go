package auth

import (
	"context"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
)

// Each argon2id computation holds its whole memory cost (64 MiB by default)
// while it runs, so unbounded parallel sign-ins took the server to gigabytes
// (issue 7). A HashLimiter lets a fixed number run at once; the others wait
// briefly and are then told the system is busy.

// Defaults for the limiter: hashing stays within 256 MiB (4 × 64 MiB), and
// a request waits at most 2 s for a slot.
const (
	DefaultHashMemoryMiB = 256
	DefaultHashWait      = 2 * time.Second
	// BusyRetryAfter is the Retry-After, in seconds, of a busy answer.
	BusyRetryAfter = 2
)

// MsgBusy is the message of a request refused because hashing is at its
// limit.
const MsgBusy = "系统繁忙，请稍后再试"

// HashLimiter bounds concurrent password hashing.
type HashLimiter struct {
	slots chan struct{}
	wait  time.Duration
}

// NewHashLimiter lets slots hashes run at once (at least 1); a caller waits
// up to wait for a slot.
func NewHashLimiter(slots int, wait time.Duration) *HashLimiter {
	return &HashLimiter{slots: make(chan struct{}, max(1, slots)), wait: wait}
}

// HashSlots returns how many hashes at DefaultHashParams fit in memMiB
// mebibytes, at least 1.
func HashSlots(memMiB int) int {
	per := max(1, int(DefaultHashParams.Memory/1024))
	return max(1, memMiB/per)
}

// Slots returns the number of hashes that may run at once.
func (l *HashLimiter) Slots() int { return cap(l.slots) }

// Acquire waits for a slot and returns the function that frees it. When no
// slot frees up in time it returns a Busy error (503 with Retry-After).
func (l *HashLimiter) Acquire(ctx context.Context) (release func(), err error) {
	select {
	case l.slots <- struct{}{}:
		return l.release, nil
	default:
	}
	t := time.NewTimer(l.wait)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		return l.release, nil
	case <-t.C:
		return nil, Busy()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (l *HashLimiter) release() { <-l.slots }

// Busy is the error of a request refused for lack of capacity.
func Busy() error {
	return &apperr.Error{Code: apperr.Busy, Key: "err.busy", Message: MsgBusy}
}

// MemoryLimit is the Go runtime's soft memory limit (bytes) for a server
// whose hashing may use hashMiB: the hashes plus 128 MiB for everything
// else. A checked hash's 64 MiB is garbage at once, but the collector, left
// to GOGC alone, lets the heap grow to twice what was live (4 hashes live:
// past 512 MiB); the limit makes it collect, and return memory, sooner.
func MemoryLimit(hashMiB int) int64 { return int64(hashMiB+128) << 20 }
