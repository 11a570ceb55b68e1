package audit_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/audit"
)

var t0 = time.Date(2024, 3, 1, 9, 30, 0, 123456789, time.UTC)

// chain builds n sealed entries as the store would.
func chain(t testing.TB, n int) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	prev := ""
	for i := 1; i <= n; i++ {
		e := audit.Source{ActorID: 7, ActorName: "张三", UnitID: 3, IP: "10.0.0.1", RequestID: "req-1"}.
			New(audit.PlanUpdated, "plan", "42", map[string]any{"title": "旧"}, map[string]any{"title": "新"})
		e.ID, e.At = int64(i), t0.Add(time.Duration(i)*time.Second)
		if err := audit.Prepare(&e); err != nil {
			t.Fatal(err)
		}
		if err := audit.Seal(&e, prev); err != nil {
			t.Fatal(err)
		}
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

func verify(entries []audit.Entry) audit.Result {
	i := 0
	res, err := audit.Verify(func() (audit.Entry, bool, error) {
		if i == len(entries) {
			return audit.Entry{}, false, nil
		}
		i++
		return entries[i-1], true, nil
	})
	if err != nil {
		panic(err)
	}
	return res
}

func TestCanonicalIsDocumentedFormat(t *testing.T) {
	e := audit.Entry{ID: 1, At: time.Date(2024, 3, 1, 17, 30, 0, 5000, time.FixedZone("CST", 8*3600)),
		ActorName: "system", Action: audit.DemoLoaded, After: json.RawMessage(`{"a":1}`), HashAlg: "sha256"}
	want := "luoshi-audit-v1\n1:1\n27:2024-03-01T09:30:00.000005Z\n1:0\n6:system\n1:0\n0:\n0:\n11:demo.loaded\n0:\n0:\n0:\n7:{\"a\":1}\n6:sha256\n"
	if got := string(audit.Canonical(e)); got != want {
		t.Fatalf("canonical:\n got %q\nwant %q", got, want)
	}
	// The first record hashes its canonical bytes alone; later ones prepend
	// the previous hash text.
	sum := sha256.Sum256([]byte(want))
	if h, _ := audit.ComputeHash("", e); h != hex.EncodeToString(sum[:]) {
		t.Fatalf("hash %s", h)
	}
	sum = sha256.Sum256([]byte("ab12" + want))
	if h, _ := audit.ComputeHash("ab12", e); h != hex.EncodeToString(sum[:]) {
		t.Fatalf("linked hash %s", h)
	}
}

func TestPrepareNormalises(t *testing.T) {
	e := audit.Entry{At: t0.In(time.FixedZone("X", 3600)), ActorName: "bad\xff\x00name" + strings.Repeat("长", 300),
		Before: json.RawMessage(" null "), After: json.RawMessage("{ \"k\" : [1, 2] }")}
	if err := audit.Prepare(&e); err != nil {
		t.Fatal(err)
	}
	if e.At.Location() != time.UTC || e.At.Nanosecond() != 123456000 {
		t.Errorf("at %v", e.At)
	}
	if !strings.HasPrefix(e.ActorName, "bad\uFFFDname") || len([]rune(e.ActorName)) != 256 {
		t.Errorf("actor name %q", e.ActorName)
	}
	if e.Before != nil || string(e.After) != `{"k":[1,2]}` || e.HashAlg != "sha256" {
		t.Errorf("before %q after %q alg %q", e.Before, e.After, e.HashAlg)
	}
	bad := audit.Entry{After: json.RawMessage("{")}
	if err := audit.Prepare(&bad); err == nil {
		t.Error("invalid JSON: want an error")
	}
	unknown := audit.Entry{HashAlg: "md5"}
	if err := audit.Prepare(&unknown); err == nil {
		t.Error("unknown algorithm: want an error")
	}
}

type fakeSM3 struct{}

func (fakeSM3) Name() string { return "test-sm3" }
func (fakeSM3) Sum(b []byte) []byte {
	s := sha256.Sum256(append([]byte("sm3"), b...))
	return s[:]
}

func TestVerify(t *testing.T) {
	audit.RegisterHasher(fakeSM3{})
	tests := []struct {
		name     string
		tamper   func([]audit.Entry) []audit.Entry
		brokenID int64
		reason   string
	}{
		{"intact", func(es []audit.Entry) []audit.Entry { return es }, 0, ""},
		{"empty", func([]audit.Entry) []audit.Entry { return nil }, 0, ""},
		{"edited after", func(es []audit.Entry) []audit.Entry {
			es[2].After = json.RawMessage(`{"title":"篡改"}`)
			return es
		}, 3, "记录已被修改"},
		{"edited time", func(es []audit.Entry) []audit.Entry {
			es[1].At = es[1].At.Add(time.Microsecond)
			return es
		}, 2, "记录已被修改"},
		{"edited and rehashed", func(es []audit.Entry) []audit.Entry {
			es[1].ActorName = "李四"
			es[1].Hash, _ = audit.ComputeHash(es[1].PrevHash, es[1])
			return es
		}, 3, "第 2 条记录的哈希不符"},
		{"deleted middle", func(es []audit.Entry) []audit.Entry {
			return append(es[:2], es[3:]...)
		}, 4, "缺少第 3 条记录"},
		{"deleted first", func(es []audit.Entry) []audit.Entry { return es[1:] }, 2, "缺少第 1 条记录"},
		{"renumbered after delete", func(es []audit.Entry) []audit.Entry {
			es = append(es[:2], es[3:]...)
			es[2].ID, es[3].ID = 3, 4
			return es
		}, 3, "记录已被修改"},
		{"swapped", func(es []audit.Entry) []audit.Entry {
			// Rows are read in id order, so a swap shows as records 2 and 3
			// exchanging everything but their ids.
			es[1], es[2] = es[2], es[1]
			es[1].ID, es[2].ID = 2, 3
			return es
		}, 2, "记录已被修改"},
		{"repeated id", func(es []audit.Entry) []audit.Entry {
			es[2].ID = 2
			return es
		}, 2, "未递增"},
		{"last hash edited", func(es []audit.Entry) []audit.Entry {
			es[4].Hash = strings.Repeat("0", 64)
			return es
		}, 5, "记录已被修改"},
		{"unknown algorithm", func(es []audit.Entry) []audit.Entry {
			es[0].HashAlg = "md5"
			return es
		}, 1, "未知的哈希算法"},
		{"mixed algorithms", func(es []audit.Entry) []audit.Entry {
			// A later switch of algorithm keeps older records verifiable.
			es[3].HashAlg = "test-sm3"
			_ = audit.Seal(&es[3], es[2].Hash)
			_ = audit.Seal(&es[4], es[3].Hash)
			return es
		}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := tt.tamper(chain(t, 5))
			res := verify(es)
			if tt.brokenID == 0 {
				if !res.OK() || res.Checked != len(es) {
					t.Fatalf("want intact, got %+v", res)
				}
				if len(es) > 0 && (res.LastHash != es[len(es)-1].Hash || res.LastID != es[len(es)-1].ID) {
					t.Fatalf("last %d %s", res.LastID, res.LastHash)
				}
				return
			}
			if res.OK() || res.BrokenID != tt.brokenID || !strings.Contains(res.Reason, tt.reason) {
				t.Fatalf("got %+v, want broken at %d with %q", res, tt.brokenID, tt.reason)
			}
			if res.Checked >= len(es) {
				t.Fatalf("checked %d of %d", res.Checked, len(es))
			}
		})
	}
}

func TestLabel(t *testing.T) {
	for _, a := range audit.Actions {
		if audit.Label(a) == a {
			t.Errorf("action %s has no label", a)
		}
	}
	if audit.Label(audit.LoginFailed) != "登录失败" || audit.Label("x.y") != "x.y" {
		t.Error("labels")
	}
}
