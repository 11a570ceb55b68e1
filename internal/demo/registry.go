package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/registry"
	"github.com/luoshi/luoshi/internal/store"
)

// RegistryResult says what LoadRegistry did.
type RegistryResult struct {
	Loaded bool
	// Counts by registry name.
	Counts map[string]int
	// Bound names the headline indicators bound to registry queries.
	Bound []string
}

// registrySeed makes the synthetic data the same on every run.
const registrySeed = 20230228

// DemoYear is the year the synthetic registry data centres on: the demo
// plan's year when there is one.
func demoYear(ctx context.Context, db *store.DB) (int, int64, error) {
	plans, err := db.Plans(ctx, auth.Everything)
	if err != nil || len(plans) == 0 {
		return time.Now().Year(), 0, err
	}
	return plans[0].Year, plans[0].ID, nil
}

// LoadRegistry fills empty registries with a clearly labelled synthetic
// data set (演示数据): a few hundred enterprises with valid USCCs spread
// over the database's counties, districts and parks, with high-tech
// certificates, SME registrations and other qualifications; technology
// contracts; platforms; projects; talent teams and science commissioners.
// It then binds the newest plan's headline indicators to registry queries
// by their names (registry.SuggestQuery). Registries that hold data are
// left alone. Everything is one transaction with one audit entry.
func LoadRegistry(ctx context.Context, db *store.DB) (RegistryResult, error) {
	res := RegistryResult{Counts: map[string]int{}}
	for _, k := range registry.Kinds {
		if n, err := db.CountRecords(ctx, auth.Everything, k); err != nil || n > 0 {
			return res, err
		}
	}
	units, err := db.Units(ctx)
	if err != nil {
		return res, err
	}
	year, planID, err := demoYear(ctx, db)
	if err != nil {
		return res, err
	}
	var places []org.Unit
	var city org.Unit
	for _, u := range units {
		switch u.Kind {
		case org.County, org.District, org.Park:
			places = append(places, u)
		case org.City:
			city = u
		}
	}
	if len(places) == 0 {
		return res, nil
	}
	g := &gen{r: rand.New(rand.NewPCG(registrySeed, 9)), places: places, city: city, year: year}
	recs := g.all()
	src := audit.System("demo")
	err = db.InTx(ctx, func(tx *store.Tx) error {
		for _, kr := range recs {
			// Merged by natural key: an enterprise added twice gets a
			// second version (a renewed certificate), as in real use.
			sr, err := tx.SaveRecord(kr.kind, kr.rec, auth.Everything, src, 0)
			if err != nil {
				return fmt.Errorf("demo: %s %v: %w", kr.kind.Name, kr.rec.Values, err)
			}
			if sr.Outcome == store.Created {
				res.Counts[kr.kind.Name]++
			}
		}
		if planID != 0 {
			p, err := db.Plan(ctx, auth.Everything, planID)
			if err != nil {
				return err
			}
			for _, t := range p.Targets {
				if q, ok := registry.SuggestQuery(t.Name, t.Unit); ok {
					if err := tx.BindIndicator(t.ID, q, src); err != nil {
						return err
					}
					res.Bound = append(res.Bound, t.Name)
				}
			}
			for _, s := range p.Sections {
				res.Bound = append(res.Bound, bindTasks(tx, s.Items, src)...)
			}
		}
		return tx.Audit(src.New(audit.DemoLoaded, "registry", "demo", nil, map[string]any{"counts": res.Counts, "bound": res.Bound,
			"note": "演示数据:合成的科技主体库数据,非真实企业"}))
	})
	if err != nil {
		return res, err
	}
	res.Loaded = true
	return res, nil
}

// bindTasks binds the work items' targets too (e.g. 新增省级以上创新平台).
func bindTasks(tx *store.Tx, items []plan.Task, src audit.Source) []string {
	var out []string
	for _, it := range items {
		for _, t := range it.Targets {
			if q, ok := registry.SuggestQuery(t.Name, t.Unit); ok && tx.BindIndicator(t.ID, q, src) == nil {
				out = append(out, t.Name)
			}
		}
	}
	return out
}

type kindRecord struct {
	kind *registry.Kind
	rec  registry.Record
}

type gen struct {
	r      *rand.Rand
	places []org.Unit
	city   org.Unit
	year   int
	seen   map[string]bool
}

var (
	nameWords1 = []string{"创新", "天源", "瑞达", "锂能", "金鑫", "华信", "川中", "盛世", "宏远", "新兴", "中科", "蓝海", "恒泰", "博瑞", "聚力", "鼎盛", "优能", "星辰", "安泰", "和信"}
	nameWords2 = []string{"新材料", "电子", "智能装备", "生物", "食品", "能源", "化工", "精密机械", "信息技术", "环保", "医药", "农业", "电池", "光电", "汽车部件"}
	suffixes   = []string{"科技有限公司", "股份有限公司", "有限责任公司", "技术有限公司"}
	buyers     = []string{"四川省成都市", "重庆市", "四川省遂宁市", "四川省绵阳市", "广东省深圳市", "江苏省苏州市", "浙江省杭州市"}
	surnames   = []string{"张", "王", "李", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "胡", "朱", "何"}
	given      = []string{"伟", "芳", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "霞", "平", "刚"}
	schools    = []string{"四川大学", "电子科技大学", "西南交通大学", "西南石油大学", "四川农业大学", "西南科技大学", "四川省农业科学院"}
)

func (g *gen) pick(s []string) string { return s[g.r.IntN(len(s))] }

// place picks a unit, weighted towards the first ones (the larger
// districts come first in the demo's unit order).
func (g *gen) place() org.Unit {
	i := min(g.r.IntN(len(g.places)), g.r.IntN(len(g.places)+2))
	return g.places[min(i, len(g.places)-1)]
}

// orgCodeChars are the characters of a GB 11714 organisation code.
const orgCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// uscc makes a valid USCC for unit: registration authority 9 (market
// regulation), category 1 (enterprise), the unit's division code (a park
// uses its city's), an organisation code with its GB 11714 check digit,
// and the GB 32100 check character.
func (g *gen) uscc(u org.Unit) string {
	div := u.DivisionCode
	if div == "" {
		div = g.city.DivisionCode
	}
	if div == "" {
		div = "510000"
	}
	for {
		body := "MA6"
		for i := 0; i < 5; i++ {
			body += string(orgCodeChars[g.r.IntN(len(orgCodeChars))])
		}
		weights := []int{3, 7, 9, 10, 5, 8, 4, 2}
		sum := 0
		for i, c := range body {
			v := int(c - '0')
			if c >= 'A' {
				v = int(c-'A') + 10
			}
			sum += v * weights[i]
		}
		c := 11 - sum%11
		check := strconv.Itoa(c)
		switch c {
		case 10:
			check = "X"
		case 11:
			check = "0"
		}
		code := registry.MakeUSCC("91" + div + body + check)
		if !g.seen[code] {
			g.seen[code] = true
			return code
		}
	}
}

func (g *gen) date(year int) string {
	return time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.r.IntN(365)).Format(time.DateOnly)
}

func (g *gen) person() string {
	return g.pick(surnames) + g.pick(given) + g.pick([]string{"", g.pick(given)})
}

func (g *gen) all() []kindRecord {
	g.seen = map[string]bool{}
	var out []kindRecord
	add := func(k *registry.Kind, u org.Unit, v map[string]string) {
		v["unit"] = u.Name
		out = append(out, kindRecord{k, registry.Record{UnitID: u.ID, Values: v}})
	}
	y := g.year
	var enterprises []map[string]string
	names := map[string]bool{}
	for i := 0; i < 600; i++ {
		u := g.place()
		short := []rune(u.Name)
		name := ""
		for name == "" || names[name] {
			name = string(short[:min(2, len(short))]) + g.pick(nameWords1) + g.pick(nameWords2) + g.pick(suffixes)
		}
		names[name] = true
		v := map[string]string{"uscc": g.uscc(u), "name": name, "industry": g.pick(registry.DefaultOptions["industry"]),
			"address": fmt.Sprintf("%s%s路%d号", u.Name, g.pick(nameWords1), 1+g.r.IntN(300)), "contact": g.person(),
			"phone": fmt.Sprintf("1%d%08d", 3+g.r.IntN(7), g.r.IntN(100000000))}
		if g.r.Float64() < 0.36 {
			issued := g.date(y - 5 + g.r.IntN(6))
			if issued[:4] <= strconv.Itoa(y-3) && g.r.Float64() < 0.7 {
				// Re-certified three years on: the old certificate stays in history.
				add(registry.Enterprises, u, copyMap(v, map[string]string{"hte_no": fmt.Sprintf("GR%s51%06d", issued[:4], g.r.IntN(1000000)), "hte_issued": issued}))
				t, _ := time.Parse(time.DateOnly, issued)
				issued = t.AddDate(3, 0, -g.r.IntN(20)).Format(time.DateOnly)
			}
			v["hte_no"], v["hte_issued"] = fmt.Sprintf("GR%s51%06d", issued[:4], g.r.IntN(1000000)), issued
			if g.r.Float64() < 0.03 {
				t, _ := time.Parse(time.DateOnly, issued)
				v["hte_revoked"] = t.AddDate(1, g.r.IntN(12), 0).Format(time.DateOnly)
			}
		}
		if g.r.Float64() < 0.9 {
			ty := y
			if g.r.Float64() < 0.15 {
				ty = y - 1
			}
			if ty > y-1 && g.r.Float64() < 0.5 {
				add(registry.Enterprises, u, copyMap(v, map[string]string{"tsme_no": fmt.Sprintf("%d%s%05d", y-1, u.DivisionCode, i), "tsme_year": strconv.Itoa(y - 1)}))
			}
			v["tsme_no"], v["tsme_year"] = fmt.Sprintf("%d%s%05d", ty, u.DivisionCode, i), strconv.Itoa(ty)
		}
		var others []string
		if g.r.Float64() < 0.12 {
			others = append(others, "专精特新")
		}
		if g.r.Float64() < 0.06 {
			others = append(others, "瞪羚企业")
		}
		v["others"] = strings.Join(others, "、")
		add(registry.Enterprises, u, v)
		enterprises = append(enterprises, v)
	}
	for i := 0; i < 380; i++ {
		e := enterprises[g.r.IntN(len(enterprises))]
		u, _ := g.unitByName(e["unit"])
		ry := y
		if i%4 == 0 {
			ry = y - 1
		}
		// Most contracts are small; a few are large.
		value := int64(50000 + g.r.IntN(2000000))
		if g.r.Float64() < 0.25 {
			value = int64(2000000 + g.r.IntN(13000000))
		}
		tech := value * int64(60+g.r.IntN(41)) / 100
		reg := g.date(ry)
		rt, _ := time.Parse(time.DateOnly, reg)
		add(registry.Contracts, u, map[string]string{"reg_no": fmt.Sprintf("%d51%04d%06d", ry, 900+g.r.IntN(99), i+1),
			"name": g.pick(nameWords2) + g.pick([]string{"关键技术研发", "工艺改进", "检测服务", "技术咨询", "专利许可", "成果转让"}) + "合同",
			"type": g.pick(registry.ContractTypes), "seller": e["name"], "seller_uscc": e["uscc"],
			"buyer": g.pick(nameWords1) + g.pick(nameWords2) + g.pick(suffixes), "buyer_region": g.pick(buyers),
			"contract_value": strconv.FormatInt(value, 10), "tech_value": strconv.FormatInt(tech, 10),
			"signed_on": rt.AddDate(0, 0, -g.r.IntN(40)).Format(time.DateOnly), "registered_on": reg})
	}
	kinds := registry.DefaultOptions["platform_kind"]
	for i := 0; i < 72; i++ {
		e := enterprises[g.r.IntN(len(enterprises))]
		u, _ := g.unitByName(e["unit"])
		level := "市"
		switch f := g.r.Float64(); {
		case f < 0.06:
			level = "国家"
		case f < 0.38:
			level = "省"
		}
		kind := g.pick(kinds)
		add(registry.Platforms, u, map[string]string{"name": fmt.Sprintf("%s%s%s", strings.TrimSuffix(strings.TrimSuffix(e["name"], "有限公司"), "股份"), map[string]string{"国家": "国家级", "省": "省级", "市": "市级"}[level], kind),
			"kind": kind, "level": level, "host": e["name"], "host_uscc": e["uscc"], "approved_on": g.date(y - 8 + g.r.IntN(9))})
	}
	cats := registry.DefaultOptions["project_category"]
	for i := 0; i < 60; i++ {
		e := enterprises[g.r.IntN(len(enterprises))]
		u, _ := g.unitByName(e["unit"])
		start := g.date(y - 2 + g.r.IntN(3))
		st, _ := time.Parse(time.DateOnly, start)
		status := "在研"
		if st.Year() < y-1 {
			status = g.pick([]string{"在研", "结题"})
		}
		add(registry.Projects, u, map[string]string{"code": fmt.Sprintf("%dKJ%04d", st.Year(), i+1),
			"name":     g.pick(nameWords2) + g.pick([]string{"关键技术攻关", "产业化示范", "新产品开发", "成果转化"}) + "项目",
			"category": g.pick(cats), "owner": e["name"], "budget": strconv.Itoa((10 + g.r.IntN(290)) * 10000),
			"start_on": start, "end_on": st.AddDate(2, 0, -1).Format(time.DateOnly), "status": status})
	}
	for i := 0; i < 45; i++ {
		e := enterprises[g.r.IntN(len(enterprises))]
		u, _ := g.unitByName(e["unit"])
		leader := g.person()
		add(registry.Teams, u, map[string]string{"name": fmt.Sprintf("%s%s创新团队", leader, g.pick(nameWords2)), "leader": leader,
			"host": e["name"], "field": g.pick(nameWords2), "members": strconv.Itoa(3 + g.r.IntN(20)), "year": strconv.Itoa(y - 2 + g.r.IntN(3))})
	}
	seenC := map[string]bool{}
	for i := 0; i < 80; i++ {
		u := g.place()
		name, school := g.person(), g.pick(schools)
		if seenC[name+school] {
			continue
		}
		seenC[name+school] = true
		add(registry.Commissioners, u, map[string]string{"name": name, "employer": school,
			"served":    u.Name + g.pick(nameWords1) + g.pick([]string{"合作社", "种植基地", "家庭农场"}),
			"expertise": g.pick([]string{"果树栽培", "生猪养殖", "水产养殖", "农产品加工", "植物保护", "土壤肥料", "蔬菜种植"}), "year": strconv.Itoa(y)})
	}
	return out
}

func (g *gen) unitByName(name string) (org.Unit, bool) {
	for _, u := range g.places {
		if u.Name == name {
			return u, true
		}
	}
	return g.places[0], false
}

func copyMap(base, over map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}
