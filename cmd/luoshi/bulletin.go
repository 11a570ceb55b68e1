package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/bulletin"
	"github.com/luoshi/luoshi/internal/indicator"
	"github.com/luoshi/luoshi/internal/store"
)

const bulletinUsage = "usage: luoshi bulletin --period YYYY-MM --out FILE.xlsx [--plan ID] [--db PATH|postgres://…]"

// cmdBulletin writes the monthly bulletin (月度通报) of a plan as .xlsx
// (issue 10). Without --plan it takes the plan of the period's year,
// preferring an active one.
func cmdBulletin(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := newFlags("bulletin", stderr)
	dsn := dbFlag(fs, getenv)
	period := fs.String("period", "", "the month, YYYY-MM")
	out := fs.String("out", "", "the .xlsx file to write")
	planID := fs.Int64("plan", 0, "the plan's id (default: the plan of the period's year)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *period == "" || *out == "" {
		fmt.Fprintln(stderr, bulletinUsage)
		return exitCode(2)
	}
	p, err := indicator.ParsePeriod(*period)
	if err != nil {
		fmt.Fprintf(stderr, "luoshi bulletin: --period %q: 须为“年-月”格式,如 2023-06\n", *period)
		return exitCode(2)
	}
	// The audit key from LUOSHI_AUDIT_KEY(_FILE) or beside a SQLite database (issue 7).
	db, err := openForWrite(ctx, *dsn, getenv("LUOSHI_AUDIT_KEY_FILE"), getenv, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	id := *planID
	if id == 0 {
		if id, err = planOfYear(ctx, db, p.Year); err != nil {
			fmt.Fprintf(stderr, "luoshi bulletin: %v\n", err)
			return exitCode(1)
		}
	}
	b, err := bulletin.Make(ctx, db, id, p.String(), db.Now())
	if err != nil {
		if e := apperr.As(err); e != nil && e.Code != apperr.Internal {
			fmt.Fprintf(stderr, "luoshi bulletin: %s %v\n", e.Message, e.Fields)
			return exitCode(1)
		}
		return err
	}
	var buf bytes.Buffer
	if err := b.WriteXLSX(&buf); err != nil {
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		return tx.Audit(audit.System("cli").New(audit.BulletinExported, "plan", strconv.FormatInt(id, 10), nil,
			map[string]any{"period": p.String(), "file": *out}))
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已生成 %s(%s):%d 项指标,%d 项逾期,%d 份未报送\n", *out, b.Heading(),
		b.Summary.Indicators, b.Summary.OverdueMeasures, b.Summary.MissingReports)
	return nil
}

// planOfYear picks the plan of a year: an active one first, then the newest.
func planOfYear(ctx context.Context, db *store.DB, year int) (int64, error) {
	plans, err := db.Plans(ctx, auth.Everything)
	if err != nil {
		return 0, err
	}
	var found int64
	for _, pl := range plans {
		if pl.Year != year {
			continue
		}
		if pl.Status == "active" {
			return pl.ID, nil
		}
		if found == 0 {
			found = pl.ID
		}
	}
	if found == 0 {
		return 0, fmt.Errorf("没有 %d 年的计划,请用 --plan 指定", year)
	}
	return found, nil
}
