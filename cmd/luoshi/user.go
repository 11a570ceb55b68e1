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

const userUsage = `usage: luoshi user add --username U --role ROLE [--unit CODE] [--name NAME] [--must-change] --password-stdin
       luoshi user reset --username U [--password-stdin [--must-change]]`

func cmdUser(ctx context.Context, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "reset" {
		return cmdUserReset(ctx, args[1:], getenv, stdin, stdout, stderr)
	}
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprintln(stderr, userUsage)
		return exitCode(2)
	}
	fs := newFlags("user add", stderr)
	dsn := dbFlag(fs, getenv)
	keyFile := auditKeyFlag(fs, getenv)
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
	password, err := readPassword(stdin)
	if err != nil {
		return err
	}
	db, err := openForWrite(ctx, *dsn, *keyFile, getenv, stderr)
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
	keyFile := auditKeyFlag(fs, getenv)
	code := fs.String("code", "", "the unit's code (letters, digits, _ . -)")
	name := fs.String("name", "", "the unit's name")
	kind := fs.String("kind", "", "city, county, district, park, bureau or section")
	division := fs.String("division", "", "6-digit division code (city, county, district)")
	parent := fs.String("parent", "", "the parent unit's code or division code")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	db, err := openForWrite(ctx, *dsn, *keyFile, getenv, stderr)
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

// readPassword reads the first line of stdin.
func readPassword(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(stdin, auth.MaxPasswordBytes+2)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// cmdUserReset resets an account's password on the server: the only way
// for the three administrators' accounts, which the web does not manage
// (issue 7). Without --password-stdin it prints a random temporary
// password that must be changed at the next sign-in; the account's
// sessions end either way.
func cmdUserReset(ctx context.Context, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("user reset", stderr)
	dsn := dbFlag(fs, getenv)
	keyFile := auditKeyFlag(fs, getenv)
	username := fs.String("username", "", "the account's username")
	fromStdin := fs.Bool("password-stdin", false, "read the new password from the first line of standard input (default: a random temporary one, printed)")
	mustChange := fs.Bool("must-change", false, "with --password-stdin: force a change at the next sign-in")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *username == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, userUsage)
		return exitCode(2)
	}
	var password string
	if *fromStdin {
		var err error
		if password, err = readPassword(stdin); err != nil {
			return err
		}
	}
	db, err := openForWrite(ctx, *dsn, *keyFile, getenv, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	u, _, err := db.UserCredentials(ctx, auth.NormalizeUsername(*username))
	if err != nil {
		return fmt.Errorf("没有用户名为 %q 的账号", *username)
	}
	svc := account.New(db)
	if *fromStdin {
		if err := svc.SetPassword(ctx, audit.System("cli"), u.ID, password, *mustChange); err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "已重置用户 %s(%s)的密码,其会话已全部结束\n", u.Username, u.Role)
		return nil
	}
	pw, err := svc.ResetPassword(ctx, audit.System("cli"), u.ID)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "已重置用户 %s(%s)的密码,其会话已全部结束。临时密码(仅显示这一次,首次登录须修改):\n%s\n", u.Username, u.Role, pw)
	return nil
}
