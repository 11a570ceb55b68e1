package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/store"
)

// The audit key (issue 7) keys the audit chain with HMAC-SHA256, so that a
// rewrite of the log by someone who can write to the database but does not
// hold the key fails `luoshi audit verify`. It is looked for, in order:
//
//  1. --audit-key-file PATH (env LUOSHI_AUDIT_KEY_FILE): the file's text;
//  2. LUOSHI_AUDIT_KEY: the variable's value;
//  3. for SQLite only, the file DB.auditkey beside the database, which
//     serve and the other writing commands create on first use (0600) and
//     announce on stderr.
//
// A key is at least 32 bytes of text (the generated one is 64 hex digits).
// On PostgreSQL there is no default place: without a key the chain stays
// plain (with a warning), and once it holds keyed records a server started
// without the key refuses to start rather than write records that would
// break it.

// auditKeyFlag adds --audit-key-file with its environment fallback.
func auditKeyFlag(fs *flag.FlagSet, getenv env) *string {
	return fs.String("audit-key-file", getenv.or("LUOSHI_AUDIT_KEY_FILE", ""),
		"file holding the audit chain key (env LUOSHI_AUDIT_KEY_FILE; or the key itself in LUOSHI_AUDIT_KEY; SQLite default: DB.auditkey)")
}

// defaultKeyFile is where a SQLite database's key lives by default.
func defaultKeyFile(dsn string) string {
	if store.IsPostgres(dsn) {
		return ""
	}
	return dsn + ".auditkey"
}

// loadAuditKey finds the key (see above); create makes the default SQLite
// key file when it is missing. It returns nil and no error when there is
// no key.
func loadAuditKey(dsn, keyFile string, getenv env, create bool, stderr io.Writer) ([]byte, error) {
	if keyFile != "" {
		return readKeyFile(keyFile, stderr)
	}
	if v := getenv("LUOSHI_AUDIT_KEY"); v != "" {
		if len(v) < audit.MinKeyBytes {
			return nil, fmt.Errorf("LUOSHI_AUDIT_KEY 太短:审计密钥至少 %d 个字符", audit.MinKeyBytes)
		}
		return []byte(v), nil
	}
	path := defaultKeyFile(dsn)
	if path == "" {
		return nil, nil
	}
	key, err := readKeyFile(path, stderr)
	if err == nil || !errors.Is(err, fs.ErrNotExist) || !create {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return key, err
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	text := hex.EncodeToString(b[:])
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return readKeyFile(path, stderr) // another process made it first
	}
	if err != nil {
		return nil, fmt.Errorf("创建审计密钥文件 %s: %w", path, err)
	}
	_, err = f.WriteString(text + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("写入审计密钥文件 %s: %w", path, err)
	}
	fmt.Fprintf(stderr, "警告: 已生成审计密钥文件 %s(权限 0600)。请把它与数据库分开备份:"+
		"没有它就无法校验审计日志;只有它的持有者才能改写审计记录而不被 luoshi audit verify 发现。\n", path)
	return []byte(text), nil
}

func readKeyFile(path string, stderr io.Writer) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("读取审计密钥文件: %w", err)
	}
	key := strings.TrimSpace(string(b))
	if len(key) < audit.MinKeyBytes {
		return nil, fmt.Errorf("审计密钥文件 %s 太短:至少 %d 个字符", path, audit.MinKeyBytes)
	}
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 && stderr != nil {
		fmt.Fprintf(stderr, "警告: 审计密钥文件 %s 的权限为 %v,其他用户可读;请执行 chmod 600 %s\n", path, st.Mode().Perm(), path)
	}
	return []byte(key), nil
}

// useAuditKey loads the key into db for a command that writes audit
// records. Without a key it refuses when the chain is already keyed, and
// warns otherwise.
func useAuditKey(ctx context.Context, db *store.DB, dsn, keyFile string, getenv env, stderr io.Writer) error {
	key, err := loadAuditKey(dsn, keyFile, getenv, true, stderr)
	if err != nil {
		return err
	}
	if key != nil {
		db.SetAuditKey(key)
		return nil
	}
	keyed, err := db.AuditChainKeyed(ctx)
	if err != nil {
		return err
	}
	if keyed {
		return errors.New("审计日志已使用密钥签名,请用 LUOSHI_AUDIT_KEY 或 --audit-key-file 提供审计密钥")
	}
	fmt.Fprintln(stderr, "警告: 未配置审计密钥(LUOSHI_AUDIT_KEY 或 --audit-key-file),审计日志只用普通哈希链接,"+
		"能写数据库的人可以改写记录并重算哈希而不被发现。")
	return nil
}

// openForWrite opens and migrates the store for a command that writes,
// with the audit key.
func openForWrite(ctx context.Context, dsn, keyFile string, getenv env, stderr io.Writer) (*store.DB, error) {
	db, _, err := openMigrated(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := useAuditKey(ctx, db, dsn, keyFile, getenv, stderr); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
