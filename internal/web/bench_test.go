package web_test

import (
	"testing"
)

// BenchmarkPages measures a signed-in staff member's requests on the demo
// (SQLite), session check and rendering included:
// go test -run '^$' -bench Pages -benchmem ./internal/web
func BenchmarkPages(b *testing.B) {
	e := newServer(b)
	c := e.login(b, "staff")
	for _, path := range []string{e.planURL(""), e.planURL("/sections"), e.planURL("/key-items")} {
		b.Run(path, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if resp, _ := c.get(path); resp.StatusCode != 200 {
					b.Fatalf("%s: %d", path, resp.StatusCode)
				}
			}
		})
	}
	token := apiToken(b, e, "staff")
	b.Run("api plan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if resp, _ := apiGet(b, e, token, "/api/v1"+e.planURL("")); resp.StatusCode != 200 {
				b.Fatal(resp.StatusCode)
			}
		}
	})
}
