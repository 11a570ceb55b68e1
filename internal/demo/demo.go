// Package demo loads the built-in demonstration: the org units of a
// prefecture-level city and its S&T bureau, and the bureau's annual work
// plan parsed from the document in plan.txt. It is data, not code paths:
// nothing else in Luoshi knows these names.
package demo

import (
	"context"
	_ "embed"
	"fmt"
	"strconv"

	"github.com/luoshi/luoshi/internal/account"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/plan/parse"
	"github.com/luoshi/luoshi/internal/store"
)

// PlanDocument is the demo plan as the bureau published it (Suining's
// 《2023年全市科技创新工作要点》), also the parser's main fixture.
//
//go:embed plan.txt
var PlanDocument []byte

// PlanFileName is the name the demo document is parsed under.
const PlanFileName = "2023年全市科技创新工作要点.txt"

// unitSpec describes a demo unit; parent is the parent's code.
type unitSpec struct {
	code, name string
	kind       org.Kind
	division   string
	parent     string
}

// Units are the demo's org units: the city, its counties and districts with
// their division codes, the parks, and the bureau with its sections.
var units = []unitSpec{
	{"510900", "遂宁市", org.City, "510900", ""},
	{"510903", "船山区", org.District, "510903", "510900"},
	{"510904", "安居区", org.District, "510904", "510900"},
	{"510921", "蓬溪县", org.County, "510921", "510900"},
	{"510923", "大英县", org.County, "510923", "510900"},
	{"510981", "射洪市", org.County, "510981", "510900"},
	{"sn-gxq", "遂宁高新区", org.Park, "", "510900"},
	{"sn-jkq", "遂宁经开区", org.Park, "", "510900"},
	{"sn-hdxq", "河东新区", org.Park, "", "510900"},
	{"sn-kjj", "遂宁市科学技术局", org.Bureau, "", "510900"},
	{"sn-kjj-bgs", "办公室", org.Section, "", "sn-kjj"},
	{"sn-kjj-ghk", "科技规划与成果转化科", org.Section, "", "sn-kjj"},
	{"sn-kjj-gxk", "高新技术发展及产业化科", org.Section, "", "sn-kjj"},
	{"sn-kjj-nck", "农村科技与社会发展科", org.Section, "", "sn-kjj"},
	{"sn-kjj-rck", "科技人才与合作交流科", org.Section, "", "sn-kjj"},
}

// Result says what Load did.
type Result struct {
	Loaded   bool
	PlanID   int64
	Units    int
	Accounts []Account
}

// Account is a demo account with its one-time random password.
type Account struct {
	Username string
	Role     auth.Role
	Unit     string
	Password string
}

// accounts: one per role; the reporter belongs to a county so that scope
// can be seen at work.
var accounts = []struct {
	username string
	role     auth.Role
	unit     string
}{
	{"staff", auth.Staff, "sn-kjj"},
	{"reporter", auth.Reporter, "510981"},
	{"leader", auth.Leader, "sn-kjj"},
	{"sysadmin", auth.SysAdmin, "sn-kjj"},
	{"secadmin", auth.SecAdmin, "sn-kjj"},
	{"auditor", auth.Auditor, "sn-kjj"},
}

// reporterUnit is the unit code of the demo's reporter account.
func reporterUnit() string {
	for _, a := range accounts {
		if a.role == auth.Reporter {
			return a.unit
		}
	}
	return ""
}

// Load fills an empty database with the demo units and plan, in one
// transaction. A database that already holds units or plans is left alone.
func Load(ctx context.Context, db *store.DB) (Result, error) {
	empty, err := db.IsEmpty(ctx)
	if err != nil || !empty {
		return Result{}, err
	}
	var res Result
	err = db.InTx(ctx, func(tx *store.Tx) error {
		ids := map[string]int64{}
		var names []string
		for i, s := range units {
			u := org.Unit{Code: s.code, Name: s.name, Kind: s.kind, DivisionCode: s.division, ParentID: ids[s.parent], Sort: i}
			if err := tx.CreateUnit(&u); err != nil {
				return fmt.Errorf("demo: unit %s: %w", s.name, err)
			}
			ids[s.code] = u.ID
			names = append(names, s.name)
		}
		res.Units = len(units)
		p, err := parse.ParseWith(PlanFileName, PlanDocument, parse.Options{KnownUnits: names})
		if err != nil {
			return fmt.Errorf("demo: parse plan: %w", err)
		}
		p.Status = "active"
		if err := tx.CreatePlan(p); err != nil {
			return err
		}
		// Synthetic assignments and reports, labelled as demo data.
		if err := assign(tx, p, ids); err != nil {
			return err
		}
		if err := synthesizeReports(tx, p, ids[reporterUnit()]); err != nil {
			return err
		}
		if err := supervise(tx, p, ids); err != nil {
			return err
		}
		ids2, weights := reportingUnits(ids)
		if err := loadValues(tx, p, ids2, weights, db.Now()); err != nil {
			return err
		}
		res.PlanID, res.Loaded = p.ID, true
		return tx.Audit(audit.System("demo").New(audit.DemoLoaded, "plan", strconv.FormatInt(p.ID, 10), nil,
			map[string]any{"units": len(units), "title": p.Title}))
	})
	if err != nil {
		return res, err
	}
	// Random passwords, printed once by serve: never a fixed default.
	svc := account.New(db)
	for _, a := range accounts {
		u, err := db.UnitByCode(ctx, a.unit)
		if err != nil {
			return res, err
		}
		pw := auth.RandomPassword()
		if _, err := svc.CreateUser(ctx, audit.System("demo"), account.NewUser{Username: a.username, Role: a.role,
			UnitID: u.ID, Password: pw, Name: "演示账号"}); err != nil {
			return res, fmt.Errorf("demo: account %s: %w", a.username, err)
		}
		res.Accounts = append(res.Accounts, Account{Username: a.username, Role: a.role, Unit: u.Name, Password: pw})
	}
	return res, nil
}
