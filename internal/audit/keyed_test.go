package audit_test

import (
	"strings"
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/audit"
)

// keyedChain returns n records: the first plain records sealed with
// SHA-256, the rest keyed.
func keyedChain(t *testing.T, key []byte, plain, n int) []audit.Entry {
	t.Helper()
	var es []audit.Entry
	prev := ""
	for i := range n {
		e := audit.System("test").New(audit.PlanUpdated, "plan", "1", nil, map[string]int{"i": i})
		e.ID, e.At = int64(i+1), time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC)
		if err := audit.Prepare(&e); err != nil {
			t.Fatal(err)
		}
		var err error
		if i < plain {
			err = audit.Seal(&e, prev)
		} else {
			err = audit.SealKeyed(&e, prev, key)
		}
		if err != nil {
			t.Fatal(err)
		}
		prev = e.Hash
		es = append(es, e)
	}
	return es
}

func verifyKeyed(key []byte, es []audit.Entry) audit.Result {
	i := 0
	res, _ := audit.VerifyKeyed(key, func() (audit.Entry, bool, error) {
		if i == len(es) {
			return audit.Entry{}, false, nil
		}
		i++
		return es[i-1], true, nil
	})
	return res
}

func TestKeyedChain(t *testing.T) {
	key := []byte(strings.Repeat("k", 32))
	if res := verifyKeyed(key, keyedChain(t, key, 2, 5)); !res.OK() || res.Checked != 5 || res.Keyed != 3 {
		t.Fatalf("intact chain with a plain prefix: %+v", res)
	}
	for _, tc := range []struct {
		name   string
		key    []byte
		tamper func(es []audit.Entry)
		id     int64
		reason string
	}{
		{"no key", nil, func([]audit.Entry) {}, 3, "请提供审计密钥"},
		{"wrong key", []byte(strings.Repeat("x", 32)), func([]audit.Entry) {}, 3, "记录已被修改"},
		{"edited, plain hash recomputed under the keyed name", key, func(es []audit.Entry) {
			es[3].After = []byte(`{"i":9}`)
			es[3].Hash, _ = audit.ComputeHash(es[3].PrevHash, audit.Entry{})
		}, 4, "记录已被修改"},
		{"downgraded to plain after keyed records", key, func(es []audit.Entry) {
			es[4].After, es[4].HashAlg = []byte(`{"i":9}`), audit.DefaultHashAlg
			_ = audit.Seal(&es[4], es[3].Hash)
		}, 5, "未签名的记录"},
		{"every record rewritten plain", key, func(es []audit.Entry) {
			prev := ""
			for i := range es {
				es[i].HashAlg = audit.DefaultHashAlg
				_ = audit.Seal(&es[i], prev)
				prev = es[i].Hash
			}
		}, 5, "没有一条记录以密钥签名"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es := keyedChain(t, key, 2, 5)
			tc.tamper(es)
			res := verifyKeyed(tc.key, es)
			if res.OK() || res.BrokenID != tc.id || !strings.Contains(res.Reason, tc.reason) {
				t.Fatalf("got %+v, want broken at %d with %q", res, tc.id, tc.reason)
			}
		})
	}
}
