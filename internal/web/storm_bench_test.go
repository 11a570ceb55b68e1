package web_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/web"
)

// BenchmarkSignInStorm: 64 sign-ins at once from 64 addresses, with the
// production argon2id cost (64 MiB, 2 passes) and the default hashing
// budget (256 MiB: 4 at a time, then up to 2 s in the queue, then 503 with
// Retry-After, which the clients obey). It reports the process's peak RSS
// during the storm (VmHWM, reset before it) and a signed-in user's plan
// page latency (median and 90th percentile) before and during the storm
// (issue 7):
//
//	go test -run '^$' -bench SignInStorm -benchtime 1x ./internal/web
func BenchmarkSignInStorm(b *testing.B) {
	const storm = 64
	e := newServer(b)
	saved := auth.DefaultHashParams
	auth.DefaultHashParams = auth.HashParams{Memory: 64 * 1024, Time: 2, Threads: 2}
	defer func() { auth.DefaultHashParams = saved }()
	// As serve does.
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(auth.MemoryLimit(auth.DefaultHashMemoryMiB)))
	srv, err := web.New(web.Config{DB: e.db, TrustProxy: true})
	if err != nil {
		b.Fatal(err)
	}
	e.ts.Config.Handler = srv
	reader := e.login(b, "staff")

	// 64 accounts with a production-cost hash (one hash, shared).
	ctx := context.Background()
	hash, err := auth.HashPassword("Storm-Pass-2026")
	if err != nil {
		b.Fatal(err)
	}
	unit, err := e.db.UnitByCode(ctx, "sn-kjj")
	if err != nil {
		b.Fatal(err)
	}
	err = e.db.InTx(ctx, func(tx *store.Tx) error {
		for i := range storm {
			u := auth.User{Username: "storm" + strconv.Itoa(i), Role: auth.Leader, UnitID: unit.ID}
			if err := tx.CreateUser(&u, hash); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	page := e.planURL("")
	read := func() time.Duration {
		start := time.Now()
		if resp, _ := reader.get(page); resp.StatusCode != 200 {
			b.Fatalf("read: %d", resp.StatusCode)
		}
		return time.Since(start)
	}
	// The CSRF cookie and token of the sign-in form, shared by the storm.
	anon := e.anon(b)
	anon.get("/login")
	u, _ := url.Parse(e.ts.URL)
	var cookie string
	for _, ck := range anon.c.Jar.Cookies(u) {
		cookie = ck.Name + "=" + ck.Value
	}

	for b.Loop() {
		var idle []time.Duration
		for range 100 {
			idle = append(idle, read())
		}
		resetPeakRSS()
		var busy, signedIn int
		var mu sync.Mutex
		var wg sync.WaitGroup
		done := make(chan struct{})
		start := time.Now()
		for i := range storm {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					form := url.Values{"username": {"storm" + strconv.Itoa(i)}, "password": {"Storm-Pass-2026"},
						"csrf_token": {anon.csrf}}
					req, _ := http.NewRequest("POST", e.ts.URL+"/login", strings.NewReader(form.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.Header.Set("Cookie", cookie)
					req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.64.%d.%d", i/250, i%250+1))
					resp, err := http.DefaultTransport.RoundTrip(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					mu.Lock()
					switch resp.StatusCode {
					case http.StatusSeeOther:
						signedIn++
					case http.StatusServiceUnavailable:
						busy++
					default:
						b.Errorf("storm sign-in: %d", resp.StatusCode)
					}
					mu.Unlock()
					if resp.StatusCode != http.StatusServiceUnavailable {
						return
					}
					secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
					time.Sleep(time.Duration(secs) * time.Second)
				}
			}()
		}
		go func() { wg.Wait(); close(done) }()
		var during []time.Duration
	loop:
		for {
			select {
			case <-done:
				break loop
			default:
				during = append(during, read())
			}
		}
		stormTime := time.Since(start)
		if signedIn != storm {
			b.Fatalf("%d of %d signed in", signedIn, storm)
		}
		p50i, p90i := percentiles(idle)
		p50s, p90s := percentiles(during)
		b.ReportMetric(float64(peakRSS())/(1<<20), "peak-RSS-MiB")
		b.ReportMetric(stormTime.Seconds(), "storm-s")
		b.ReportMetric(float64(busy), "503s")
		b.ReportMetric(ms(p50i), "read-p50-idle-ms")
		b.ReportMetric(ms(p90i), "read-p90-idle-ms")
		b.ReportMetric(ms(p50s), "read-p50-storm-ms")
		b.ReportMetric(ms(p90s), "read-p90-storm-ms")
		b.ReportMetric(float64(len(during)), "reads-in-storm")
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func percentiles(ds []time.Duration) (p50, p90 time.Duration) {
	if len(ds) == 0 {
		return 0, 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2], s[len(s)*9/10]
}

// resetPeakRSS resets the kernel's peak resident set size of this process
// (Linux: writing 5 to clear_refs); elsewhere the peak is since start.
func resetPeakRSS() {
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSS returns VmHWM, the peak resident set size, in bytes.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
