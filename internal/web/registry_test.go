package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/registry"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/testenv"
	"github.com/luoshi/luoshi/internal/web"
)

// setupForeignRegistry writes one record of each registry for another
// unit, named with marker so that the walk sees it if it leaks.
func setupForeignRegistry(t testing.TB, e *env, unitID int64, marker string) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	u, err := e.db.Unit(ctx, unitID)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[*registry.Kind]map[string]string{
		registry.Enterprises: {"uscc": registry.MakeUSCC("91510921MA6BX0001"), "name": marker + "企业", "hte_no": "GR202351000001", "hte_issued": "2023-01-01"},
		registry.Contracts: {"reg_no": "2023510921000001", "name": marker + "合同", "type": "技术开发", "seller": marker + "企业", "buyer": "乙",
			"contract_value": "100000", "tech_value": "90000", "registered_on": "2023-05-01"},
		registry.Platforms:     {"name": marker + "平台", "kind": "孵化器", "level": "省", "host": marker + "企业", "approved_on": "2023-02-01"},
		registry.Projects:      {"code": "2023KJ9999", "name": marker + "项目", "category": "揭榜挂帅", "owner": marker + "企业", "start_on": "2023-01-01", "status": "在研"},
		registry.Teams:         {"name": marker + "团队", "leader": "某", "host": marker + "企业", "year": "2023"},
		registry.Commissioners: {"name": marker + "特派员", "employer": "某大学", "year": "2023"},
	}
	units, _ := e.db.Units(ctx)
	env := &registry.Env{Units: units, Scope: auth.Everything, Options: registry.DefaultOptions}
	out := map[string]int64{}
	for k, raw := range rows {
		raw["unit"] = u.Name
		rec, errs := k.Parse(raw, env)
		if len(errs) > 0 {
			t.Fatalf("%s: %v", k.Name, errs)
		}
		err := e.db.InTx(ctx, func(tx *store.Tx) error {
			res, err := tx.SaveRecordNew(k, rec, auth.Everything, audit.System("test"))
			if err == nil {
				out[k.Name] = res.Record.ID
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// registryID returns the foreign record of the registry a path names.
func (f foreign) registryID(t testing.TB, path string) int64 {
	t.Helper()
	rest := path[strings.Index(path, "/registry/")+len("/registry/"):]
	name, _, _ := strings.Cut(rest, "/")
	id, ok := f.registry[name]
	if !ok {
		t.Errorf("route %s: no foreign record of registry %q", path, name)
	}
	return id
}

var shaField = regexp.MustCompile(`name="sha256" value="([0-9a-f]{64})"`)

func enterpriseSheet(t testing.TB, rows [][]string) []byte {
	t.Helper()
	var recs []registry.Record
	for _, r := range rows {
		v := map[string]string{}
		for i, f := range registry.Enterprises.Fields {
			if i < len(r) {
				v[f.Key] = r[i]
			}
		}
		recs = append(recs, registry.Record{Values: v})
	}
	var buf bytes.Buffer
	if err := registry.Enterprises.WriteXLSX(&buf, recs); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRegistryImportFlow: upload → preview with errors → nothing written;
// fixed file → confirm → written; the reporter imports only into its own
// units; the export of the list imports again unchanged.
func TestRegistryImportFlow(t *testing.T) {
	e := newServer(t)
	ctx := context.Background()
	staff := e.login(t, "staff")
	good := registry.MakeUSCC("91510981MA6C00001")
	bad := good[:17] + map[bool]string{true: "1", false: "0"}[good[17] == '0']
	data := enterpriseSheet(t, [][]string{
		{good, "射洪测试锂电有限公司", "射洪市", "锂电", "", "", "", "GR202351000123", "2023-03-01"},
		{bad, "射洪测试电子有限公司", "射洪市", "电子信息"},
	})
	resp, body := staff.upload("/registry/enterprises/import", "企业.xlsx", data, true)
	if resp.StatusCode != 200 || !strings.Contains(body, "校验位错误") || !strings.Contains(body, `data-rejected="1"`) {
		t.Fatalf("preview: %d %s", resp.StatusCode, body)
	}
	m := shaField.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no sha256 in the preview")
	}
	// The error report downloads as .xlsx naming row 3.
	resp, rep := staff.post("/registry/enterprises/import/errors", url.Values{"sha256": {m[1]}})
	if resp.StatusCode != 200 || !strings.HasPrefix(rep, "PK") {
		t.Fatalf("error report: %d", resp.StatusCode)
	}
	tbl, err := registry.ReadTable("r.xlsx", []byte(rep), 0)
	if err != nil || len(tbl.Rows) != 1 || tbl.Rows[0].Cells[0] != "3" {
		t.Fatalf("report: %+v %v", tbl, err)
	}
	// Confirming the whole file is refused: nothing written.
	resp, _ = staff.post("/registry/enterprises/import/confirm", url.Values{"sha256": {m[1]}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("confirm all with errors: %d", resp.StatusCode)
	}
	if _, n, _ := e.db.Records(ctx, auth.Everything, registry.Enterprises, registry.Filter{}); n != 0 {
		t.Fatalf("%d written", n)
	}
	// Valid rows only, chosen explicitly.
	resp, _ = staff.post("/registry/enterprises/import/confirm", url.Values{"sha256": {m[1]}, "mode": {"valid_only"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("valid only: %d", resp.StatusCode)
	}
	recs, n, _ := e.db.Records(ctx, auth.Everything, registry.Enterprises, registry.Filter{})
	if n != 1 || recs[0].V("hte_no") != "GR202351000123" {
		t.Fatalf("after import: %d %+v", n, recs)
	}
	// The list, the detail page with its history, the export.
	_, body = staff.get("/registry/enterprises?q=锂电&qual=hte&on=2024-01-01")
	if !strings.Contains(body, "射洪测试锂电有限公司") {
		t.Fatal("list misses the record")
	}
	_, body = staff.get("/registry/enterprises?qual=hte&on=2027-01-01")
	if strings.Contains(body, "射洪测试锂电有限公司") {
		t.Fatal("an expired certificate counts as valid")
	}
	resp, body = staff.get("/registry/enterprises/" + itoa(recs[0].ID))
	if resp.StatusCode != 200 || !strings.Contains(body, "registry-history") || !strings.Contains(body, "GR202351000123") {
		t.Fatalf("detail: %d", resp.StatusCode)
	}
	resp, exp := staff.get("/registry/enterprises/export?q=射洪")
	if resp.StatusCode != 200 || !strings.HasPrefix(exp, "PK") {
		t.Fatalf("export: %d", resp.StatusCode)
	}
	resp, body = staff.upload("/registry/enterprises/import", "导出.xlsx", []byte(exp), true)
	if resp.StatusCode != 200 || !strings.Contains(body, `data-accepted="1"`) || !strings.Contains(body, "0 条、更新 0 条、1 条无变化") {
		t.Fatalf("re-import preview: %d %s", resp.StatusCode, body)
	}

	// The 射洪市 reporter cannot import into 蓬溪县.
	reporter := e.login(t, "reporter")
	data = enterpriseSheet(t, [][]string{{registry.MakeUSCC("91510921MA6C00002"), "蓬溪测试公司", "蓬溪县"}})
	_, body = reporter.upload("/registry/enterprises/import", "企业.xlsx", data, true)
	if !strings.Contains(body, "不在范围内") {
		t.Fatalf("reporter import into another unit: %s", body)
	}
	// A form edit with a stale version is a conflict showing what changed.
	form := url.Values{"uscc": {good}, "name": {"射洪测试锂电股份有限公司"}, "unit": {itoa(recs[0].UnitID)}, "industry": {"锂电"},
		"hte_no": {"GR202351000123"}, "hte_issued": {"2023-03-01"}, "version": {itoa(recs[0].Version)}}
	if resp, body := staff.post("/registry/enterprises/"+itoa(recs[0].ID)+"/edit", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", resp.StatusCode, body)
	}
	form.Set("name", "另一个名字")
	resp, body = staff.post("/registry/enterprises/"+itoa(recs[0].ID)+"/edit", form)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "射洪测试锂电股份有限公司") {
		t.Fatalf("stale edit: %d", resp.StatusCode)
	}
}

// TestRegistryAPIAndComputed: the API lists and reads records in scope;
// the plan overview shows computed indicators with their provenance.
func TestRegistryAPIAndComputed(t *testing.T) {
	e := newServer(t)
	ctx := context.Background()
	f := setupForeign(t, e)
	token := apiToken(t, e, "reporter")
	resp, body := apiGet(t, e, token, "/api/v1/registry/enterprises")
	if resp.StatusCode != 200 || strings.Contains(body, f.marker) {
		t.Fatalf("reporter list: %d %s", resp.StatusCode, body)
	}
	var list struct {
		Total   int               `json:"total"`
		Records []registry.Record `json:"records"`
	}
	json.Unmarshal([]byte(body), &list)
	if list.Records == nil {
		t.Fatalf("no records array: %s", body)
	}
	staffToken := apiToken(t, e, "staff")
	resp, body = apiGet(t, e, staffToken, "/api/v1/registry/enterprises/"+itoa(f.registry["enterprises"]))
	if resp.StatusCode != 200 || !strings.Contains(body, f.marker) {
		t.Fatalf("staff get: %d %s", resp.StatusCode, body)
	}
	// Bind the HTE indicator and see its value on the overview.
	p, _ := e.db.Plan(ctx, auth.Everything, e.demo.PlanID)
	staff := e.login(t, "staff")
	staff.get(e.planURL(""))
	resp, _ = staff.post(e.planURL("/bindings"), url.Values{"indicator": {itoa(p.Targets[0].ID)}, "query": {string(registry.HTEValid)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("bind: %d", resp.StatusCode)
	}
	_, body = staff.get(e.planURL(""))
	if !strings.Contains(body, "持有效证书的国家高新技术企业") || !strings.Contains(body, `data-query="hte_valid"`) {
		t.Fatal("overview lacks the computed indicator")
	}
	resp, body = apiGet(t, e, staffToken, "/api/v1/plans/"+itoa(p.ID)+"/computed")
	if resp.StatusCode != 200 || !strings.Contains(body, `"provenance"`) {
		t.Fatalf("computed API: %d %s", resp.StatusCode, body)
	}
	_ = io.EOF
}

// TestRegistryUploadLimitAndOptions: a file over the configured limit is
// refused with 413 and a Chinese message; staff edit the configurable
// lists and the form offers the new value.
func TestRegistryUploadLimitAndOptions(t *testing.T) {
	e := newServer(t)
	small, err := web.New(web.Config{DB: e.db, Version: "test", ImportMaxBytes: 4 << 10})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(small)
	defer ts.Close()
	e2 := &env{ts: ts, db: e.db, demo: e.demo, srv: small}
	staff := e2.login(t, "staff")
	staff.get("/registry/enterprises/import")
	big := enterpriseSheet(t, [][]string{{registry.MakeUSCC("91510900MA6F00001"), strings.Repeat("很长的名字", 2000), "射洪市"}})
	resp, body := staff.upload("/registry/enterprises/import", "大.xlsx", append(big, bytes.Repeat([]byte{0}, 8<<10)...), true)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "文件超过 4 KB 上限") {
		t.Fatalf("over the limit: %d", resp.StatusCode)
	}
	resp, _ = staff.post("/registry/options", url.Values{"industry": {"锂电\n氢能\n其他"}, "qualification": {"瞪羚企业\n专精特新"},
		"platform_kind": {"孵化器\n众创空间"}, "project_category": {"揭榜挂帅\n其他"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("options: %d", resp.StatusCode)
	}
	_, body = staff.get("/registry/enterprises/new")
	if !strings.Contains(body, "<option>氢能</option>") || strings.Contains(body, "<option>食品</option>") {
		t.Fatal("the form does not offer the new industry list")
	}
	if es, _, _ := e.db.AuditEntries(context.Background(), audit.Filter{Action: audit.RegistryOptions}); len(es) != 4 {
		t.Fatalf("%d option audit entries", len(es))
	}
}

// A NUL or a bidi override in a registry field is a field error and a NUL
// in the search box is dropped, on both engines (PostgreSQL refuses NUL in
// text, so either would otherwise be a 500).
func TestRegistryControlCharacters(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			e := newServerOn(t, testenv.DSN(t, engine))
			staff := e.login(t, "staff")
			staff.get("/registry/enterprises/new")
			ctx := context.Background()
			unit, _ := e.db.UnitByCode(ctx, "510921")
			for _, name := range []string{"锂电\x00科技", "锂电\u202e科技"} {
				resp, body := staff.post("/registry/enterprises/new", url.Values{"uscc": {registry.MakeUSCC("91510921123456789")},
					"name": {name}, "unit": {itoa(unit.ID)}})
				if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "企业名称不能包含") {
					t.Errorf("name %q: %d", name, resp.StatusCode)
				}
			}
			if resp, _ := staff.get("/registry/enterprises?q=" + url.QueryEscape("锂\x00电")); resp.StatusCode != http.StatusOK {
				t.Errorf("a NUL in the search: %d", resp.StatusCode)
			}
		})
	}
}
