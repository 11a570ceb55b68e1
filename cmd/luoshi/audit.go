package main

import (
	"context"
	"fmt"
	"io"
)

const auditUsage = "usage: luoshi audit verify [--db PATH|postgres://…] [--audit-key-file FILE]"

// cmdAudit runs the audit log tools (issue 4).
func cmdAudit(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, auditUsage)
		return exitCode(2)
	}
	switch args[0] {
	case "verify":
		return cmdAuditVerify(ctx, args[1:], getenv, stdout, stderr)
	}
	fmt.Fprintf(stderr, "luoshi audit: unknown command %q\n%s\n", args[0], auditUsage)
	return exitCode(2)
}

// cmdAuditVerify checks the whole hash chain and names the first broken
// record; it exits 3 when the chain is broken. It prints the final hash so
// that an operator can record it elsewhere: the chain alone cannot show
// that records were cut off its end.
func cmdAuditVerify(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := newFlags("audit verify", stderr)
	dsn := dbFlag(fs, getenv)
	keyFile := auditKeyFlag(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, auditUsage)
		return exitCode(2)
	}
	db, _, err := openMigrated(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	key, err := loadAuditKey(*dsn, *keyFile, getenv, false, stderr)
	if err != nil {
		return err
	}
	db.SetAuditKey(key)
	res, err := db.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if !res.OK() {
		fmt.Fprintf(stderr, "审计日志在第 %d 条记录处断裂: %s\n", res.BrokenID, res.Reason)
		if res.Checked > 0 {
			fmt.Fprintf(stderr, "此前 %d 条记录完好, 第 %d 条记录哈希 %s\n", res.Checked, res.LastID, res.LastHash)
		}
		return exitCode(3)
	}
	if res.Checked == 0 {
		fmt.Fprintln(stdout, "审计日志完整: 共 0 条记录")
		return nil
	}
	fmt.Fprintf(stdout, "审计日志完整: 共 %d 条记录, 末条哈希 %s\n", res.Checked, res.LastHash)
	switch {
	case key == nil:
		fmt.Fprintln(stdout, "未提供审计密钥: 只校验了普通哈希链, 不能排除整条链被重写。")
	case res.Keyed < res.Checked:
		fmt.Fprintf(stdout, "其中 %d 条以审计密钥签名, 前 %d 条写于启用密钥之前(普通哈希)。\n", res.Keyed, res.Checked-res.Keyed)
	default:
		fmt.Fprintln(stdout, "全部记录以审计密钥签名。")
	}
	fmt.Fprintln(stdout, "请另行记录末条哈希, 以便日后发现末尾记录被删除或改写。")
	return nil
}
