package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/plan/importer"
	"github.com/luoshi/luoshi/internal/plan/parse"
)

const planUsage = `usage: luoshi plan parse FILE --json
       luoshi plan import FILE [--db …] [--replace] [--activate]
       luoshi plan sweep [--db …]`

func cmdPlan(ctx context.Context, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, planUsage)
		return exitCode(2)
	}
	switch args[0] {
	case "parse":
		return cmdPlanParse(args[1:], stdout, stderr)
	case "import":
		return cmdPlanImport(ctx, args[1:], getenv, stdout, stderr)
	case "sweep":
		return cmdPlanSweep(ctx, args[1:], getenv, stdout, stderr)
	}
	fmt.Fprintf(stderr, "luoshi plan: unknown command %q\n", args[0])
	return exitCode(2)
}

// parseFileArgs parses flags given before or after the one file name
// (`plan parse FILE --json`) and returns the file name, "" when missing.
func parseFileArgs(fs *flag.FlagSet, args []string) (string, error) {
	var file string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return "", err
		}
		if fs.NArg() == 0 {
			break
		}
		if file != "" {
			return "", fmt.Errorf("%s: one file only", fs.Name())
		}
		file, args = fs.Arg(0), fs.Args()[1:]
	}
	return file, nil
}

// readDocument reads a plan document, refusing one over parse.MaxSize
// before reading it all.
func readDocument(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, parse.MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > parse.MaxSize {
		return nil, errors.New(importer.MsgTooLarge)
	}
	return data, nil
}

// cmdPlanParse prints the parsed plan; it saves nothing.
func cmdPlanParse(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("plan parse", stderr)
	asJSON := fs.Bool("json", false, "print the plan as JSON (the DESIGN.md shape)")
	file, err := parseFileArgs(fs, args)
	if err != nil {
		return err
	}
	if file == "" {
		fmt.Fprintln(stderr, "usage: luoshi plan parse FILE --json")
		return exitCode(2)
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	// More than MaxSize is read so that Parse reports the document too large.
	data, err := io.ReadAll(io.LimitReader(f, parse.MaxSize+1))
	if err != nil {
		return err
	}
	p, err := parse.Parse(file, data)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	}
	printSummary(stdout, p)
	return nil
}

func printSummary(w io.Writer, p *plan.Plan) {
	fmt.Fprintf(w, "%s\n%s %s\n", p.Title, p.Issuer, p.IssuedOn)
	fmt.Fprintf(w, "%d 个部分, %d 条工作条目, %d 件重点事项, %d 个主要目标\n",
		len(p.Sections), p.ItemCount(), len(p.KeyItems), len(p.Targets))
	for _, t := range p.Targets {
		fmt.Fprintf(w, "  %s %s %s\n", t.Name, t.Comparator, t.ValueText())
	}
}

// cmdPlanImport parses a document and saves it as a new plan, as the
// upload page does but without the review: a draft unless --activate. The
// same document a second time is refused, unless --replace and the plan
// made from it is still a draft.
func cmdPlanImport(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := newFlags("plan import", stderr)
	dsn := dbFlag(fs, getenv)
	keyFile := auditKeyFlag(fs, getenv)
	replace := fs.Bool("replace", false, "replace the plan imported from the same file, if it is still a draft")
	activate := fs.Bool("activate", false, "save the plan as active instead of as a draft")
	file, err := parseFileArgs(fs, args)
	if err != nil {
		return err
	}
	if file == "" {
		fmt.Fprintln(stderr, "usage: luoshi plan import FILE [--db …] [--replace] [--activate]")
		return exitCode(2)
	}
	data, err := readDocument(file)
	if err != nil {
		return err
	}
	db, err := openForWrite(ctx, *dsn, *keyFile, getenv, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := importer.New(db)
	src := audit.System("cli")
	rev, err := svc.Upload(ctx, src.ActorName, filepath.Base(file), data)
	if pe := (*parse.Error)(nil); errors.As(err, &pe) {
		return fmt.Errorf("%s: %s", file, pe.Message)
	}
	if err != nil {
		return err
	}
	p := rev.Plan
	printSummary(stdout, p)
	opt := importer.SaveOptions{SourceName: rev.Document.Name, Activate: *activate}
	if d := rev.Duplicate; d.Exists() {
		switch {
		case !*replace && d.Replaceable():
			return fmt.Errorf("%w;该计划仍是草稿,可加 --replace 替换", importer.AlreadyImported(d.ID, d.Title))
		case !*replace:
			return importer.AlreadyImported(d.ID, d.Title)
		case !d.Replaceable():
			return fmt.Errorf("%w;该计划已不是草稿,不能替换", importer.AlreadyImported(d.ID, d.Title))
		}
		opt.ReplaceID = d.ID
	}
	if err := svc.Save(ctx, src, p, opt); err != nil {
		return describe(err)
	}
	verb := "已导入"
	if opt.ReplaceID != 0 {
		verb = fmt.Sprintf("已替换草稿 #%d,导入", opt.ReplaceID)
	}
	status := "草稿"
	if p.Status == importer.StatusActive {
		status = "执行中"
	}
	fmt.Fprintf(stdout, "%s计划《%s》(#%d),状态:%s\n", verb, p.Title, p.ID, status)
	return nil
}

// cmdPlanSweep removes, once, the documents uploaded for review more than a
// day ago and never saved as a plan (serve does it every hour).
func cmdPlanSweep(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := newFlags("plan sweep", stderr)
	dsn := dbFlag(fs, getenv)
	keyFile := auditKeyFlag(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := openForWrite(ctx, *dsn, *keyFile, getenv, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := importer.New(db).Sweep(ctx, audit.System("cli"))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已删除 %d 个超过 24 小时未保存为计划的上传文件\n", n)
	return nil
}
