package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/luoshi/luoshi/internal/demo"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/testenv"
)

// The bulletin of June 2023 on the demo, on both engines: the workbook
// opens, and each headline figure and each indicator's top-ranked unit
// equal a computation made here from the raw rows.
func TestBulletinCommand(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			dsn, driver := filepath.Join(t.TempDir(), "luoshi.db"), "sqlite"
			if engine == "postgres" {
				dsn, driver = testenv.PostgresURL(t), "pgx"
			}
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			res, err := demo.Load(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			db.Close()

			out := filepath.Join(t.TempDir(), "通报.xlsx")
			var o, e bytes.Buffer
			if err := cmdBulletin(ctx, []string{"--db", dsn, "--period", "2023-06", "--out", out}, env(func(string) string { return "" }), &o, &e); err != nil {
				t.Fatalf("bulletin: %v %s", err, e.String())
			}
			if !strings.Contains(o.String(), "2023年6月") {
				t.Errorf("stdout %q", o.String())
			}
			x, err := excelize.OpenFile(out)
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()

			raw, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			rows, err := raw.Query(`SELECT id, name, unit, lag_months FROM indicators WHERE plan_id = $1 AND task_id IS NULL ORDER BY sort, id`, res.PlanID)
			if err != nil {
				t.Fatal(err)
			}
			type ind struct {
				id      int64
				name, u string
				lag     int
			}
			var inds []ind
			for rows.Next() {
				var i ind
				rows.Scan(&i.id, &i.name, &i.u, &i.lag)
				inds = append(inds, i)
			}
			rows.Close()
			if len(inds) != 5 {
				t.Fatalf("%d headline indicators", len(inds))
			}
			ranking, _ := x.GetRows("指标排名")
			for n, i := range inds {
				period := fmt.Sprintf("2023-%02d", 6-i.lag)
				var sum float64
				if err := raw.QueryRow(`SELECT SUM(value) FROM indicator_values WHERE indicator_id = $1 AND period = $2`, i.id, period).Scan(&sum); err != nil {
					t.Fatal(err)
				}
				div := 1.0
				if i.u == "元" {
					div = 1e8
				}
				cell := "C" + strconv.Itoa(5+n)
				got, _ := x.GetCellValue("汇总", cell, excelize.Options{RawCellValue: true})
				v, err := strconv.ParseFloat(got, 64)
				if err != nil || math.Abs(v*div-sum) > 1e-3*math.Max(1, div) {
					t.Errorf("%s: %s = %q, want %v", i.name, cell, got, sum/div)
				}
				// The top of the ranking is the unit with the best value/share.
				var best string
				var bestC float64 = -1
				r2, _ := raw.Query(`SELECT u.name, v.value / a.target_value FROM indicator_values v
					JOIN indicator_allocations a ON a.indicator_id = v.indicator_id AND a.unit_id = v.unit_id
					JOIN units u ON u.id = v.unit_id WHERE v.indicator_id = $1 AND v.period = $2 ORDER BY u.sort`, i.id, period)
				for r2.Next() {
					var name string
					var c float64
					r2.Scan(&name, &c)
					if c > bestC+1e-12 {
						best, bestC = name, c
					}
				}
				r2.Close()
				found := false
				for _, row := range ranking {
					if len(row) > 2 && row[0] == i.name && row[1] == "1" {
						found = row[2] == best
						break
					}
				}
				if !found {
					t.Errorf("%s: first place is not %s", i.name, best)
				}
			}
			if err := cmdBulletin(ctx, []string{"--db", dsn, "--period", "2023-6", "--out", out}, env(func(string) string { return "" }), &o, &e); err == nil {
				t.Error("a bad period was accepted")
			}
			if err := cmdBulletin(ctx, []string{"--db", dsn, "--period", "2031-06", "--out", out}, env(func(string) string { return "" }), &o, &e); err == nil || !strings.Contains(e.String(), "没有 2031 年的计划") {
				t.Errorf("a year with no plan: %v %s", err, e.String())
			}
		})
	}
}

func TestDemoGenerateCommand(t *testing.T) {
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "scale.db")
	getenv := env(func(string) string { return "" })
	var o, e bytes.Buffer
	if err := cmdDemo(ctx, []string{"generate", "--db", dsn, "--scale", "1"}, getenv, &o, &e); err != nil {
		t.Fatalf("generate: %v %s", err, e.String())
	}
	if !strings.Contains(o.String(), "8 个单位, 5000 家企业") {
		t.Errorf("stdout %q", o.String())
	}
	o.Reset()
	e.Reset()
	if err := cmdDemo(ctx, []string{"generate", "--db", dsn, "--scale", "1"}, getenv, &o, &e); err == nil || !strings.Contains(e.String(), "已生成过") {
		t.Errorf("second run: %v %q", err, e.String())
	}
	if err := cmdDemo(ctx, []string{"generate", "--db", dsn, "--scale", "5000"}, getenv, &o, &e); err == nil {
		t.Error("scale 5000 accepted")
	}
	if err := cmdDemo(ctx, []string{"nonsense"}, getenv, &o, &e); err == nil {
		t.Error("an unknown demo command was accepted")
	}
}
