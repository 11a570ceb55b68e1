package testenv

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// BrowserTimeout bounds everything that one test does with the browser of
// Browser, start included.
const BrowserTimeout = 60 * time.Second

// ArtifactsEnv names the environment variable of a folder where Screenshot
// writes its files so that they outlive the test run (CI can keep them).
const ArtifactsEnv = "LUOSHI_TEST_ARTIFACTS"

// Browser starts a headless Debian Chromium for this test and returns its
// chromedp context; the browser stops when the test ends, or after
// BrowserTimeout. Without Chromium the test is skipped, or fails in CI.
//
// The browser runs with a fresh profile in t.TempDir(), a 1366x900 viewport
// (in the first tab; a tab the test opens itself has a somewhat smaller one),
// and without the sandbox, which does not start as root (CI runs as root).
// Background networking, component updates, sync and QUIC are off: the
// machines have no network but loopback, and Chromium's calls home would
// otherwise fail at every start. Chromium's own output is logged when the
// test fails.
func Browser(t testing.TB) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		skipOrFail(t, "chromium not found (apt-get install chromium fonts-noto-cjk)")
	}

	// TempDir first: cleanups run last-in first-out, so the browser has
	// stopped before its profile folder is removed.
	profile := t.TempDir()
	out := new(syncBuffer)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1366, 900),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.NoFirstRun,
		chromedp.CombinedOutput(out),
	)

	timeoutCtx, cancelTimeout := context.WithTimeout(context.Background(), BrowserTimeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(timeoutCtx, opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc() // waits for the browser process to exit
		cancelTimeout()
		if t.Failed() && out.Len() > 0 {
			t.Logf("chromium output:\n%s", out.String())
		}
	})

	// Start the browser now, so a broken install fails here with its output
	// and not in the middle of the test's first action. The window size alone
	// leaves a viewport of about 1366x757 in the new headless mode, which
	// takes room for window decorations; the override makes it 1366x900.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 900)); err != nil {
		t.Fatalf("testenv: start %s: %v\n%s", path, err, out.String())
	}
	return ctx
}

// chromiumPath returns Debian's Chromium, or "" when it is missing.
func chromiumPath() string {
	if fi, err := os.Stat("/usr/bin/chromium"); err == nil && !fi.IsDir() {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// Screenshot writes a PNG of the whole page of ctx (a context from Browser)
// and returns its path. The file goes to $LUOSHI_TEST_ARTIFACTS when that is
// set, named after the test, and to t.TempDir() otherwise.
func Screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100 means PNG
	if err != nil {
		t.Fatalf("testenv: screenshot %s: %v", name, err)
	}
	dir := os.Getenv(ArtifactsEnv)
	file := fileName(name) + ".png"
	if dir == "" {
		dir = t.TempDir()
	} else {
		// Tests of several packages share the folder.
		file = fileName(t.Name()) + "__" + file
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatalf("testenv: screenshot %s: %v", name, err)
		}
	}
	path := filepath.Join(dir, file)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("testenv: screenshot %s: %v", name, err)
	}
	return path
}

// fileName makes s safe as one file name.
func fileName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
}

// syncBuffer is a bytes.Buffer that the browser's output goroutine and the
// test may use at the same time.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
