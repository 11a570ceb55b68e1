package main

import (
	"context"
	"fmt"
	"io"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/scale"
)

const demoUsage = "usage: luoshi demo generate --scale N [--year 2023] [--db PATH|postgres://…]"

// cmdDemo runs the demo tools: generate makes a synthetic data set of any
// size for measuring (issue 10).
func cmdDemo(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "generate" {
		fmt.Fprintln(stderr, demoUsage)
		return exitCode(2)
	}
	fs := newFlags("demo generate", stderr)
	dsn := dbFlag(fs, getenv)
	n := fs.Int("scale", 1, fmt.Sprintf("1 is one city (8 units, 5,000 enterprises, 10,000 contracts); at most %d", scale.MaxScale))
	year := fs.Int("year", 2023, "the synthetic plan's year")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, demoUsage)
		return exitCode(2)
	}
	db, _, err := openMigrated(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := scale.Generate(ctx, db, scale.Options{Scale: *n, Year: *year, Progress: stderr})
	if err != nil {
		if e := apperr.As(err); e != nil && e.Code != apperr.Internal {
			fmt.Fprintf(stderr, "luoshi demo generate: %s %v\n", e.Message, e.Fields)
			return exitCode(1)
		}
		return err
	}
	fmt.Fprintf(stdout, "已生成合成数据(演示数据): %d 个单位, %d 家企业, %d 条资质, %d 份技术合同, %d 个平台; 计划 #%d; 用时 %s\n",
		res.Units, res.Enterprises, res.Qualifications, res.Contracts, res.Platforms, res.PlanID, res.Elapsed.Round(1e6))
	return nil
}
