package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/store"
)

func TestPages(t *testing.T) {
	e := newServer(t)
	staff := e.login(t, "staff")
	for _, c := range []struct {
		path  string
		want  []string
		count map[string]int
	}{
		{"/plans", []string{"2023年全市科技创新工作要点", "遂宁市科学技术局", "执行中"}, nil},
		{e.planURL(""), []string{"2023年全市科技创新工作要点", "2023-02-28", "主要目标",
			`<mark class="hl">15.3亿元</mark>`, "技术合同认定登记额突破", "全域协同创新"},
			map[string]int{`<tr class="target">`: 5}},
		{e.planURL("/sections"), []string{"一、加速区域创新融入,增强协同创新凝合力", "六、全面加强党的建设", "认真落实全面从严治党"},
			map[string]int{`class="card section-block"`: 6, `<tr class="item"`: 17}},
		{e.planURL("/key-items"), []string{"争创国家创新型城市", "2022年12月已完成,顺利通过答辩", "已完成 2/3 项举措"},
			map[string]int{`class="card key-item"`: 10, `class="measure done"`: 2, `class="measure"`: 28}},
		{"/units", []string{"射洪市", "510981", "遂宁高新区", "科室"}, map[string]int{`<tr class="unit`: 15}},
	} {
		t.Run(c.path, func(t *testing.T) {
			resp, body := staff.get(c.path)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("content type %q", ct)
			}
			if !strings.Contains(body, `<html lang="zh-CN">`) {
				t.Error("page is not zh-CN by default")
			}
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for s, n := range c.count {
				if got := strings.Count(body, s); got != n {
					t.Errorf("%q appears %d times, want %d", s, got, n)
				}
			}
		})
	}
	// The home page goes to the newest plan.
	resp, _ := staff.get("/")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != e.planURL("") {
		t.Fatalf("home: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestSignedOutGoesToLogin(t *testing.T) {
	e := newServer(t)
	c := e.anon(t)
	resp, _ := c.get(e.planURL("/sections"))
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Fatalf("signed out: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body := c.get("/login")
	if resp.StatusCode != 200 || !strings.Contains(body, `name="password"`) || strings.Contains(body, "2023年全市") {
		t.Fatalf("login page: %d", resp.StatusCode)
	}
}

func TestNotFound(t *testing.T) {
	e := newServer(t)
	staff := e.login(t, "staff")
	for _, path := range []string{"/plans/999999", "/plans/abc", "/plans/-1/sections", "/tasks/999999", "/no/such/page"} {
		resp, body := staff.get(path)
		if resp.StatusCode != 404 {
			t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
		}
		if !strings.Contains(body, "您要找的内容不存在") {
			t.Errorf("%s: no Chinese not-found message", path)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newServer(t)
	resp, body := e.login(t, "staff").get("/plans")
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline script: %q", csp)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") != "same-origin" ||
		resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("headers %v", resp.Header)
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Error("no request ID")
	}
	// No inline script anywhere: every <script> has a src.
	for _, part := range strings.Split(body, "<script")[1:] {
		if !strings.HasPrefix(strings.TrimSpace(part), "src=") {
			t.Errorf("inline script: <script%.60s", part)
		}
	}
}

func TestStaticAssetsLinked(t *testing.T) {
	e := newServer(t)
	c := e.anon(t)
	_, body := c.get("/login")
	for _, marker := range []string{`href="/static/css/app.`, `src="/static/vendor/htmx.min.`, `src="/static/js/app.`} {
		i := strings.Index(body, marker)
		if i < 0 {
			t.Fatalf("page lacks %s", marker)
		}
		rest := body[i+strings.Index(body[i:], `"`)+1:]
		u := rest[:strings.Index(rest, `"`)]
		if resp, _ := c.get(u); resp.StatusCode != 200 {
			t.Errorf("%s: %d", u, resp.StatusCode)
		}
	}
}

func TestLanguageSwitch(t *testing.T) {
	e := newServer(t)
	c := e.login(t, "staff")
	resp, _ := c.get("/lang/en?back=" + e.planURL(""))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != e.planURL("") {
		t.Fatalf("switch: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body := c.get(e.planURL(""))
	if !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "Headline targets") {
		t.Error("English page not shown after switch")
	}
	// Only local paths: no open redirect.
	for _, back := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example"} {
		resp, _ := c.get("/lang/zh-CN?back=" + back)
		if loc := resp.Header.Get("Location"); loc != "/" {
			t.Errorf("back=%s redirected to %q", back, loc)
		}
	}
}

func TestHealthz(t *testing.T) {
	e := newServer(t)
	c := e.anon(t)
	resp, body := c.get("/healthz")
	if resp.StatusCode != 200 || !strings.Contains(body, `"status":"ok"`) {
		t.Fatalf("healthz: %d %q", resp.StatusCode, body)
	}
	e.db.Close()
	resp, _ = c.get("/healthz")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("healthz with the database closed: %d, want 503", resp.StatusCode)
	}
}

// apiGet calls the API with a bearer token.
func apiGet(t testing.TB, e *env, token, path string) (*http.Response, string) {
	t.Helper()
	c := e.anon(t)
	req, _ := http.NewRequest("GET", e.ts.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return c.do(req)
}

func apiLogin(t testing.TB, e *env, username, password string) (*http.Response, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/login", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	return e.anon(t).do(req)
}

func apiToken(t testing.TB, e *env, username string) string {
	t.Helper()
	resp, body := apiLogin(t, e, username, e.password(t, username))
	var out struct{ Token string }
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &out) != nil || out.Token == "" {
		t.Fatalf("api login %s: %d %s", username, resp.StatusCode, body)
	}
	return out.Token
}

func TestAPIPlans(t *testing.T) {
	e := newServer(t)
	if resp, _ := apiGet(t, e, "", "/api/v1/plans"); resp.StatusCode != 401 {
		t.Fatalf("no token: %d, want 401", resp.StatusCode)
	}
	if resp, _ := apiLogin(t, e, "staff", "wrong-Password-1"); resp.StatusCode != 401 {
		t.Fatalf("bad password: %d, want 401", resp.StatusCode)
	}
	token := apiToken(t, e, "staff")
	resp, body := apiGet(t, e, token, "/api/v1/plans")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("list: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var list struct {
		Plans []store.PlanSummary `json:"plans"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil || len(list.Plans) != 1 || list.Plans[0].ID != e.demo.PlanID {
		t.Fatalf("list: %s %v", body, err)
	}

	resp, body = apiGet(t, e, token, "/api/v1"+e.planURL(""))
	if resp.StatusCode != 200 {
		t.Fatalf("plan: %d", resp.StatusCode)
	}
	var p plan.Plan
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	items := 0
	for _, s := range p.Sections {
		items += len(s.Items)
		if s.ID == 0 {
			t.Error("section without id")
		}
	}
	if p.ID != e.demo.PlanID || p.Title != "2023年全市科技创新工作要点" || p.Issuer != "遂宁市科学技术局" ||
		p.IssuedOn != "2023-02-28" || p.Year != 2023 || len(p.Sections) != 6 || items != 17 || len(p.KeyItems) != 10 {
		t.Fatalf("plan shape: id %d %q %q %q %d sections %d items %d key %d", p.ID, p.Title, p.Issuer, p.IssuedOn, p.Year, len(p.Sections), items, len(p.KeyItems))
	}
	want := map[string]float64{"国家高新技术企业": 185, "入库备案国家科技型中小企业": 520, "全社会研发投入": 1530000000,
		"技术合同认定登记额": 1200000000, "高新技术产业营业收入": 65000000000}
	if len(p.Targets) != 5 {
		t.Fatalf("%d headline targets, want 5: %+v", len(p.Targets), p.Targets)
	}
	for _, tg := range p.Targets {
		if v, ok := want[tg.Name]; !ok || v != tg.Value || tg.ID == 0 {
			t.Errorf("target %+v", tg)
		}
	}
	for _, key := range []string{`"issued_on"`, `"key_items"`, `"measures"`, `"done_note"`, `"comparator"`, `"source"`} {
		if !strings.Contains(body, key) {
			t.Errorf("JSON lacks %s", key)
		}
	}

	for _, path := range []string{"/api/v1/plans/999999", "/api/v1/plans/x", "/api/v1/tasks/999999", "/api/v1/nothing"} {
		resp, body := apiGet(t, e, token, path)
		var er struct{ Code, Message string }
		if resp.StatusCode != 404 || json.Unmarshal([]byte(body), &er) != nil || er.Code != "not_found" {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
	resp, body = apiGet(t, e, "", "/api/v1/openapi.yaml")
	if resp.StatusCode != 200 || !strings.Contains(body, "/plans/{id}") {
		t.Errorf("openapi: %d", resp.StatusCode)
	}
}
