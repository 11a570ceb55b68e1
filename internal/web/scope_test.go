package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/luoshi/luoshi/internal/api"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/notify"
	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/report"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/supervision"
	"github.com/luoshi/luoshi/internal/testenv"
)

// foreign holds rows that belong to another unit (蓬溪县) and to other
// users, which the 射洪市 reporter must never reach.
type foreign struct {
	planID, taskID, keyItemID int64
	userID, unitID, tokenID   int64
	reportID, suggestionID    int64
	indicatorID               int64
	sessionID                 string
	marker                    string           // a title only the foreign plan has
	registry                  map[string]int64 // a record of each registry (registry_test.go)
	noticeID, inboxID         int64            // a notice to 蓬溪县; a message to the leader
	channelID                 int64
}

func setupForeign(t testing.TB, e *env) foreign {
	t.Helper()
	ctx := context.Background()
	pengxi, err := e.db.UnitByCode(ctx, "510921")
	if err != nil {
		t.Fatal(err)
	}
	f := foreign{unitID: pengxi.ID, marker: "蓬溪县专属任务甲"}
	p := &plan.Plan{Title: "2024年蓬溪县科技工作要点", Year: 2024, Status: "active",
		Sections: []plan.Section{{No: 1, Title: "一", Items: []plan.Task{{No: 1, Title: f.marker, Text: "蓬溪县专属任务甲。", Units: []string{"蓬溪县"}}}}},
		KeyItems: []plan.Task{{No: 1, Title: "蓬溪县重点事项乙", Measures: []plan.Measure{{No: 1, Text: "举措"}}}},
	}
	err = e.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreatePlan(p); err != nil {
			return err
		}
		if err := tx.Assign(p.Sections[0].Items[0].ID, pengxi.ID, "lead"); err != nil {
			return err
		}
		if err := tx.Assign(p.KeyItems[0].ID, pengxi.ID, "lead"); err != nil {
			return err
		}
		// A report of 蓬溪县 (issue 8).
		f.reportID, _, err = tx.SaveDraft(p.ID, report.Draft{TaskID: p.Sections[0].Items[0].ID, UnitID: pengxi.ID, Period: "2024-01",
			Progress: f.marker + "的进展", State: report.InProgress}, false)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	f.planID, f.taskID, f.keyItemID = p.ID, p.Sections[0].Items[0].ID, p.KeyItems[0].ID
	as, err := e.db.Assignments(ctx, auth.Everything, store.AssignmentFilter{PlanID: p.ID})
	if err != nil || len(as[0].Suggestions) != 1 {
		t.Fatalf("foreign suggestion: %v", err)
	}
	f.suggestionID = as[0].Suggestions[0].ID
	// A task of the demo plan assigned only to 蓬溪县, too.
	demoPlan, err := e.db.Plan(ctx, auth.Everything, e.demo.PlanID)
	if err != nil {
		t.Fatal(err)
	}
	lonely := demoPlan.Sections[4].Items[0] // 5. 梯度培育科技企业: no unit named
	if err := e.db.InTx(ctx, func(tx *store.Tx) error { return tx.Assign(lonely.ID, pengxi.ID, "lead") }); err != nil {
		t.Fatal(err)
	}
	f.taskID = lonely.ID
	f.indicatorID = demoPlan.Targets[0].ID
	f.registry = setupForeignRegistry(t, e, pengxi.ID, f.marker)

	// Another user's session and token.
	leader := e.login(t, "leader")
	_, body := leader.post("/account/tokens", url.Values{"name": {"领导脚本"}})
	if !strings.Contains(body, "lsp_") {
		t.Fatal("no token for the leader")
	}
	f.userID = e.userID(t, "leader")
	toks, _ := e.db.APITokens(ctx, f.userID)
	f.tokenID = toks[0].ID
	sessions, _ := e.db.ActiveSessions(ctx, f.userID, e.db.Now(), 1<<40)
	f.sessionID = sessions[0].ID

	// A supervision notice to 蓬溪县 (its subject names the foreign task),
	// with a reply and evidence, and a notification channel of 蓬溪县.
	staff := &auth.Actor{User: e.user(t, "staff"), Scope: auth.Everything}
	sup := &supervision.Service{DB: e.db}
	n, err := sup.Issue(ctx, staff, audit.System("t"), supervision.Issue{UnitID: pengxi.ID, TaskID: f.taskID,
		Subject: f.marker + "督办", ReplyDue: e.db.Now().AddDate(0, 0, 5).Format("2006-01-02")})
	if err != nil {
		t.Fatal(err)
	}
	f.noticeID = n.ID
	ch := notify.Channel{UnitID: pengxi.ID, Kind: notify.WeCom, Target: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x", Enabled: true}
	if err := e.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateChannel(&ch); err != nil {
			return err
		}
		return tx.Notify(notify.Event{Key: "scope-test", UserIDs: []int64{f.userID}, Subject: f.marker + "消息"})
	}); err != nil {
		t.Fatal(err)
	}
	f.channelID = ch.ID
	msgs, _ := e.db.Inbox(ctx, f.userID, 1)
	f.inboxID = msgs[0].ID
	return f
}

var paramRE = regexp.MustCompile(`\{(\w+)(\.\.\.)?\}`)

// fill puts the foreign row's id into a route pattern's path. A route with a
// parameter the walk does not know fails the test: a new route must be
// added here, with the row a reporter of another unit must not reach.
func (f foreign) fill(t testing.TB, path string) string {
	t.Helper()
	var id string
	switch {
	case strings.HasPrefix(path, "/plans/{id}"), strings.HasPrefix(path, "/api/v1/plans/{id}"):
		id = itoa(f.planID)
	case strings.HasPrefix(path, "/tasks/{id}"), strings.HasPrefix(path, "/api/v1/tasks/{id}"):
		id = itoa(f.taskID)
	case strings.HasPrefix(path, "/account/sessions/{id}"), strings.HasPrefix(path, "/admin/online/{id}"):
		id = f.sessionID
	case strings.HasPrefix(path, "/account/tokens/{id}"):
		id = itoa(f.tokenID)
	case strings.HasPrefix(path, "/admin/users/{id}"):
		id = itoa(f.userID)
	case strings.HasPrefix(path, "/admin/units/{id}"):
		id = itoa(f.unitID)
	case strings.HasPrefix(path, "/supervision/notices/{id}"), strings.HasPrefix(path, "/api/v1/supervision/notices/{id}"):
		id = itoa(f.noticeID)
	case strings.HasPrefix(path, "/inbox/{id}"), strings.HasPrefix(path, "/api/v1/inbox/{id}"):
		id = itoa(f.inboxID)
	case strings.HasPrefix(path, "/notify/channels/{id}"), strings.HasPrefix(path, "/api/v1/notify/channels/{id}"):
		id = itoa(f.channelID)
	case strings.HasPrefix(path, "/reports/{id}"), strings.HasPrefix(path, "/api/v1/reports/{id}"):
		id = itoa(f.reportID)
	case strings.HasPrefix(path, "/suggestions/{id}"), strings.HasPrefix(path, "/api/v1/suggestions/{id}"):
		id = itoa(f.suggestionID)
	case strings.HasPrefix(path, "/indicators/{id}"):
		id = itoa(f.indicatorID)
	case strings.Contains(path, "/registry/") && strings.Contains(path, "{"):
		id = itoa(f.registryID(t, path))
	case strings.HasPrefix(path, "/lang/{lang}"):
		id = "en"
	case !strings.Contains(path, "{"):
		return path
	default:
		if m := paramRE.FindString(path); m != "" {
			t.Errorf("route %s: the scope walk does not know what to put in %s; add it to foreign.fill", path, m)
		}
		return ""
	}
	return paramRE.ReplaceAllString(path, id)
}

// TestRouteWalkScope walks every registered page and API route as the
// 射洪市 reporter with another unit's ids and expects refusal: 404 for
// another unit's rows and for routes of other roles, and no foreign data in
// what the reporter may open. It runs on SQLite and on PostgreSQL.
func TestRouteWalkScope(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			e := newServerOn(t, testenv.DSN(t, engine))
			f := setupForeign(t, e)
			reporter := e.login(t, "reporter")
			token := apiToken(t, e, "reporter")
			walkRoutes(t, e, f, reporter, token)
		})
	}
}

func walkRoutes(t *testing.T, e *env, f foreign, c *client, token string) {
	ctx := context.Background()
	checked := 0
	for pattern, roles := range e.srv.Routes() {
		method, path, _ := strings.Cut(pattern, " ")
		switch path {
		case "/logout", "/login", "/lang/{lang}":
			continue // sign-in plumbing, no data
		}
		path = strings.TrimSuffix(path, "{$}")
		target := f.fill(t, path)
		if target == "" {
			continue
		}
		allowed := false
		for _, r := range roles {
			allowed = allowed || r == auth.Reporter
		}
		var resp *http.Response
		var body string
		if method == "POST" {
			resp, body = c.post(target, url.Values{"name": {"x"}, "username": {"x"}})
		} else {
			resp, body = c.get(target)
		}
		checked++
		hasParam := strings.Contains(path, "{")
		switch {
		case !allowed || hasParam:
			// Other roles' pages and other units' rows do not exist.
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s as reporter: %d, want 404", method, target, resp.StatusCode)
			}
		default:
			if resp.StatusCode >= 500 {
				t.Errorf("%s %s: %d", method, target, resp.StatusCode)
			}
		}
		if strings.Contains(body, f.marker) || strings.Contains(body, "蓬溪县重点事项乙") || strings.Contains(body, "梯度培育科技企业") {
			t.Errorf("%s %s shows another unit's task", method, target)
		}
	}
	if checked < 10 {
		t.Fatalf("walked only %d routes", checked)
	}
	for pattern, roles := range api.Routes() {
		method, path, _ := strings.Cut(pattern, " ")
		if roles == nil {
			continue // login
		}
		target := f.fill(t, "/api/v1"+path)
		req, _ := http.NewRequest(method, e.ts.URL+target, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, body := c.do(req)
		if strings.Contains(path, "{") && resp.StatusCode != http.StatusNotFound {
			t.Errorf("API %s %s as reporter: %d, want 404", method, target, resp.StatusCode)
		}
		if strings.Contains(body, f.marker) || strings.Contains(body, "梯度培育科技企业") {
			t.Errorf("API %s %s shows another unit's task", method, target)
		}
	}
	// The reporter still sees its own: key item 9 names 射洪市.
	_, body := c.get(e.planURL("/key-items"))
	if !strings.Contains(body, "支持射洪市创建国家、省级创新型县(市)") || strings.Contains(body, "蓬溪县、安居区创建") {
		t.Error("the reporter's key items page is wrong")
	}
	// Nothing the walk posted changed another's data: the leader's token
	// and session live on.
	if toks, _ := e.db.APITokens(ctx, f.userID); toks[0].Revoked {
		t.Error("the reporter revoked the leader's token")
	}
	if s, err := e.db.Session(ctx, f.sessionID); err != nil || s.Revoked {
		t.Error("the reporter revoked the leader's session")
	}
	if n, err := e.db.Notice(ctx, auth.Everything, f.noticeID); err != nil || n.Version != 1 || len(n.Trail) != 1 {
		t.Error("the reporter changed another unit's notice")
	}
	if msgs, _ := e.db.Inbox(ctx, f.userID, 1); msgs[0].Read {
		t.Error("the reporter read the leader's message")
	}
}

// TestReporterTaskByPageAndAPI is the issue's own example: the 射洪市
// reporter cannot open a task assigned only to 蓬溪县.
func TestReporterTaskByPageAndAPI(t *testing.T) {
	e := newServer(t)
	f := setupForeign(t, e)
	reporter := e.login(t, "reporter")
	if resp, _ := reporter.get("/tasks/" + itoa(f.taskID)); resp.StatusCode != 404 {
		t.Fatalf("page: %d, want 404", resp.StatusCode)
	}
	token := apiToken(t, e, "reporter")
	if resp, _ := apiGet(t, e, token, "/api/v1/tasks/"+itoa(f.taskID)); resp.StatusCode != 404 {
		t.Fatalf("API: %d, want 404", resp.StatusCode)
	}
	// The bureau sees it; the reporter sees its own unit's task.
	if resp, _ := e.login(t, "staff").get("/tasks/" + itoa(f.taskID)); resp.StatusCode != 200 {
		t.Fatalf("staff: %d", resp.StatusCode)
	}
	ctx := context.Background()
	p, _ := e.db.Plan(ctx, auth.Everything, e.demo.PlanID)
	own := p.KeyItems[8] // 9. 支持射洪市…
	if resp, body := reporter.get("/tasks/" + itoa(own.ID)); resp.StatusCode != 200 || !strings.Contains(body, "射洪市") {
		t.Fatalf("own task: %d", resp.StatusCode)
	}
	if resp, _ := apiGet(t, e, token, "/api/v1/tasks/"+itoa(own.ID)); resp.StatusCode != 200 {
		t.Fatalf("own task by API: %d", resp.StatusCode)
	}
}
