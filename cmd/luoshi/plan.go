package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/luoshi/luoshi/internal/plan/parse"
)

func cmdPlan(ctx context.Context, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: luoshi plan parse FILE --json")
		return exitCode(2)
	}
	switch args[0] {
	case "parse":
		return cmdPlanParse(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "luoshi plan: unknown command %q\n", args[0])
	return exitCode(2)
}

// cmdPlanParse prints the parsed plan; it saves nothing.
func cmdPlanParse(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("plan parse", stderr)
	asJSON := fs.Bool("json", false, "print the plan as JSON (the DESIGN.md shape)")
	// Accept the flag after the file name too: `plan parse FILE --json`.
	var file string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		if file != "" {
			return fmt.Errorf("plan parse: one file only")
		}
		file, args = fs.Arg(0), fs.Args()[1:]
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
	fmt.Fprintf(stdout, "%s\n%s %s\n", p.Title, p.Issuer, p.IssuedOn)
	fmt.Fprintf(stdout, "%d 个部分, %d 条工作条目, %d 件重点事项, %d 个主要目标\n",
		len(p.Sections), p.ItemCount(), len(p.KeyItems), len(p.Targets))
	for _, t := range p.Targets {
		fmt.Fprintf(stdout, "  %s %s %s\n", t.Name, t.Comparator, t.ValueText())
	}
	return nil
}
