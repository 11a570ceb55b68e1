package web_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"math"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/demo"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/registry"
	"github.com/luoshi/luoshi/internal/testenv"
)

type apiFigure struct {
	UnitID       int64    `json:"unit_id"`
	Name         string   `json:"name"`
	Unit         string   `json:"unit"`
	Target       *float64 `json:"target"`
	Actual       *float64 `json:"actual"`
	Completion   *float64 `json:"completion"`
	TimeProgress float64  `json:"time_progress"`
	Status       string   `json:"status"`
}

type apiDashboard struct {
	Period     string `json:"period"`
	Indicators []struct {
		apiFigure
		ID    int64       `json:"id"`
		Kind  string      `json:"kind"`
		Units []apiFigure `json:"units"`
	} `json:"indicators"`
}

// expectStatus is the design's rule, written out again for the test.
func expectStatus(comparator string, actual, target, completion, tp float64) string {
	met := false
	switch comparator {
	case ">=":
		met = actual >= target
	case ">":
		met = actual > target
	case "~":
		met = math.Abs(actual-target) <= 0.1*target
	}
	switch {
	case met:
		return "met"
	case completion >= tp-1e-9:
		return "on_track"
	case completion >= tp-0.1-1e-9:
		return "at_risk"
	}
	return "behind"
}

// The demo dashboard for June 2023 by API: the five headline indicators with
// actual, target, completion, time progress and status per unit, each equal
// to a computation made here from the raw rows.
func TestDashboardAPIMatchesRawRows(t *testing.T) {
	e := newServer(t)
	ctx := context.Background()
	token := apiToken(t, e, "leader")
	resp, body := apiGet(t, e, token, "/api/v1/dashboard?plan="+itoa(e.demo.PlanID)+"&period=2023-06")
	if resp.StatusCode != 200 {
		t.Fatalf("dashboard: %d %s", resp.StatusCode, body)
	}
	var d apiDashboard
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatal(err)
	}
	if d.Period != "2023-06" {
		t.Fatalf("period %s", d.Period)
	}
	p, _ := e.db.Plan(ctx, auth.Everything, e.demo.PlanID)
	if len(p.Targets) != 5 || len(d.Indicators) < 5 {
		t.Fatalf("%d targets, %d indicators", len(p.Targets), len(d.Indicators))
	}
	raw, err := sql.Open("sqlite", e.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for i, tg := range p.Targets {
		got := d.Indicators[i]
		if got.Name != tg.Name || got.Target == nil || *got.Target != tg.Value {
			t.Fatalf("indicator %d: %+v, want %s %v", i, got.apiFigure, tg.Name, tg.Value)
		}
		var kind string
		var lag int
		var base *float64
		if err := raw.QueryRow(`SELECT kind, lag_months, base_value FROM indicators WHERE id = `+itoa(tg.ID)).Scan(&kind, &lag, &base); err != nil {
			t.Fatal(err)
		}
		month := float64(6 - lag)
		tp := month / 12
		if kind == "stock" {
			tp = (*base + (tg.Value-*base)*month/12) / tg.Value
		}
		rows, err := raw.Query(`SELECT v.unit_id, v.value, a.target_value FROM indicator_values v
			JOIN indicator_allocations a ON a.indicator_id = v.indicator_id AND a.unit_id = v.unit_id
			WHERE v.indicator_id = ` + itoa(tg.ID) + ` AND v.period = '` + "2023-0" + itoa(int64(month)) + `'`)
		if err != nil {
			t.Fatal(err)
		}
		var sum float64
		units := map[int64][2]float64{}
		for rows.Next() {
			var u int64
			var v, a float64
			rows.Scan(&u, &v, &a)
			sum += v
			units[u] = [2]float64{v, a}
		}
		rows.Close()
		if len(units) != 8 || len(got.Units) != 8 {
			t.Fatalf("%s: %d raw unit rows, %d in the API", tg.Name, len(units), len(got.Units))
		}
		if math.Abs(*got.Actual-sum) > 1e-6 || math.Abs(*got.Completion-sum/tg.Value) > 1e-9 || math.Abs(got.TimeProgress-tp) > 1e-9 {
			t.Errorf("%s: actual %v completion %v tp %v; want %v %v %v", tg.Name, *got.Actual, *got.Completion, got.TimeProgress, sum, sum/tg.Value, tp)
		}
		if want := expectStatus(string(tg.Comparator), sum, tg.Value, sum/tg.Value, tp); got.Status != want {
			t.Errorf("%s: status %s, want %s", tg.Name, got.Status, want)
		}
		for _, u := range got.Units {
			r := units[u.UnitID]
			ubase := 0.0
			if kind == "stock" {
				raw.QueryRow(`SELECT base_value FROM indicator_allocations WHERE indicator_id = ` + itoa(tg.ID) + ` AND unit_id = ` + itoa(u.UnitID)).Scan(&ubase)
			}
			utp := month / 12
			if kind == "stock" {
				utp = (ubase + (r[1]-ubase)*month/12) / r[1]
			}
			if *u.Actual != r[0] || *u.Target != r[1] || math.Abs(*u.Completion-r[0]/r[1]) > 1e-9 ||
				u.Status != expectStatus(string(tg.Comparator), r[0], r[1], r[0]/r[1], utp) {
				t.Errorf("%s %s: %+v, raw %v", tg.Name, u.Name, u, r)
			}
		}
	}
	// A month outside the plan's year and a missing plan are field errors.
	if resp, body := apiGet(t, e, token, "/api/v1/dashboard?plan="+itoa(e.demo.PlanID)+"&period=2024-01"); resp.StatusCode != 422 || !strings.Contains(body, "period") {
		t.Errorf("period of another year: %d %s", resp.StatusCode, body)
	}
	if resp, _ := apiGet(t, e, token, "/api/v1/dashboard"); resp.StatusCode != 422 {
		t.Errorf("no plan: %d", resp.StatusCode)
	}
	// Reporters have no dashboard.
	if resp, _ := apiGet(t, e, apiToken(t, e, "reporter"), "/api/v1/dashboard?plan="+itoa(e.demo.PlanID)); resp.StatusCode != 404 {
		t.Errorf("reporter: %d, want 404", resp.StatusCode)
	}
}

func TestDashboardPage(t *testing.T) {
	e := newServer(t)
	leader := e.login(t, "leader")
	resp, body := leader.get(e.planURL("/dashboard"))
	if resp.StatusCode != 200 {
		t.Fatalf("dashboard: %d", resp.StatusCode)
	}
	for _, name := range []string{"国家高新技术企业", "入库备案国家科技型中小企业", "全社会研发投入", "技术合同认定登记额", "高新技术产业营业收入"} {
		if !strings.Contains(body, `data-indicator="`+name+`"`) {
			t.Errorf("no card for %s", name)
		}
	}
	// The demo's figures run to October of its (past) year.
	if !strings.Contains(body, `<option value="2023-10" selected>`) {
		t.Error("the dashboard does not open on the latest month with data")
	}
	if n := strings.Count(body, `class="unit-row"`); n != 40 {
		t.Errorf("%d unit rows, want 8 units × 5 indicators", n)
	}
	if !strings.Contains(body, "data-chart=") || !strings.Contains(body, "echarts") {
		t.Error("no charts")
	}
	if !strings.Contains(body, "演示数据") {
		t.Error("the provenance of demo figures is not shown")
	}
	if resp, _ := leader.get(e.planURL("/dashboard?period=2023-13")); resp.StatusCode != 422 {
		t.Errorf("bad period: %d", resp.StatusCode)
	}
	if resp, _ := e.login(t, "reporter").get(e.planURL("/dashboard")); resp.StatusCode != 404 {
		t.Errorf("reporter: %d", resp.StatusCode)
	}
	// English.
	leader.get("/lang/en?back=/")
	if _, body := leader.get(e.planURL("/dashboard")); !strings.Contains(body, "Time progress") {
		t.Error("no English dashboard")
	}
}

func TestIndicatorEdits(t *testing.T) {
	e := newServer(t)
	ctx := context.Background()
	p, _ := e.db.Plan(ctx, auth.Everything, e.demo.PlanID)
	ind := p.Targets[3] // 技术合同认定登记额, a flow in yuan
	staff := e.login(t, "staff")
	path := "/indicators/" + itoa(ind.ID)
	resp, body := staff.get(path)
	if resp.StatusCode != 200 || !strings.Contains(body, ind.Name) {
		t.Fatalf("indicator page: %d", resp.StatusCode)
	}
	unit, _ := e.db.UnitByCode(ctx, "510981")
	// A value for November, a month the demo has not filled.
	resp, _ = staff.post(path+"/values", url.Values{"unit_id": {itoa(unit.ID)}, "period": {"2023-11"}, "value": {"123,450,000"}, "version": {"0"}})
	if resp.StatusCode != 303 {
		t.Fatalf("value: %d", resp.StatusCode)
	}
	vals, _ := e.db.ValuesOf(ctx, ind.ID)
	found := false
	for _, v := range vals {
		if v.UnitID == unit.ID && v.Period.String() == "2023-11" {
			found = v.Value == 123450000 && v.Source == "manual" && v.EnteredBy == "staff"
		}
	}
	if !found {
		t.Fatal("value not stored as typed")
	}
	// Entering it again as new is a conflict, not an overwrite.
	if resp, body := staff.post(path+"/values", url.Values{"unit_id": {itoa(unit.ID)}, "period": {"2023-11"}, "value": {"1"}, "version": {"0"}}); resp.StatusCode != 409 || !strings.Contains(body, "已被他人填写") {
		t.Errorf("second new value: %d", resp.StatusCode)
	}
	// Bad input: a word for a number, a month of another year.
	if resp, body := staff.post(path+"/values", url.Values{"unit_id": {itoa(unit.ID)}, "period": {"2023-11"}, "value": {"很多"}}); resp.StatusCode != 422 || !strings.Contains(body, "完成值须为数字") {
		t.Errorf("word for a value: %d", resp.StatusCode)
	}
	if resp, body := staff.post(path+"/values", url.Values{"unit_id": {itoa(unit.ID)}, "period": {"2022-11"}, "value": {"5"}}); resp.StatusCode != 422 || !strings.Contains(body, "计划年度") {
		t.Errorf("another year: %d", resp.StatusCode)
	}
	// Allocation: a negative share names the unit.
	if resp, body := staff.post(path+"/allocations", url.Values{"target_" + itoa(unit.ID): {"-5"}}); resp.StatusCode != 422 || !strings.Contains(body, "射洪市") {
		t.Errorf("negative share: %d", resp.StatusCode)
	}
	// Settings: a stale version is a conflict.
	if resp, _ := staff.post(path+"/settings", url.Values{"kind": {"stock"}, "aggregation": {"sum"}, "lag_months": {"0"}, "version": {"0"}}); resp.StatusCode != 409 {
		t.Errorf("stale settings: %d", resp.StatusCode)
	}
	entries, _, _ := e.db.AuditEntries(ctx, audit.Filter{Action: audit.IndicatorValueSet})
	if len(entries) != 1 || entries[0].ActorName != "staff" {
		t.Errorf("audit: %+v", entries)
	}
	// Leaders read but do not write.
	if resp, _ := e.login(t, "leader").post(path+"/values", url.Values{"unit_id": {itoa(unit.ID)}, "period": {"2023-12"}, "value": {"1"}}); resp.StatusCode != 404 {
		t.Errorf("leader writes: %d", resp.StatusCode)
	}
}

func TestBulletinPageAndDownload(t *testing.T) {
	e := newServer(t)
	ctx := context.Background()
	leader := e.login(t, "leader")
	resp, body := leader.get(e.planURL("/bulletin?period=2023-06"))
	if resp.StatusCode != 200 {
		t.Fatalf("bulletin page: %d", resp.StatusCode)
	}
	if !strings.Contains(body, "2023年全市科技创新工作要点落实情况通报(2023年6月)") {
		t.Error("no heading")
	}
	if n := strings.Count(body, `class="data bulletin-ranking"`); n != 5 {
		t.Errorf("%d ranking tables, want one per headline indicator", n)
	}
	if n := strings.Count(body, `class="rank-row"`); n != 40 {
		t.Errorf("%d ranked rows, want 40", n)
	}
	resp, body = leader.get(e.planURL("/bulletin.xlsx?period=2023-06"))
	if resp.StatusCode != 200 || !strings.HasPrefix(body, "PK") || !strings.Contains(resp.Header.Get("Content-Disposition"), "bulletin-2023-06.xlsx") {
		t.Fatalf("download: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	x, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if v, _ := x.GetCellValue("汇总", "A1"); !strings.Contains(v, "2023年6月") {
		t.Errorf("workbook title %q", v)
	}
	entries, _, _ := e.db.AuditEntries(ctx, audit.Filter{Action: audit.BulletinExported})
	if len(entries) != 1 || entries[0].ActorName != "leader" {
		t.Errorf("download not audited: %+v", entries)
	}
	if resp, _ := leader.get(e.planURL("/bulletin?period=2022-06")); resp.StatusCode != 422 {
		t.Errorf("period of another year: %d", resp.StatusCode)
	}
	reporter := e.login(t, "reporter")
	for _, p := range []string{"/bulletin", "/bulletin.xlsx"} {
		if resp, _ := reporter.get(e.planURL(p)); resp.StatusCode != 404 {
			t.Errorf("reporter %s: %d", p, resp.StatusCode)
		}
	}
}

func TestAssessmentPage(t *testing.T) {
	e := newServer(t)
	ctx := context.Background()
	staff := e.login(t, "staff")
	path := e.planURL("/assessment?period=2023-10")
	resp, body := staff.get(path)
	if resp.StatusCode != 200 || !strings.Contains(body, `class="flash flash-error suggested"`) {
		t.Fatalf("assessment: %d (suggested weights shown: %v)", resp.StatusCode, strings.Contains(body, "suggested"))
	}
	// The 8 units with allocations, and any unit leading a key item.
	if n := strings.Count(body, `class="score-row"`); n < 8 {
		t.Errorf("%d scored units, want at least the 8 units with allocations", n)
	}
	p, _ := e.db.Plan(ctx, auth.Everything, e.demo.PlanID)
	form := url.Values{"period": {"2023-10"}}
	for i, tg := range p.Targets {
		key := "indicator_" + itoa(tg.ID)
		form.Set("weight_"+key, []string{"30", "20", "10", "10", "10"}[i])
		form.Set("bonus_rate_"+key, "0.5")
		form.Set("bonus_cap_"+key, "0.2")
	}
	form.Set("weight_category_key_item", "20")
	form.Set("weight_category_work_item", "0")
	// A bad figure names the item and saves nothing.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("bonus_cap_indicator_"+itoa(p.Targets[0].ID), "5")
	if resp, body := staff.post(e.planURL("/assessment/weights"), bad); resp.StatusCode != 422 || !strings.Contains(body, "国家高新技术企业:加分上限") {
		t.Fatalf("bad cap: %d", resp.StatusCode)
	}
	if ws, _ := e.db.AssessmentWeights(ctx, e.demo.PlanID); len(ws) != 0 {
		t.Fatalf("a refused form saved %d weights", len(ws))
	}
	if resp, _ := staff.post(e.planURL("/assessment/weights"), form); resp.StatusCode != 303 {
		t.Fatalf("save weights: %d", resp.StatusCode)
	}
	ws, _ := e.db.AssessmentWeights(ctx, e.demo.PlanID)
	if len(ws) != 7 || ws[0].Weight != 30 {
		t.Fatalf("weights saved: %+v", ws)
	}
	// Posting the same form again, made from the suggested weights (version
	// 0), is a conflict: someone saved in between.
	if resp, _ := staff.post(e.planURL("/assessment/weights"), form); resp.StatusCode != 409 {
		t.Errorf("stale weights: %d", resp.StatusCode)
	}
	_, body = staff.get(path)
	if strings.Contains(body, `suggested"`) {
		t.Error("saved weights are still called suggested")
	}
	resp, body = e.login(t, "leader").get(e.planURL("/assessment.xlsx?period=2023-10"))
	if resp.StatusCode != 200 {
		t.Fatalf("export: %d", resp.StatusCode)
	}
	x, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, _ := x.GetRows("考核得分")
	if len(rows) < 10 || rows[2][0] != "1" {
		t.Fatalf("export rows: %q", rows)
	}
	// Scores descend and every score is points over possible on 100; a unit
	// with allocations has the five indicators' 80 points possible, and 20
	// more when it leads key items.
	prev := 1e9
	for _, r := range rows[2:] {
		score, _ := strconv.ParseFloat(r[2], 64)
		points, _ := strconv.ParseFloat(r[3], 64)
		possible, _ := strconv.ParseFloat(r[4], 64)
		if score > prev || math.Abs(score-math.Round(points/possible*10000)/100) > 0.011 || (possible != 100 && possible != 80 && possible != 20) {
			t.Errorf("row %q", r)
		}
		prev = score
	}
	if resp, _ := e.login(t, "reporter").get(path); resp.StatusCode != 404 {
		t.Errorf("reporter: %d", resp.StatusCode)
	}
}

// With the registries loaded, the headline indicators bound to registry
// queries take their figures from the registries: the HTE card's city and
// unit figures equal the raw count of certificates in force at the month's
// end, on SQLite and PostgreSQL.
func TestDashboardRegistryFigures(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			e := newServerOn(t, testenv.DSN(t, engine))
			ctx := context.Background()
			res, err := demo.LoadRegistry(ctx, e.db)
			if err != nil || !res.Loaded {
				t.Fatalf("registry demo: %+v %v", res, err)
			}
			token := apiToken(t, e, "leader")
			_, body := apiGet(t, e, token, "/api/v1/dashboard?plan="+itoa(e.demo.PlanID)+"&period=2023-06")
			var d apiDashboard
			if err := json.Unmarshal([]byte(body), &d); err != nil {
				t.Fatal(err)
			}
			hte := d.Indicators[0]
			if hte.Name != "国家高新技术企业" {
				t.Fatalf("first indicator %s", hte.Name)
			}
			units, _ := e.db.Units(ctx)
			raw, err := e.db.RegistryAggregateRaw(ctx, registry.Query{Kind: registry.HTEValid, AsOf: "2023-06-30"})
			if err != nil {
				t.Fatal(err)
			}
			if raw == 0 || hte.Actual == nil || *hte.Actual != float64(raw) {
				t.Fatalf("city HTE %v, raw count %d", hte.Actual, raw)
			}
			for _, u := range hte.Units {
				n, _ := e.db.RegistryAggregateRaw(ctx, registry.Query{Kind: registry.HTEValid, AsOf: "2023-06-30", Units: org.Subtree(units, u.UnitID)})
				if u.Actual == nil || *u.Actual != float64(n) {
					t.Errorf("%s: %v, raw %d", u.Name, u.Actual, n)
				}
			}
			// Contracts registered January to June, summed in yuan.
			cv := d.Indicators[3]
			rawCV, _ := e.db.RegistryAggregateRaw(ctx, registry.Query{Kind: registry.ContractValue, From: "2023-01-01", To: "2023-06-30"})
			if cv.Actual == nil || *cv.Actual != float64(rawCV) {
				t.Errorf("contract value %v, raw %d", cv.Actual, rawCV)
			}
		})
	}
}

func TestBoundIndicatorPage(t *testing.T) {
	e := newServer(t)
	ctx := context.Background()
	if _, err := demo.LoadRegistry(ctx, e.db); err != nil {
		t.Fatal(err)
	}
	p, _ := e.db.Plan(ctx, auth.Everything, e.demo.PlanID)
	staff := e.login(t, "staff")
	path := "/indicators/" + itoa(p.Targets[0].ID) // 国家高新技术企业, bound to the HTE count
	resp, body := staff.get(path)
	if resp.StatusCode != 200 || !strings.Contains(body, "bound-note") || strings.Contains(body, `action="`+path+`/values"`) {
		t.Fatalf("bound indicator page: %d, note %v", resp.StatusCode, strings.Contains(body, "bound-note"))
	}
	if !strings.Contains(body, "持有效证书的国家高新技术企业数") {
		t.Error("the page does not name the query")
	}
	unit, _ := e.db.UnitByCode(ctx, "510981")
	if resp, body := staff.post(path+"/values", url.Values{"unit_id": {itoa(unit.ID)}, "period": {"2023-11"}, "value": {"5"}}); resp.StatusCode != 422 || !strings.Contains(body, "科技主体库自动计算") {
		t.Errorf("typing a bound figure: %d", resp.StatusCode)
	}
}
