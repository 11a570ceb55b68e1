package store_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/registry"
	"github.com/luoshi/luoshi/internal/store"
)

// regEnv is what parsing needs: the database's units, everything in scope.
func regEnv(t testing.TB, db *store.DB) *registry.Env {
	t.Helper()
	units, err := db.Units(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return &registry.Env{Units: units, Scope: auth.Everything, Options: registry.DefaultOptions}
}

func uscc(i int) string { return registry.MakeUSCC(fmt.Sprintf("91510900MA%07d", i)) }

// sampleEnterprises returns n enterprise rows (as the template's cells)
// split between the city and the county, with certificates issued over
// four years, some revoked, and registrations.
func sampleEnterprises(n int, city, county org.Unit) [][]string {
	var rows [][]string
	for i := 0; i < n; i++ {
		unit := city.Name
		if i%3 == 0 {
			unit = county.Name
		}
		row := []string{uscc(i), fmt.Sprintf("示例科技有限公司%03d", i), unit, registry.DefaultOptions["industry"][i%5],
			"示例路" + fmt.Sprint(i) + "号", "张三", "0825-1234567", "", "", "", "", "", ""}
		if i%2 == 0 {
			issued := time.Date(2019+i%5, time.Month(1+i%12), 1+i%27, 0, 0, 0, 0, time.UTC)
			row[7], row[8] = fmt.Sprintf("GR%d51%06d", issued.Year(), i), issued.Format(time.DateOnly)
			if i%10 == 4 {
				row[9] = issued.AddDate(1, 2, 0).Format(time.DateOnly)
			}
		}
		if i%3 != 2 {
			row[10], row[11] = fmt.Sprintf("2023510900%05d", i), fmt.Sprint(2021+i%3)
		}
		if i%7 == 0 {
			row[12] = "专精特新、瞪羚企业"
		}
		rows = append(rows, row)
	}
	return rows
}

// xlsxOf writes rows under the kind's template headers.
func xlsxOf(t testing.TB, k *registry.Kind, rows [][]string) []byte {
	t.Helper()
	var recs []registry.Record
	for _, r := range rows {
		rec := registry.Record{Values: map[string]string{}}
		for i, f := range k.Fields {
			if i < len(r) {
				rec.Values[f.Key] = r[i]
			}
		}
		recs = append(recs, rec)
	}
	var buf bytes.Buffer
	if err := k.WriteXLSX(&buf, recs); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func importFile(t testing.TB, db *store.DB, k *registry.Kind, name string, data []byte) (*registry.Batch, registry.Summary, error) {
	t.Helper()
	tbl, err := registry.ReadTable(name, data, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := k.Prepare(tbl, regEnv(t, db))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := db.ImportBatch(context.Background(), b, auth.Everything, audit.System("test"), store.ImportOptions{FileName: name})
	return b, sum, err
}

func exportAll(t testing.TB, db *store.DB, k *registry.Kind, csv bool) []byte {
	t.Helper()
	recs, _, err := db.Records(context.Background(), auth.Everything, k, registry.Filter{Limit: registry.MaxList, Sort: k.Naturals()[0]})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if csv {
		err = k.WriteCSV(&buf, recs)
	} else {
		err = k.WriteXLSX(&buf, recs)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type snapshot map[string]string

func snap(t testing.TB, db *store.DB, k *registry.Kind) snapshot {
	t.Helper()
	recs, _, err := db.Records(context.Background(), auth.Everything, k, registry.Filter{Limit: registry.MaxList})
	if err != nil {
		t.Fatal(err)
	}
	out := snapshot{}
	for _, r := range recs {
		out[k.Key(r.Values)] = fmt.Sprintf("v%d %v %d", r.Version, r.Values, len(r.Quals))
	}
	return out
}

// TestRegistryExportReimportsUnchanged is issue 9's first done-when: an
// export imports again without changing anything (merge by USCC), as
// .xlsx and as CSV, on both engines.
func TestRegistryExportReimportsUnchanged(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		city, county := createUnits(t, db)
		_, sum, err := importFile(t, db, registry.Enterprises, "企业.xlsx", xlsxOf(t, registry.Enterprises, sampleEnterprises(60, city, county)))
		if err != nil || sum.Created != 60 || sum.Read != 60 {
			t.Fatalf("first import: %+v %v", sum, err)
		}
		contracts := [][]string{
			{"2023510900000101", "锂电池正极材料技术开发", "技术开发", "示例科技有限公司000", uscc(0), county.Name, "某大学", "四川省成都市", "1200000", "1000000", "2023-02-01", "2023-02-15"},
			{"2023510900000102", "检测服务", "技术服务", "示例科技有限公司001", "", city.Name, "某公司", "重庆市", "35000.00", "35000", "", "2023-03-01"},
		}
		platforms := [][]string{
			{"示例锂电工程技术研究中心", "工程技术研究中心", "省", "示例科技有限公司000", uscc(0), county.Name, "2022-11-30"},
			{"示例众创空间", "众创空间", "市", "示例孵化公司", "", city.Name, "2023-01-05"},
		}
		if _, sum, err := importFile(t, db, registry.Contracts, "合同.xlsx", xlsxOf(t, registry.Contracts, contracts)); err != nil || sum.Created != 2 {
			t.Fatalf("contracts: %+v %v", sum, err)
		}
		if _, sum, err := importFile(t, db, registry.Platforms, "平台.xlsx", xlsxOf(t, registry.Platforms, platforms)); err != nil || sum.Created != 2 {
			t.Fatalf("platforms: %+v %v", sum, err)
		}
		for _, k := range []*registry.Kind{registry.Enterprises, registry.Contracts, registry.Platforms} {
			before := snap(t, db, k)
			hist := historyCount(t, db)
			for _, csv := range []bool{false, true} {
				name := k.Title + ".xlsx"
				if csv {
					name = k.Title + ".csv"
				}
				b, sum, err := importFile(t, db, k, name, exportAll(t, db, k, csv))
				if err != nil {
					t.Fatalf("%s re-import: %v %v", name, err, b.Errors())
				}
				if sum.Unchanged != len(before) || sum.Created+sum.Updated+sum.Rejected != 0 {
					t.Fatalf("%s re-import changed something: %+v", name, sum)
				}
			}
			if after := snap(t, db, k); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Fatalf("%s changed:\n%v\n%v", k.Name, before, after)
			}
			if historyCount(t, db) != hist {
				t.Fatalf("%s: history grew on an unchanged import", k.Name)
			}
		}
		// A file with only the required columns leaves the other fields
		// (industry, qualifications, …) as they are.
		before := snap(t, db, registry.Enterprises)
		full := sampleEnterprises(14, city, county)
		tbl := &registry.Table{Headers: []string{"统一社会信用代码*", "企业名称*", "所属单位*"}}
		for i, r := range full {
			tbl.Rows = append(tbl.Rows, registry.TableRow{Line: i + 2, Cells: r[:3]})
		}
		b, err := registry.Enterprises.Prepare(tbl, regEnv(t, db))
		if err != nil {
			t.Fatal(err)
		}
		if sum, err := db.ImportBatch(context.Background(), b, auth.Everything, audit.System("test"), store.ImportOptions{}); err != nil || sum.Unchanged != 14 {
			t.Fatalf("required columns only: %+v %v", sum, err)
		}
		if after := snap(t, db, registry.Enterprises); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatal("an import without some columns changed them")
		}
		// A changed row merges by USCC: one update, a new version with its history.
		rows := sampleEnterprises(1, city, county)
		rows[0][1] = "示例科技股份有限公司000"
		if _, sum, err := importFile(t, db, registry.Enterprises, "改名.xlsx", xlsxOf(t, registry.Enterprises, rows)); err != nil || sum.Updated != 1 {
			t.Fatalf("rename: %+v %v", sum, err)
		}
		recs, total, _ := db.Records(context.Background(), auth.Everything, registry.Enterprises, registry.Filter{Query: "股份"})
		if total != 1 || recs[0].Version != 2 {
			t.Fatalf("renamed: %d %+v", total, recs)
		}
		h, err := db.RecordHistory(context.Background(), auth.Everything, registry.Enterprises, recs[0].ID)
		if err != nil || len(h) != 2 || h[0].Version != 2 || len(h[0].Changes) != 1 || h[0].Changes[0].After != "示例科技股份有限公司000" || h[0].ActorName != "system" {
			t.Fatalf("history: %+v %v", h, err)
		}
	})
}

func historyCount(t testing.TB, db *store.DB) int {
	t.Helper()
	n := 0
	for _, k := range registry.Kinds {
		recs, _, err := db.Records(context.Background(), auth.Everything, k, registry.Filter{Limit: registry.MaxList})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			h, err := db.RecordHistory(context.Background(), auth.Everything, k, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			n += len(h)
		}
	}
	return n
}

// TestRegistryWrongCheckDigitRefusesFile is issue 9's second done-when:
// one USCC with a wrong check digit refuses the whole file, naming the
// row, and nothing is written, on both engines.
func TestRegistryWrongCheckDigitRefusesFile(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		city, county := createUnits(t, db)
		rows := sampleEnterprises(5, city, county)
		good := rows[3][0]
		bad := good[:17] + string("0123456789ABCDEFGHJKLMNPQRTUWXY"[(strings.IndexByte("0123456789ABCDEFGHJKLMNPQRTUWXY", good[17])+1)%31])
		rows[3][0] = bad
		b, sum, err := importFile(t, db, registry.Enterprises, "企业.xlsx", xlsxOf(t, registry.Enterprises, rows))
		if !apperr.Is(err, apperr.Invalid) || sum.Created != 0 {
			t.Fatalf("import: %+v %v", sum, err)
		}
		errs := b.Errors()
		// Row 5 of the sheet: the header is row 1.
		if len(errs) != 1 || errs[0].Row != 5 || !strings.Contains(errs[0].Column, "统一社会信用代码") || errs[0].Value != bad ||
			!strings.Contains(errs[0].Reason, "校验位") {
			t.Fatalf("errors: %+v", errs)
		}
		if _, total, _ := db.Records(context.Background(), auth.Everything, registry.Enterprises, registry.Filter{}); total != 0 {
			t.Fatalf("%d enterprises written", total)
		}
		if es, _, _ := db.AuditEntries(context.Background(), audit.Filter{Action: audit.RegistryImported}); len(es) != 0 {
			t.Fatal("a refused import was audited as done")
		}
		// The user may choose to import the valid rows only.
		sum, err = db.ImportBatch(context.Background(), b, auth.Everything, audit.System("test"), store.ImportOptions{ValidOnly: true})
		if err != nil || sum.Created != 4 || sum.Rejected != 1 || sum.Read != 5 {
			t.Fatalf("valid only: %+v %v", sum, err)
		}
	})
}

// TestRegistryHTECountOnDate is issue 9's third done-when: the computed
// count of enterprises holding a valid certificate on a date equals a
// count made here from the fixture itself, for the city and per unit.
func TestRegistryHTECountOnDate(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		city, county := createUnits(t, db)
		rows := sampleEnterprises(120, city, county)
		if _, _, err := importFile(t, db, registry.Enterprises, "企业.xlsx", xlsxOf(t, registry.Enterprises, rows)); err != nil {
			t.Fatal(err)
		}
		// A second certificate for one enterprise counts it once.
		again := [][]string{append([]string(nil), rows[0]...)}
		again[0][7], again[0][8], again[0][9] = "GR202351999999", "2023-06-01", ""
		if _, _, err := importFile(t, db, registry.Enterprises, "再认定.xlsx", xlsxOf(t, registry.Enterprises, again)); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, again[0])
		for _, day := range []string{"2020-06-30", "2021-12-31", "2022-01-01", "2023-12-31", "2024-05-20"} {
			d, _ := time.Parse(time.DateOnly, day)
			wantCity, wantCounty := map[string]bool{}, map[string]bool{}
			for _, r := range rows {
				if r[8] == "" {
					continue
				}
				issued, _ := time.Parse(time.DateOnly, r[8])
				valid := !issued.After(d) && d.Before(issued.AddDate(3, 0, 0))
				if r[9] != "" {
					revoked, _ := time.Parse(time.DateOnly, r[9])
					valid = valid && d.Before(revoked)
				}
				if valid {
					wantCity[r[0]] = true
					if r[2] == county.Name {
						wantCounty[r[0]] = true
					}
				}
			}
			got, err := registry.Compute(context.Background(), db, registry.HTEValid, 0, d)
			if err != nil || got.Value != int64(len(wantCity)) {
				t.Fatalf("%s city: %+v %v, want %d", day, got, err, len(wantCity))
			}
			got, err = registry.Compute(context.Background(), db, registry.HTEValid, county.ID, d)
			if err != nil || got.Value != int64(len(wantCounty)) || !strings.Contains(got.Provenance, county.Name) {
				t.Fatalf("%s county: %+v %v, want %d", day, got, err, len(wantCounty))
			}
		}
		if n, _ := db.RegistryAggregate(context.Background(), registry.Query{Kind: registry.TSMERegistered, Year: 2022}); n != 40 {
			t.Fatalf("TSME 2022: %d", n)
		}
	})
}

// TestRegistryScope: a county reporter sees and edits only its own
// subtree's records; another unit's record is not found.
func TestRegistryScope(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		city, county := createUnits(t, db)
		rows := sampleEnterprises(6, city, county)
		if _, _, err := importFile(t, db, registry.Enterprises, "企业.xlsx", xlsxOf(t, registry.Enterprises, rows)); err != nil {
			t.Fatal(err)
		}
		scope := auth.Scope{Units: []int64{county.ID}}
		recs, total, err := db.Records(ctx, scope, registry.Enterprises, registry.Filter{})
		if err != nil || total != 2 {
			t.Fatalf("county sees %d: %v", total, err)
		}
		for _, r := range recs {
			if r.UnitID != county.ID {
				t.Fatalf("county sees %+v", r)
			}
		}
		all, _, _ := db.Records(ctx, auth.Everything, registry.Enterprises, registry.Filter{UnitID: city.ID, Limit: 100})
		var foreign registry.Record
		for _, r := range all {
			if r.UnitID == city.ID {
				foreign = r
			}
		}
		if _, err := db.Record(ctx, scope, registry.Enterprises, foreign.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("foreign record: %v", err)
		}
		// Editing it by id, or by importing its USCC, is refused.
		edit := foreign
		edit.Values["name"] = "篡改"
		err = db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.SaveRecord(registry.Enterprises, edit, scope, audit.System("test"), edit.Version)
			return err
		})
		if !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("edit foreign: %v", err)
		}
		env := regEnv(t, db)
		env.Scope = scope
		row := []string{foreign.Values["uscc"], "篡改", county.Name}
		tbl := &registry.Table{Headers: []string{"统一社会信用代码*", "企业名称*", "所属单位*"}, Rows: []registry.TableRow{{Line: 2, Cells: row}}}
		b, err := registry.Enterprises.Prepare(tbl, env)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ImportBatch(ctx, b, scope, audit.System("test"), store.ImportOptions{}); !apperr.Is(err, apperr.Invalid) ||
			len(b.Errors()) != 1 || !strings.Contains(b.Errors()[0].Reason, "其他单位") {
			t.Fatalf("import over a foreign record: %v %+v", err, b.Errors())
		}
		if r, _ := db.Record(ctx, auth.Everything, registry.Enterprises, foreign.ID); r.Values["name"] == "篡改" {
			t.Fatal("the foreign record changed")
		}
	})
}

// TestRegistryVersionConflict: an edit against an old version is refused.
func TestRegistryVersionConflict(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		city, county := createUnits(t, db)
		if _, _, err := importFile(t, db, registry.Enterprises, "企业.xlsx", xlsxOf(t, registry.Enterprises, sampleEnterprises(1, city, county))); err != nil {
			t.Fatal(err)
		}
		recs, _, _ := db.Records(ctx, auth.Everything, registry.Enterprises, registry.Filter{})
		first := recs[0]
		save := func(name string, version int64) error {
			r := first
			r.Values = map[string]string{}
			for k, v := range first.Values {
				r.Values[k] = v
			}
			r.Values["name"] = name
			return db.InTx(ctx, func(tx *store.Tx) error {
				_, err := tx.SaveRecord(registry.Enterprises, r, auth.Everything, audit.System("test"), version)
				return err
			})
		}
		if err := save("甲", first.Version); err != nil {
			t.Fatal(err)
		}
		if err := save("乙", first.Version); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("stale edit: %v", err)
		}
	})
}

// TestRegistryFlowQueries: contract sums and new provincial platforms in a
// year equal sums made here, for the city and per unit; the filters of a
// list select what they say.
func TestRegistryFlowQueries(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		city, county := createUnits(t, db)
		var contracts, platforms [][]string
		var wantSum, wantTech, wantCounty int64
		for i := 0; i < 30; i++ {
			unit := city.Name
			if i%2 == 0 {
				unit = county.Name
			}
			year := 2022 + i%3 // 2022, 2023, 2024
			value := int64(10000*(i+1) + i)
			tech := value - int64(i*7)
			reg := fmt.Sprintf("%d-%02d-%02d", year, 1+i%12, 1+i%28)
			contracts = append(contracts, []string{fmt.Sprintf("R%04d", i), "合同", registry.ContractTypes[i%5], "卖方", "", unit, "买方", "",
				fmt.Sprint(value), fmt.Sprint(tech), "", reg})
			if year == 2023 && reg <= "2023-09-30" {
				wantSum += value
				wantTech += tech
				if unit == county.Name {
					wantCounty += value
				}
			}
			level := registry.PlatformLevels[i%3]
			platforms = append(platforms, []string{fmt.Sprintf("平台%02d", i), "孵化器", level, "依托", "", unit, reg})
		}
		for k, rows := range map[*registry.Kind][][]string{registry.Contracts: contracts, registry.Platforms: platforms} {
			if _, _, err := importFile(t, db, k, k.Name+".xlsx", xlsxOf(t, k, rows)); err != nil {
				t.Fatal(err)
			}
		}
		asOf := time.Date(2023, 9, 30, 0, 0, 0, 0, time.UTC)
		check := func(q registry.QueryKind, unit int64, want int64) {
			t.Helper()
			got, err := registry.Compute(ctx, db, q, unit, asOf)
			if err != nil || got.Value != want {
				t.Fatalf("%s unit %d: %+v %v, want %d", q, unit, got, err, want)
			}
		}
		check(registry.ContractValue, 0, wantSum)
		check(registry.TechValue, 0, wantTech)
		check(registry.ContractValue, county.ID, wantCounty)
		check(registry.ContractValue, city.ID, wantSum) // the city's subtree is everything
		var wantPlatforms int64
		for _, p := range platforms {
			if p[2] != "市" && p[6] >= "2023-01-01" && p[6] <= "2023-09-30" {
				wantPlatforms++
			}
		}
		check(registry.PlatformsNew, 0, wantPlatforms)

		// Filters, sorting and paging.
		f := registry.Filter{Eq: map[string]string{"type": "技术开发"}, From: "2023-01-01", To: "2023-12-31", Sort: "contract_value", Desc: true, Limit: 2}
		recs, total, err := db.Records(ctx, auth.Everything, registry.Contracts, f)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, c := range contracts {
			if c[2] == "技术开发" && c[11] >= "2023-01-01" && c[11] <= "2023-12-31" {
				want++
			}
		}
		if total != want || len(recs) != min(2, want) || (len(recs) == 2 && recs[0].Int("contract_value") < recs[1].Int("contract_value")) {
			t.Fatalf("filtered: %d of %d, %+v", total, want, recs)
		}
		page2, _, _ := db.Records(ctx, auth.Everything, registry.Platforms, registry.Filter{Sort: "name", Limit: 10, Offset: 10})
		if len(page2) != 10 || page2[0].V("name") != "平台10" {
			t.Fatalf("page 2: %+v", page2)
		}
		if _, n, _ := db.Records(ctx, auth.Everything, registry.Platforms, registry.Filter{UnitID: county.ID}); n != 15 {
			t.Fatalf("county platforms: %d", n)
		}
	})
}
