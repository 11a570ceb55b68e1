// Package static holds the web UI's stylesheets, scripts and vendored
// libraries (htmx, Apache ECharts), embedded in the binary and served under
// content-hashed names so that browsers may cache them forever.
//
// Templates link a file through Path, which returns its hashed URL:
//
//	<link rel="stylesheet" href="{{static "css/app.css"}}">
//	→ <link rel="stylesheet" href="/static/css/app.3f2a1b9c0d.css">
//
// and the server mounts Handler at Prefix:
//
//	mux.Handle("GET /static/", static.Handler())
//
// A changed file gets a new name, so a deploy never serves stale CSS or JS,
// and the unhashed name is not served at all (it would be cached forever
// under a name that does not change with its content).
package static

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"
)

// Prefix is the URL path under which Handler serves the files.
const Prefix = "/static/"

// hashLen is the number of hex digits of the SHA-256 put in a file name:
// 40 bits, plenty to tell two versions of one file apart.
const hashLen = 10

//go:embed css js vendor
var embedded embed.FS

// file is one embedded file with its precomputed names and headers.
type file struct {
	name        string // "css/app.css"
	hashed      string // "css/app.3f2a1b9c0d.css"
	data        []byte
	etag        string // strong validator from the full digest, quoted
	contentType string
}

var (
	byName   map[string]*file // logical name → file
	byHashed map[string]*file // hashed name → file
)

func init() {
	var err error
	byName, byHashed, err = index(embedded)
	if err != nil {
		// The embedded tree is fixed at build time, so this is a build
		// defect, not a runtime condition.
		panic("static: " + err.Error())
	}
}

// index reads every regular file of fsys and computes its hashed name.
func index(fsys fs.FS) (names, hashed map[string]*file, err error) {
	names = make(map[string]*file)
	hashed = make(map[string]*file)
	err = fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		f := &file{
			name:        name,
			hashed:      hashedName(name, contentHash(data)),
			data:        data,
			etag:        `"` + hex.EncodeToString(sum[:16]) + `"`,
			contentType: contentType(name),
		}
		if prev, ok := hashed[f.hashed]; ok {
			return fmt.Errorf("%s and %s both hash to %s", prev.name, name, f.hashed)
		}
		names[name] = f
		hashed[f.hashed] = f
		return nil
	})
	return names, hashed, err
}

// contentHash returns the first hashLen hex digits of the SHA-256 of data.
func contentHash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])[:hashLen]
}

// hashedName puts hash before the last extension of name:
// "css/app.css" → "css/app.<hash>.css", "vendor/htmx.min.js" →
// "vendor/htmx.min.<hash>.js", "LICENSE" → "LICENSE.<hash>".
func hashedName(name, hash string) string {
	ext := path.Ext(name)
	if ext == "" || ext == path.Base(name) { // no extension, or a dot file
		return name + "." + hash
	}
	return strings.TrimSuffix(name, ext) + "." + hash + ext
}

// contentType gives the Content-Type for a file name. The common web types
// are fixed here rather than taken from the host's MIME tables, which vary
// (some systems map .js to application/javascript without a charset).
func contentType(name string) string {
	switch ext := strings.ToLower(path.Ext(name)); ext {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".json", ".map":
		return "application/json"
	case ".txt", "":
		return "text/plain; charset=utf-8"
	case ".md":
		return "text/markdown; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".ico":
		return "image/x-icon"
	case ".woff2":
		return "font/woff2"
	default:
		if t := mime.TypeByExtension(ext); t != "" {
			return t
		}
		return "application/octet-stream"
	}
}

// Path returns the URL of the embedded file name (relative to the static
// folder, e.g. "css/app.css"), with its content hash in the file name:
// "/static/css/app.3f2a1b9c0d.css". It returns "" for an unknown name; the
// template check at start-up turns that into an error.
func Path(name string) string {
	f, ok := byName[name]
	if !ok {
		return ""
	}
	return Prefix + f.hashed
}

// Has reports whether name (e.g. "js/app.js") is an embedded file.
func Has(name string) bool {
	_, ok := byName[name]
	return ok
}

// Names lists the embedded files' logical names, sorted.
func Names() []string {
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Handler serves the embedded files at their hashed URLs under Prefix. It
// expects the full request path (mount it at Prefix without StripPrefix).
// Unknown and unhashed names are 404; responses carry a long immutable
// Cache-Control, a fixed Content-Type, nosniff and a strong ETag.
func Handler() http.Handler {
	return http.HandlerFunc(serve)
}

func serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, Prefix)
	f := byHashed[rest]
	if !ok || f == nil {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", f.etag)
	// ServeContent answers If-None-Match (304), Range and HEAD. The zero
	// modification time leaves Last-Modified out: the ETag is the validator.
	http.ServeContent(w, r, f.name, time.Time{}, bytes.NewReader(f.data))
}
