package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/luoshi/luoshi/internal/account"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/store"
)

func cmdUser(ctx context.Context, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprintln(stderr, "usage: luoshi user add --username U --role ROLE [--unit CODE] [--name NAME] [--must-change] --password-stdin")
		return exitCode(2)
	}
	fs := newFlags("user add", stderr)
	dsn := dbFlag(fs, getenv)
	username := fs.String("username", "", "the account's username")
	role := fs.String("role", "", "staff, reporter, leader, sysadmin, secadmin or auditor")
	unit := fs.String("unit", "", "the unit's division code or code (default: the bureau, else the top unit)")
	name := fs.String("name", "", "the person's name")
	mustChange := fs.Bool("must-change", false, "force a password change at first sign-in")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if !*fromStdin {
		return fmt.Errorf("user add: --password-stdin is required (a password is never taken on the command line)")
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, auth.MaxPasswordBytes+2)).ReadString('\n')
	if err != nil && err != io.EOF {
		return err
	}
	password := strings.TrimRight(line, "\r\n")
	db, _, err := openMigrated(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := findUnit(ctx, db, *unit)
	if err != nil {
		return err
	}
	created, err := account.New(db).CreateUser(ctx, audit.System("cli"), account.NewUser{Username: *username, Name: *name,
		Role: auth.Role(*role), UnitID: u.ID, Password: password, MustChange: *mustChange})
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "已创建用户 %s(%s,%s)\n", created.Username, *role, u.Name)
	return nil
}

// findUnit resolves --unit, or picks the bureau (else the top unit).
func findUnit(ctx context.Context, db *store.DB, code string) (org.Unit, error) {
	if code != "" {
		u, err := db.UnitByCode(ctx, code)
		if err != nil {
			return u, fmt.Errorf("没有编码或行政区划代码为 %q 的单位", code)
		}
		return u, nil
	}
	units, err := db.Units(ctx)
	if err != nil {
		return org.Unit{}, err
	}
	for _, u := range units {
		if u.Kind == org.Bureau {
			return u, nil
		}
	}
	for _, u := range units {
		if u.ParentID == 0 {
			return u, nil
		}
	}
	return org.Unit{}, fmt.Errorf("数据库中还没有单位:先用 luoshi unit add 创建单位,或用 serve --demo 载入演示数据")
}

func cmdUnit(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprintln(stderr, "usage: luoshi unit add --code CODE --name NAME --kind KIND [--division 510900] [--parent CODE]")
		return exitCode(2)
	}
	fs := newFlags("unit add", stderr)
	dsn := dbFlag(fs, getenv)
	code := fs.String("code", "", "the unit's code (letters, digits, _ . -)")
	name := fs.String("name", "", "the unit's name")
	kind := fs.String("kind", "", "city, county, district, park, bureau or section")
	division := fs.String("division", "", "6-digit division code (city, county, district)")
	parent := fs.String("parent", "", "the parent unit's code or division code")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	db, _, err := openMigrated(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	u := org.Unit{Code: *code, Name: *name, Kind: org.Kind(*kind), DivisionCode: *division}
	if *parent != "" {
		p, err := db.UnitByCode(ctx, *parent)
		if err != nil {
			return fmt.Errorf("没有编码为 %q 的上级单位", *parent)
		}
		u.ParentID = p.ID
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateUnit(&u); err != nil {
			return err
		}
		return tx.Audit(audit.System("cli").New(audit.UnitCreated, "unit", fmt.Sprint(u.ID), nil, u))
	})
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "已创建单位 %s(%s)\n", u.Name, u.Code)
	return nil
}
