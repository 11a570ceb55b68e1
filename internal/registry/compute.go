package registry

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/org"
)

// QueryKind names a registry query an indicator can be bound to instead of
// manual entry (DESIGN.md: Compute).
type QueryKind string

const (
	// HTEValid counts enterprises holding a 国家高新技术企业 certificate in
	// force on the date (a stock).
	HTEValid QueryKind = "hte_valid"
	// TSMERegistered counts enterprises registered as 科技型中小企业 for the
	// year (a stock per year).
	TSMERegistered QueryKind = "tsme_registered"
	// ContractValue sums the contract value (合同成交额) of technology
	// contracts registered from 1 January to the date (a flow, yuan).
	ContractValue QueryKind = "contract_value"
	// TechValue sums their technology transaction value (技术交易额).
	TechValue QueryKind = "tech_value"
	// PlatformsNew counts platforms of provincial level or above approved
	// from 1 January to the date (a flow).
	PlatformsNew QueryKind = "platforms_new"
	// TeamsNew counts talent teams introduced in the year.
	TeamsNew QueryKind = "teams_new"
)

// QueryInfo describes a query for people: its Chinese title and the unit
// of its value.
type QueryInfo struct {
	Kind  QueryKind `json:"kind"`
	Title string    `json:"title"`
	Unit  string    `json:"unit"`
	// Registry is the registry the query counts, for links.
	Registry string `json:"registry"`
}

// Queries lists every query kind.
var Queries = []QueryInfo{
	{HTEValid, "持有效证书的国家高新技术企业数", "家", Enterprises.Name},
	{TSMERegistered, "当年入库科技型中小企业数", "家", Enterprises.Name},
	{ContractValue, "当年登记技术合同成交额", "元", Contracts.Name},
	{TechValue, "当年登记技术合同技术交易额", "元", Contracts.Name},
	{PlatformsNew, "当年新认定省级以上创新平台数", "个", Platforms.Name},
	{TeamsNew, "当年引进人才团队数", "支", Teams.Name},
}

// QueryByKind returns the description of a query kind.
func QueryByKind(k QueryKind) (QueryInfo, bool) {
	for _, q := range Queries {
		if q.Kind == k {
			return q, true
		}
	}
	return QueryInfo{}, false
}

// Query is a query kind over a set of units and a period, as the store
// runs it. Units nil means every unit (the city).
type Query struct {
	Kind  QueryKind
	Units []int64
	// From and To bound flows (inclusive, YYYY-MM-DD); AsOf is the date of
	// a stock; Year the year of a per-year count.
	From, To, AsOf string
	Year           int
}

// Source is what Compute needs from the store.
type Source interface {
	Units(ctx context.Context) ([]org.Unit, error)
	RegistryAggregate(ctx context.Context, q Query) (int64, error)
}

// Binding ties an indicator to a query: its value is computed, not typed.
type Binding struct {
	IndicatorID int64     `json:"indicator_id"`
	Query       QueryKind `json:"query"`
	Version     int64     `json:"version"`
}

// Result is a computed value with where it comes from.
type Result struct {
	Query QueryKind `json:"query"`
	Value int64     `json:"value"`
	// Unit is the unit of the value: 家, 元, 个, 支.
	Unit   string `json:"unit"`
	UnitID int64  `json:"unit_id,omitempty"` // 0: the whole city
	AsOf   string `json:"as_of"`
	// Provenance says in words what was counted, over which units and
	// period, e.g. 科技主体库:截至2023-12-31持有效证书的国家高新技术企业(遂宁市及下级单位)。
	Provenance string `json:"provenance"`
}

// Compute runs query kind for unitID and the units below it (0: every
// unit, the city) as of asOf: stocks on that date, flows from 1 January of
// its year to that date.
func Compute(ctx context.Context, src Source, kind QueryKind, unitID int64, asOf time.Time) (Result, error) {
	info, ok := QueryByKind(kind)
	if !ok {
		return Result{}, apperr.New(apperr.Invalid, "未知的统计口径 %q", kind)
	}
	date := asOf.Format(time.DateOnly)
	q := Query{Kind: kind, AsOf: date, Year: asOf.Year(),
		From: fmt.Sprintf("%04d-01-01", asOf.Year()), To: date}
	scope := "全市"
	if unitID != 0 {
		units, err := src.Units(ctx)
		if err != nil {
			return Result{}, err
		}
		name := ""
		for _, u := range units {
			if u.ID == unitID {
				name = u.Name
			}
		}
		if name == "" {
			return Result{}, apperr.New(apperr.NotFound, "未找到单位")
		}
		q.Units = org.Subtree(units, unitID)
		scope = name
		if len(q.Units) > 1 {
			scope += "及下级单位"
		}
	}
	v, err := src.RegistryAggregate(ctx, q)
	if err != nil {
		return Result{}, err
	}
	var what string
	switch kind {
	case HTEValid:
		what = fmt.Sprintf("截至%s持有效证书的国家高新技术企业", date)
	case TSMERegistered:
		what = fmt.Sprintf("%d年入库的科技型中小企业", asOf.Year())
	case ContractValue:
		what = fmt.Sprintf("%s至%s登记的技术合同成交额", q.From, date)
	case TechValue:
		what = fmt.Sprintf("%s至%s登记的技术合同技术交易额", q.From, date)
	case PlatformsNew:
		what = fmt.Sprintf("%s至%s认定的国家级、省级创新平台", q.From, date)
	case TeamsNew:
		what = fmt.Sprintf("%d年引进的人才团队", asOf.Year())
	}
	val := fmt.Sprintf("%d%s", v, info.Unit)
	if info.Unit == "元" {
		val = FormatYuan(v) + "元"
	}
	return Result{Query: kind, Value: v, Unit: info.Unit, UnitID: unitID, AsOf: date,
		Provenance: fmt.Sprintf("科技主体库:%s(%s),共%s", what, scope, val)}, nil
}

// SuggestQuery proposes the query for an indicator by its name and unit,
// as plans word them: 国家高新技术企业 (家) → HTEValid, 科技型中小企业 →
// TSMERegistered, 技术合同…额 (元) → ContractValue, 技术交易额 → TechValue,
// 省级以上…平台 → PlatformsNew, 人才团队 → TeamsNew.
func SuggestQuery(name, unit string) (QueryKind, bool) {
	switch {
	case strings.Contains(name, "高新技术企业") && !strings.Contains(name, "产业") && unit != "元" && unit != "%":
		return HTEValid, true
	case strings.Contains(name, "科技型中小企业") && unit != "元":
		return TSMERegistered, true
	case strings.Contains(name, "技术交易额") && unit == "元":
		return TechValue, true
	case strings.Contains(name, "技术合同") && unit == "元":
		return ContractValue, true
	case strings.Contains(name, "平台") && (strings.Contains(name, "省级以上") || strings.Contains(name, "省级及以上")) && unit != "元":
		return PlatformsNew, true
	case strings.Contains(name, "人才团队") && unit != "元":
		return TeamsNew, true
	}
	return "", false
}

// AsOfFor returns the date an indicator of a plan year is computed on:
// today within the year, its last day once the year is over, its first
// before it starts.
func AsOfFor(year int, now time.Time) time.Time {
	switch {
	case now.Year() > year:
		return time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
	case now.Year() < year:
		return time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
}
