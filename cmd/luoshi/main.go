// Command luoshi runs Luoshi (落实): the web server, migrations and the
// command-line tools of DESIGN.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "luoshi:", err)
		var ec exitCode
		if errors.As(err, &ec) {
			os.Exit(int(ec))
		}
		os.Exit(1)
	}
}

// exitCode is an error that asks for a particular exit status.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// env reads an environment variable; tests pass their own.
type env func(string) string

const usage = `luoshi — 落实: annual work plan delivery

Usage:
  luoshi serve   [--addr HOST:PORT] [--db PATH|postgres://…] [--demo]
  luoshi migrate [--db …]
  luoshi plan parse FILE --json
  luoshi plan import FILE [--db …] [--replace] [--activate]
  luoshi plan sweep [--db …]
  luoshi user add --username U --role ROLE [--unit CODE] [--must-change] --password-stdin
  luoshi user reset --username U [--password-stdin [--must-change]]
  luoshi unit add --code CODE --name NAME --kind KIND [--division CODE] [--parent CODE]
  luoshi audit verify [--db …] [--audit-key-file FILE]
  luoshi notify run-once [--db …] [--smtp-host H …]
  luoshi bulletin --period YYYY-MM --out FILE.xlsx [--plan ID] [--db …]
  luoshi demo generate --scale N [--year 2023] [--db …]
  luoshi export enterprises|contracts|platforms|projects|teams|commissioners [--db …] --out FILE.xlsx|.csv
  luoshi import enterprises|contracts|platforms|projects|teams|commissioners [--db …] FILE.xlsx|.csv [--valid-only]
  luoshi version

Every flag has an environment fallback: --db → LUOSHI_DB, --addr → LUOSHI_ADDR, …
The audit key: --audit-key-file (LUOSHI_AUDIT_KEY_FILE) or LUOSHI_AUDIT_KEY; SQLite default DB.auditkey.
`

// run is the whole program; tests call it with their own arguments and
// streams.
func run(ctx context.Context, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitCode(2)
	}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, args[1:], getenv, stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, args[1:], getenv, stdout, stderr)
	case "plan":
		return cmdPlan(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "user":
		return cmdUser(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "unit":
		return cmdUnit(ctx, args[1:], getenv, stdout, stderr)
	case "bulletin":
		return cmdBulletin(ctx, args[1:], getenv, stdout, stderr)
	case "demo":
		return cmdDemo(ctx, args[1:], getenv, stdout, stderr)
	case "audit":
		return cmdAudit(ctx, args[1:], getenv, stdout, stderr)
	case "notify":
		return cmdNotify(ctx, args[1:], getenv, stdout, stderr)
	case "export":
		return cmdExport(ctx, args[1:], getenv, stdout, stderr)
	case "import":
		return cmdImport(ctx, args[1:], getenv, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "luoshi", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "luoshi: unknown command %q\n\n%s", args[0], usage)
	return exitCode(2)
}

// newFlags returns a flag set that writes its usage to stderr and does not
// exit.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("luoshi "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// or returns the environment value of key, or def.
func (e env) or(key, def string) string {
	if v := e(key); v != "" {
		return v
	}
	return def
}

// boolOr reads a boolean environment value.
func (e env) boolOr(key string, def bool) bool {
	switch e(key) {
	case "1", "true", "TRUE", "yes", "on":
		return true
	case "0", "false", "FALSE", "no", "off":
		return false
	}
	return def
}
