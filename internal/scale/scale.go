// Package scale generates a synthetic data set of any size (luoshi demo
// generate --scale N) and computes the dashboard's registry figures the
// plain way, so that the maintained aggregates can be measured against raw
// SQL at the size of a province (issue 10).
//
// Scale 1 is one city: 8 units (5 counties and districts, 3 parks), 5,000
// enterprises with their high-tech certificates and SME registrations,
// 10,000 technology contracts and 200 platforms. Scale 100 is about
// 500,000 enterprises and 1,000,000 contracts over 800 units. Everything is
// labelled synthetic (合成, 演示数据).
package scale

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/indicator"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/registry"
	"github.com/luoshi/luoshi/internal/store"
)

// Per unit of scale (one city of 8 units).
const (
	UnitsPerCity       = 8
	EnterprisesPerCity = 5000
	ContractsPerCity   = 10000
	PlatformsPerCity   = 200
	MaxScale           = 1000
)

// PlanTitle names the synthetic plan the generator makes.
const PlanTitle = "合成数据压力测试计划(演示数据)"

// Options set a generation.
type Options struct {
	Scale int
	Year  int    // the plan's year; default 2023
	Seed  uint64 // default 1
	// Progress, when set, receives a line per stage.
	Progress io.Writer
}

// Result counts what was made.
type Result struct {
	Units, Enterprises, Qualifications, Contracts, Platforms int
	PlanID                                                   int64
	Elapsed                                                  time.Duration
}

type gen struct {
	ctx  context.Context
	db   *store.DB
	opt  Options
	r    *rand.Rand
	now  time.Time
	res  Result
	rows map[string][][]any
	cols map[string][]string
}

func (g *gen) logf(format string, args ...any) {
	if g.opt.Progress != nil {
		fmt.Fprintf(g.opt.Progress, format+"\n", args...)
	}
}

// Generate adds the synthetic units, registries and a plan bound to the
// registries to db. A database that already holds generated units is
// refused: run it on a fresh database.
func Generate(ctx context.Context, db *store.DB, opt Options) (Result, error) {
	start := time.Now()
	if opt.Scale < 1 || opt.Scale > MaxScale {
		return Result{}, apperr.WithFields("规模有误", map[string]string{"scale": fmt.Sprintf("--scale 须为 1 至 %d 的整数", MaxScale)})
	}
	if opt.Year == 0 {
		opt.Year = 2023
	}
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	if _, err := db.UnitByCode(ctx, "syn-001-1"); err == nil {
		return Result{}, apperr.New(apperr.Conflict, "该数据库已生成过合成数据,请使用新的数据库")
	}
	g := &gen{ctx: ctx, db: db, opt: opt, r: rand.New(rand.NewPCG(opt.Seed, 42)), now: db.Now(),
		rows: map[string][][]any{}, cols: map[string][]string{
			"reg_enterprises":    {"uscc", "name", "unit_id", "industry", "address", "contact", "phone", "version", "created_at", "updated_at"},
			"reg_qualifications": {"enterprise_id", "kind", "number", "year", "issued_on", "expires_on", "revoked_on", "version", "created_at", "updated_at"},
			"reg_contracts": {"reg_no", "name", "type", "seller", "seller_uscc", "unit_id", "buyer", "buyer_region", "contract_value",
				"tech_value", "signed_on", "registered_on", "version", "created_at", "updated_at"},
			"reg_platforms": {"name", "kind", "level", "host", "host_uscc", "unit_id", "approved_on", "version", "created_at", "updated_at"},
		}}
	units, err := g.units()
	if err != nil {
		return g.res, err
	}
	g.logf("单位: %d", len(units))
	for i, u := range units {
		if err := g.unitData(u, i); err != nil {
			return g.res, err
		}
		if (i+1)%UnitsPerCity == 0 {
			if err := g.flush(); err != nil {
				return g.res, err
			}
			if (i+1)%(UnitsPerCity*10) == 0 {
				g.logf("已生成 %d/%d 个单位的数据", i+1, len(units))
			}
		}
	}
	if err := g.flush(); err != nil {
		return g.res, err
	}
	g.logf("企业 %d 家, 资质 %d 条, 技术合同 %d 份, 平台 %d 个; 重建汇总表…", g.res.Enterprises, g.res.Qualifications,
		g.res.Contracts, g.res.Platforms)
	if err := db.RebuildRegistryAggregates(ctx); err != nil {
		return g.res, err
	}
	if err := g.plan(units); err != nil {
		return g.res, err
	}
	g.res.Elapsed = time.Since(start)
	return g.res, nil
}

var kinds = []struct {
	kind   org.Kind
	suffix string
}{{org.County, "县"}, {org.County, "县"}, {org.District, "区"}, {org.District, "区"}, {org.County, "市"},
	{org.Park, "高新区"}, {org.Park, "经开区"}, {org.Park, "新区"}}

func (g *gen) units() ([]org.Unit, error) {
	root, rootErr := g.db.RootUnit(g.ctx)
	if rootErr != nil && !apperr.Is(rootErr, apperr.NotFound) {
		return nil, rootErr
	}
	var out []org.Unit
	err := g.db.InTx(g.ctx, func(tx *store.Tx) error {
		if rootErr != nil { // no units yet: a synthetic city
			root = org.Unit{Code: "syn-city", Name: "合成市", Kind: org.City, DivisionCode: "890000"}
			if err := tx.CreateUnit(&root); err != nil {
				return err
			}
		}
		for c := 1; c <= g.opt.Scale; c++ {
			for j, k := range kinds {
				u := org.Unit{Code: fmt.Sprintf("syn-%03d-%d", c, j+1), Name: fmt.Sprintf("合成%03d%s%d", c, k.suffix, j+1),
					Kind: k.kind, ParentID: root.ID, Sort: 1000 + c*10 + j}
				if k.kind != org.Park {
					// Synthetic division codes: 89xxxx is no real province.
					u.DivisionCode = fmt.Sprintf("89%04d", (c-1)*UnitsPerCity+j+1)
				}
				if err := tx.CreateUnit(&u); err != nil {
					return err
				}
				out = append(out, u)
			}
		}
		return tx.Audit(audit.System("generate").New(audit.DemoLoaded, "unit", "synthetic", nil,
			map[string]any{"scale": g.opt.Scale, "note": "演示数据:合成单位"}))
	})
	g.res.Units = len(out)
	return out, err
}

func (g *gen) date(from, to time.Time) string {
	span := int(to.Sub(from).Hours() / 24)
	return from.AddDate(0, 0, g.r.IntN(span+1)).Format(time.DateOnly)
}

var industries = []string{"锂电", "电子信息", "能源化工", "装备制造", "食品", "生物医药", "新材料"}

func (g *gen) add(table string, row ...any) { g.rows[table] = append(g.rows[table], row) }

// unitData makes one unit's records; qualifications wait for the
// enterprises' ids (flush).
func (g *gen) unitData(u org.Unit, i int) error {
	y := g.opt.Year
	jan, dec := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)
	per := EnterprisesPerCity / UnitsPerCity
	for e := 0; e < per; e++ {
		n := i*per + e
		uscc := registry.MakeUSCC(fmt.Sprintf("91519900%09d", n))
		g.add("reg_enterprises", uscc, fmt.Sprintf("合成科技企业%07d有限公司", n), u.ID, industries[g.r.IntN(len(industries))],
			u.Name, "", "", 1, g.now, g.now)
	}
	g.res.Enterprises += per
	for c := 0; c < ContractsPerCity/UnitsPerCity; c++ {
		n := g.res.Contracts
		reg := g.date(jan.AddDate(-1, 0, 0), dec)
		if g.r.IntN(10) < 7 {
			reg = g.date(jan, dec)
		}
		value := int64(math.Exp(math.Log(50_000)+g.r.Float64()*math.Log(100))) / 100 * 100
		tech := value * int64(60+g.r.IntN(36)) / 100
		g.add("reg_contracts", fmt.Sprintf("HT%d%08d", y, n), "合成技术开发合同", []string{"技术开发", "技术转让", "技术许可", "技术咨询", "技术服务"}[g.r.IntN(5)],
			u.Name+"某企业", "", u.ID, "某采购方", "四川省", value, tech, reg, reg, 1, g.now, g.now)
		g.res.Contracts++
	}
	for p := 0; p < PlatformsPerCity/UnitsPerCity; p++ {
		level := "市"
		switch x := g.r.IntN(100); {
		case x < 5:
			level = "国家"
		case x < 40:
			level = "省"
		}
		g.add("reg_platforms", fmt.Sprintf("合成平台%07d", g.res.Platforms), "工程技术研究中心", level, u.Name+"某企业", "", u.ID,
			g.date(time.Date(y-8, 1, 1, 0, 0, 0, 0, time.UTC), dec), 1, g.now, g.now)
		g.res.Platforms++
	}
	return nil
}

// flush writes the rows made so far in one transaction, then the
// qualifications of the new enterprises.
func (g *gen) flush() error {
	if len(g.rows["reg_enterprises"]) == 0 && len(g.rows["reg_contracts"]) == 0 {
		return nil
	}
	before, err := g.db.MaxID(g.ctx, "reg_enterprises")
	if err != nil {
		return err
	}
	err = g.db.InTx(g.ctx, func(tx *store.Tx) error {
		for _, t := range []string{"reg_enterprises", "reg_contracts", "reg_platforms"} {
			if err := tx.BulkInsert(t, g.cols[t], g.rows[t]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	ids, err := g.db.IDsAbove(g.ctx, "reg_enterprises", "uscc", before)
	if err != nil {
		return err
	}
	y := g.opt.Year
	for _, row := range g.rows["reg_enterprises"] {
		id := ids[row[0].(string)]
		// About one in ten holds a certificate issued in the last three
		// years; a few renew early or are revoked.
		if g.r.IntN(10) == 0 {
			issued := g.date(time.Date(y-3, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC))
			revoked := ""
			if g.r.IntN(100) == 0 {
				revoked = g.date(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC))
			}
			g.add("reg_qualifications", id, "hte", fmt.Sprintf("GR%d%07d", y, id), 0, issued, registry.HTEExpiry(issued), revoked, 1, g.now, g.now)
			g.res.Qualifications++
		}
		for _, yr := range []int{y - 1, y} {
			if g.r.IntN(100) < 13 {
				g.add("reg_qualifications", id, "tsme", fmt.Sprintf("TS%d%07d", yr, id), yr, "", "", "", 1, g.now, g.now)
				g.res.Qualifications++
			}
		}
	}
	err = g.db.InTx(g.ctx, func(tx *store.Tx) error {
		return tx.BulkInsert("reg_qualifications", g.cols["reg_qualifications"], g.rows["reg_qualifications"])
	})
	for t := range g.rows {
		g.rows[t] = g.rows[t][:0]
	}
	return err
}

// plan makes an active plan whose headline targets are bound to the
// registry queries and allocated to the synthetic units, with targets a
// little above what the data reach so that some units are behind.
func (g *gen) plan(units []org.Unit) error {
	y := g.opt.Year
	end := fmt.Sprintf("%d-12-31", y)
	count := func(k registry.QueryKind) float64 {
		v, _ := g.db.RegistryAggregate(g.ctx, registry.Query{Kind: k, AsOf: end, From: fmt.Sprintf("%d-01-01", y), To: end, Year: y})
		return float64(v)
	}
	hte, tsme, cv, pf := count(registry.HTEValid), count(registry.TSMERegistered), count(registry.ContractValue), count(registry.PlatformsNew)
	p := &plan.Plan{Title: PlanTitle, Issuer: "合成市科学技术局", Year: y, Status: "draft",
		Targets: []plan.Target{
			{Name: "国家高新技术企业", Value: math.Round(hte * 1.05), Unit: "家", Comparator: plan.AtLeast, Source: "合成目标"},
			{Name: "入库备案国家科技型中小企业", Value: math.Round(tsme * 1.05), Unit: "家", Comparator: plan.AtLeast, Source: "合成目标"},
			{Name: "技术合同认定登记额", Value: math.Round(cv*1.05/1e6) * 1e6, Unit: "元", Comparator: plan.MoreThan, Source: "合成目标"},
			{Name: "省级以上创新平台", Value: math.Max(1, math.Round(pf*1.05)), Unit: "个", Comparator: plan.AtLeast, Source: "合成目标"},
		}}
	return g.db.InTx(g.ctx, func(tx *store.Tx) error {
		if err := tx.CreatePlan(p); err != nil {
			return err
		}
		src := audit.System("generate")
		for _, t := range p.Targets {
			q, ok := registry.SuggestQuery(t.Name, t.Unit)
			if !ok {
				return fmt.Errorf("scale: no query for %s", t.Name)
			}
			if err := tx.BindIndicator(t.ID, q, src); err != nil {
				return err
			}
			share := t.Value / float64(len(units))
			if t.Unit != "元" {
				share = math.Ceil(share)
			}
			for _, u := range units {
				a := indicator.Allocation{IndicatorID: t.ID, UnitID: u.ID, Target: share}
				if _, err := tx.SetAllocation(&a); err != nil {
					return err
				}
			}
		}
		g.res.PlanID = p.ID
		return tx.Audit(src.New(audit.DemoLoaded, "plan", fmt.Sprint(p.ID), nil, map[string]any{"scale": g.opt.Scale,
			"enterprises": g.res.Enterprises, "contracts": g.res.Contracts, "note": "演示数据:合成数据集"}))
	})
}
