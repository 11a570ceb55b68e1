package static

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

func get(t testing.TB, target string, header http.Header) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for k, vs := range header {
		req.Header[k] = vs
	}
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, req)
	return rec.Result()
}

func TestEveryFileServedAtHashedPath(t *testing.T) {
	names := Names()
	for _, want := range []string{"css/app.css", "js/app.js", "vendor/htmx.min.js", "vendor/echarts.min.js"} {
		if !Has(want) {
			t.Errorf("Has(%q) = false; embedded: %v", want, names)
		}
	}
	hashedPath := regexp.MustCompile(`^/static/[a-z0-9/_.-]+\.[0-9a-f]{10}(\.[a-z0-9]+)?$`)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			want, err := fs.ReadFile(embedded, name)
			if err != nil {
				t.Fatal(err)
			}
			p := Path(name)
			if !hashedPath.MatchString(strings.ToLower(p)) {
				t.Fatalf("Path(%q) = %q, not a hashed /static/ path", name, p)
			}
			if !strings.Contains(p, contentHash(want)) {
				t.Errorf("Path(%q) = %q, want it to contain %s", name, p, contentHash(want))
			}
			res := get(t, p, nil)
			got, _ := io.ReadAll(res.Body)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: status %d", p, res.StatusCode)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("GET %s: body differs from embedded file (%d vs %d bytes)", p, len(got), len(want))
			}
			h := res.Header
			if cc := h.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
				t.Errorf("Cache-Control = %q", cc)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q", h.Get("X-Content-Type-Options"))
			}
			if h.Get("ETag") == "" {
				t.Error("no ETag")
			}
			if h.Get("Content-Type") == "" {
				t.Error("no Content-Type")
			}
		})
	}
}

func TestContentTypes(t *testing.T) {
	for name, want := range map[string]string{
		"css/app.css":           "text/css; charset=utf-8",
		"js/app.js":             "text/javascript; charset=utf-8",
		"vendor/htmx.min.js":    "text/javascript; charset=utf-8",
		"vendor/echarts.min.js": "text/javascript; charset=utf-8",
		"vendor/VERSIONS.md":    "text/markdown; charset=utf-8",
	} {
		res := get(t, Path(name), nil)
		if got := res.Header.Get("Content-Type"); got != want {
			t.Errorf("%s: Content-Type = %q, want %q", name, got, want)
		}
	}
}

func TestETagRevalidation(t *testing.T) {
	p := Path("css/app.css")
	etag := get(t, p, nil).Header.Get("ETag")
	res := get(t, p, http.Header{"If-None-Match": {etag}})
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match %s: status %d, want 304", etag, res.StatusCode)
	}
	if etag == get(t, Path("js/app.js"), nil).Header.Get("ETag") {
		t.Error("two different files share an ETag")
	}
}

func TestNotFound(t *testing.T) {
	for _, target := range []string{
		"/static/css/app.css",                           // unhashed name
		"/static/css/app.0000000000.css",                // wrong hash
		"/static/css/nope." + contentHash(nil) + ".css", // unknown file
		"/static/",
		"/static/../static.go",
		"/css/app.css",
		strings.TrimPrefix(Path("css/app.css"), "/static"), // not under the mount point
	} {
		res := get(t, target, nil)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", target, res.StatusCode)
		}
		if cc := res.Header.Get("Cache-Control"); strings.Contains(cc, "immutable") {
			t.Errorf("GET %s: 404 cached as immutable (%q)", target, cc)
		}
	}
	if Path("css/nope.css") != "" || Has("css/nope.css") {
		t.Error("unknown name: want Path \"\" and Has false")
	}
}

func TestMethodNotAllowed(t *testing.T) {
	req := httptest.NewRequest(http.MethodPost, Path("css/app.css"), nil)
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", rec.Code)
	}
	req = httptest.NewRequest(http.MethodHead, Path("css/app.css"), nil)
	rec = httptest.NewRecorder()
	Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD: status %d, %d body bytes", rec.Code, rec.Body.Len())
	}
}

func TestContentHash(t *testing.T) {
	a := contentHash([]byte("body { color: red }"))
	b := contentHash([]byte("body { color: blue }"))
	if a == b {
		t.Errorf("different content, same hash %s", a)
	}
	if len(a) != 10 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Errorf("hash %q: want 10 lower-case hex digits", a)
	}
	if a != contentHash([]byte("body { color: red }")) {
		t.Error("hash not deterministic")
	}
	// Known value: SHA-256("") starts e3b0c44298fc1c14….
	if got := contentHash(nil); got != "e3b0c44298" {
		t.Errorf("contentHash(nil) = %s, want e3b0c44298", got)
	}
}

func TestHashedName(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"css/app.css", "css/app.h.css"},
		{"vendor/htmx.min.js", "vendor/htmx.min.h.js"},
		{"vendor/LICENSE", "vendor/LICENSE.h"},
		{"img/.hidden", "img/.hidden.h"},
	} {
		if got := hashedName(tc.name, "h"); got != tc.want {
			t.Errorf("hashedName(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// A changed file gets a new URL, and the old URL stops being served.
func TestIndexChangedContent(t *testing.T) {
	v1 := fstest.MapFS{"css/app.css": {Data: []byte("a{}")}}
	v2 := fstest.MapFS{"css/app.css": {Data: []byte("a{color:red}")}}
	n1, _, err := index(v1)
	if err != nil {
		t.Fatal(err)
	}
	n2, h2, err := index(v2)
	if err != nil {
		t.Fatal(err)
	}
	old, cur := n1["css/app.css"].hashed, n2["css/app.css"].hashed
	if old == cur {
		t.Fatalf("changed content kept the name %s", old)
	}
	if _, ok := h2[old]; ok {
		t.Errorf("old name %s still indexed after the change", old)
	}
}

// The vendored files are exactly the ones VERSIONS.md describes.
func TestVendorVersions(t *testing.T) {
	doc, err := fs.ReadFile(embedded, "vendor/VERSIONS.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^\|\s*([^|]+?)\s*\|\s*(\d+\.\d+\.\d+)\s*\|\s*(\S+)\s*\|\s*([0-9a-f]{64})\s*\|\s*([^|]+?)\s*\|\s*$`)
	rows := row.FindAllStringSubmatch(string(doc), -1)
	listed := map[string]bool{}
	for _, m := range rows {
		pkg, version, file, sum, licence := m[1], m[2], m[3], m[4], m[5]
		t.Run(pkg, func(t *testing.T) {
			data, err := fs.ReadFile(embedded, "vendor/"+file)
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			got := sha256.Sum256(data)
			if hex.EncodeToString(got[:]) != sum {
				t.Errorf("%s: sha256 %x, VERSIONS.md says %s", file, got, sum)
			}
			// Both minified builds carry their version as a string literal.
			if !bytes.Contains(data, []byte(`"`+version+`"`)) {
				t.Errorf("%s does not contain version %q", file, version)
			}
			if licence == "" {
				t.Error("no licence listed")
			}
		})
		listed[file] = true
	}
	for _, want := range []string{"htmx.min.js", "echarts.min.js"} {
		if !listed[want] {
			t.Errorf("VERSIONS.md has no row for %s", want)
		}
	}
	// Every vendored script is listed, and its licence text is vendored too.
	for _, name := range Names() {
		file, ok := strings.CutPrefix(name, "vendor/")
		if ok && strings.HasSuffix(file, ".js") && !listed[file] {
			t.Errorf("%s is vendored but not listed in VERSIONS.md", name)
		}
	}
	for _, lic := range []string{"vendor/htmx.LICENSE.txt", "vendor/echarts.LICENSE.txt", "vendor/echarts.NOTICE.txt"} {
		if !Has(lic) {
			t.Errorf("missing %s", lic)
		}
	}
}

// The stylesheet must not reach outside the server (CSP, offline intranets).
func TestCSSSelfContained(t *testing.T) {
	css, err := fs.ReadFile(embedded, "css/app.css")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"@import", "url(", "http://", "https://", "@font-face"} {
		if bytes.Contains(css, []byte(bad)) {
			t.Errorf("app.css contains %q", bad)
		}
	}
	for _, class := range []string{
		"body.app", ".app-nav", ".nav-brand", ".nav-group", ".nav-group-title", "a.nav-link", "a.nav-link.active",
		".app-header", ".header-title", ".header-plan", ".plan-select", ".header-user", ".lang-switch", ".app-main",
		"nav.breadcrumbs", ".page-title", ".page-subtitle", ".card", ".card-title", ".card-body",
		".grid-2", ".grid-3", ".grid-4", ".stat", ".stat-value", ".stat-label", ".stat-note",
		"table.data", "td.num", "tr.done", ".badge", ".badge-done", ".badge-open", ".badge-warn", ".badge-danger", ".badge-info",
		".flash", ".flash-success", ".flash-error", "form.form", ".field", ".field label", ".field-error", ".field.has-error",
		".btn", ".btn-primary", ".btn-secondary", ".btn-danger", ".btn-small", ".toolbar", ".muted",
		".source-sentence", "mark.hl", ".target-list", ".measure-list", "li.done", ".login-page", ".login-card",
		".empty", ".print-only", ".no-print", ".section-block", ".tag", ".pagination", "footer.app-footer",
		"@media print", "@page",
	} {
		if !bytes.Contains(css, []byte(class)) {
			t.Errorf("app.css has no rule for %s", class)
		}
	}
}
