package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/demo"
	"github.com/luoshi/luoshi/internal/registry"
	"github.com/luoshi/luoshi/internal/store"
)

// envInt reads an integer environment value, or def.
func envInt(getenv env, key string, def int) int {
	if n, err := strconv.Atoi(getenv(key)); err == nil && n > 0 {
		return n
	}
	return def
}

// loadDemoRegistry loads the synthetic registry data after the demo plan.
func loadDemoRegistry(ctx context.Context, db *store.DB, stdout io.Writer) error {
	res, err := demo.LoadRegistry(ctx, db)
	if err != nil {
		return err
	}
	if res.Loaded {
		fmt.Fprintf(stdout, "已载入科技主体库演示数据(synthetic, 演示数据): 企业 %d, 技术合同 %d, 创新平台 %d, 项目 %d, 人才团队 %d, 科技特派员 %d\n",
			res.Counts["enterprises"], res.Counts["contracts"], res.Counts["platforms"], res.Counts["projects"], res.Counts["teams"], res.Counts["commissioners"])
		if len(res.Bound) > 0 {
			fmt.Fprintf(stdout, "由主体库计算的指标: %s\n", strings.Join(res.Bound, "、"))
		}
	}
	return nil
}

func registryKind(name string, stderr io.Writer) (*registry.Kind, error) {
	k := registry.KindByName(name)
	if k == nil {
		var names []string
		for _, k := range registry.Kinds {
			names = append(names, k.Name)
		}
		fmt.Fprintf(stderr, "luoshi: unknown registry %q (one of %s)\n", name, strings.Join(names, ", "))
		return nil, exitCode(2)
	}
	return k, nil
}

// cmdExport: luoshi export KIND --db DB --out FILE.xlsx|.csv
func cmdExport(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "usage: luoshi export enterprises|contracts|platforms|projects|teams|commissioners --db DB --out FILE.xlsx")
		return exitCode(2)
	}
	k, err := registryKind(args[0], stderr)
	if err != nil {
		return err
	}
	fs := newFlags("export", stderr)
	dsn := dbFlag(fs, getenv)
	out := fs.String("out", "", "output file: .xlsx, or .csv for CSV")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "luoshi export: --out FILE is required")
		return exitCode(2)
	}
	// The audit key from LUOSHI_AUDIT_KEY(_FILE) or beside a SQLite database (issue 7).
	db, err := openForWrite(ctx, *dsn, getenv("LUOSHI_AUDIT_KEY_FILE"), getenv, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	recs, _, err := db.Records(ctx, auth.Everything, k, registry.Filter{Limit: registry.MaxList, Sort: k.Naturals()[0]})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if strings.EqualFold(filepath.Ext(*out), ".csv") {
		err = k.WriteCSV(&buf, recs)
	} else {
		err = k.WriteXLSX(&buf, recs)
	}
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		return tx.Audit(audit.System("cli").New(audit.RegistryExported, k.Entity, "", nil,
			map[string]any{"registry": k.Name, "rows": len(recs), "file": *out}))
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "exported %d %s to %s\n", len(recs), k.Name, *out)
	return nil
}

// cmdImport: luoshi import KIND --db DB FILE [--valid-only]. A refused
// file exits 1 and prints every bad row.
func cmdImport(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "usage: luoshi import enterprises|contracts|platforms|projects|teams|commissioners --db DB FILE.xlsx [--valid-only]")
		return exitCode(2)
	}
	k, err := registryKind(args[0], stderr)
	if err != nil {
		return err
	}
	fs := newFlags("import", stderr)
	dsn := dbFlag(fs, getenv)
	validOnly := fs.Bool("valid-only", false, "import the valid rows of a file with errors (default: refuse the whole file)")
	maxMB := fs.Int("max-mb", envInt(getenv, "LUOSHI_IMPORT_MAX_MB", 20), "largest file in MB")
	// Flags may follow the file name.
	var file string
	rest := args[1:]
	for len(rest) > 0 {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		if file != "" {
			fmt.Fprintln(stderr, "luoshi import: one file at a time")
			return exitCode(2)
		}
		file, rest = fs.Arg(0), fs.Args()[1:]
	}
	if file == "" {
		fmt.Fprintln(stderr, "luoshi import: FILE is required")
		return exitCode(2)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	// The audit key from LUOSHI_AUDIT_KEY(_FILE) or beside a SQLite database (issue 7).
	db, err := openForWrite(ctx, *dsn, getenv("LUOSHI_AUDIT_KEY_FILE"), getenv, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	tbl, err := registry.ReadTable(file, data, int64(*maxMB)<<20)
	if e := apperr.As(err); e != nil {
		fmt.Fprintf(stderr, "luoshi import: %s: %s\n", file, e.Message)
		return exitCode(1)
	}
	if err != nil {
		return err
	}
	opts, err := db.RegistryOptions(ctx)
	if err != nil {
		return err
	}
	units, err := db.Units(ctx)
	if err != nil {
		return err
	}
	b, err := k.Prepare(tbl, &registry.Env{Units: units, Scope: auth.Everything, Options: opts})
	if e := apperr.As(err); e != nil {
		fmt.Fprintf(stderr, "luoshi import: %s: %s\n", file, e.Message)
		return exitCode(1)
	}
	if err != nil {
		return err
	}
	sum, err := db.ImportBatch(ctx, b, auth.Everything, audit.System("cli"), store.ImportOptions{ValidOnly: *validOnly, FileName: filepath.Base(file)})
	for _, e := range b.Errors() {
		fmt.Fprintf(stderr, "行号 %d (row %d), 列 %s, 值 %q: %s\n", e.Row, e.Row, e.Column, e.Value, e.Reason)
	}
	if e := apperr.As(err); e != nil && e.Code != apperr.Internal {
		fmt.Fprintf(stderr, "luoshi import: %s: %s\n", file, e.Message)
		return exitCode(1)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "read %d, created %d, updated %d, unchanged %d, skipped %d\n", sum.Read, sum.Created, sum.Updated, sum.Unchanged, sum.Rejected)
	return nil
}
