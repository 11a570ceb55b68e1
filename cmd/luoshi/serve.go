package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/demo"
	"github.com/luoshi/luoshi/internal/plan/importer"
	"github.com/luoshi/luoshi/internal/web"
)

func cmdServe(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	addr := fs.String("addr", getenv.or("LUOSHI_ADDR", "127.0.0.1:8080"), "listen address (env LUOSHI_ADDR)")
	dsn := dbFlag(fs, getenv)
	keyFile := auditKeyFlag(fs, getenv)
	withDemo := fs.Bool("demo", getenv.boolOr("LUOSHI_DEMO", false), "load the demo units and plan into an empty database (env LUOSHI_DEMO)")
	tlsCert := fs.String("tls-cert", getenv.or("LUOSHI_TLS_CERT", ""), "TLS certificate file (PEM); with --tls-key serves HTTPS (env LUOSHI_TLS_CERT)")
	tlsKey := fs.String("tls-key", getenv.or("LUOSHI_TLS_KEY", ""), "TLS private key file (PEM) (env LUOSHI_TLS_KEY)")
	trustProxy := fs.Bool("trust-proxy", getenv.boolOr("LUOSHI_TRUST_PROXY", false), "take the client address from X-Forwarded-For (env LUOSHI_TRUST_PROXY)")
	trustedProxies := fs.String("trusted-proxies", getenv.or("LUOSHI_TRUSTED_PROXIES", "127.0.0.0/8,::1"),
		"with --trust-proxy: the reverse proxies' addresses or CIDR prefixes, comma-separated; the client is the rightmost X-Forwarded-For address not in them (env LUOSHI_TRUSTED_PROXIES)")
	hashMemory := fs.Int("hash-memory", intOr(getenv("LUOSHI_HASH_MEMORY"), auth.DefaultHashMemoryMiB),
		"MiB that concurrent password hashing may use; 64 MiB per sign-in (env LUOSHI_HASH_MEMORY)")
	hashWait := fs.Duration("hash-wait", durationOr(getenv("LUOSHI_HASH_WAIT"), auth.DefaultHashWait),
		"how long a sign-in waits for hashing capacity before 503 (env LUOSHI_HASH_WAIT)")
	importMaxMB := fs.Int("import-max-mb", envInt(getenv, "LUOSHI_IMPORT_MAX_MB", 20), "largest registry import file in MB, at most 64 (env LUOSHI_IMPORT_MAX_MB)")
	logFormat := fs.String("log-format", getenv.or("LUOSHI_LOG_FORMAT", "text"), "log format: text or json (env LUOSHI_LOG_FORMAT)")
	notifyCfg := notifyFlags(fs, getenv)
	withNotify := fs.Bool("notify", getenv.boolOr("LUOSHI_NOTIFY", true), "run the notification worker in this process (env LUOSHI_NOTIFY)")
	silentDays := fs.Int("silent-days", envInt(getenv, "LUOSHI_SILENT_DAYS", 30), "days without report or sign-in after which a unit is flagged silent (env LUOSHI_SILENT_DAYS)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	if *importMaxMB < 1 || *importMaxMB > 64 {
		return fmt.Errorf("serve: --import-max-mb must be between 1 and 64, not %d", *importMaxMB)
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return fmt.Errorf("serve: --tls-cert and --tls-key go together")
	}
	useTLS := *tlsCert != ""
	proxies, err := web.ParseProxies(*trustedProxies)
	if err != nil {
		return fmt.Errorf("serve: --trusted-proxies: %w", err)
	}
	if *hashMemory < 1 || *hashWait < 0 {
		return fmt.Errorf("serve: --hash-memory must be at least 1 (MiB) and --hash-wait not negative")
	}
	var logger *slog.Logger
	switch *logFormat {
	case "json":
		logger = slog.New(slog.NewJSONHandler(stderr, nil))
	case "text":
		logger = slog.New(slog.NewTextHandler(stderr, nil))
	default:
		return fmt.Errorf("serve: --log-format must be text or json, not %q", *logFormat)
	}

	db, applied, err := openMigrated(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if len(applied) > 0 {
		logger.Info("migrated", "applied", applied, "engine", db.Engine())
	}
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	if err := useAuditKey(ctx, db, *dsn, *keyFile, getenv, stderr); err != nil {
		return err
	}
	if err := db.CheckWrite(ctx); err != nil {
		// Serve reads anyway: signed-in users can still look things up
		// while the operator frees the disk or fixes permissions (issue 7).
		logger.Warn("database is read-only or full: pages can be read, changes will fail (503) until writes work", "err", err)
		fmt.Fprintln(stderr, "警告: 数据库当前无法写入(只读或磁盘已满),只能查看,所有修改将返回 503;/healthz 显示 \"write\": \"failing\"")
	} else if err := db.EnableAuditKey(ctx, audit.System("serve")); err != nil {
		return err
	}
	if *withDemo {
		res, err := demo.Load(ctx, db)
		if err != nil {
			return err
		}
		if res.Loaded {
			fmt.Fprintf(stdout, "已载入演示数据(demo data loaded): %d 个单位, 计划 #%d\n", res.Units, res.PlanID)
			fmt.Fprintln(stdout, "演示账号(demo accounts; passwords are shown only now):")
			for _, a := range res.Accounts {
				fmt.Fprintf(stdout, "  %-9s %-9s %-10s 密码 %s\n", a.Username, a.Role, a.Unit, a.Password)
			}
			if err := loadDemoRegistry(ctx, db, stdout); err != nil {
				return err
			}
		} else {
			fmt.Fprintln(stdout, "数据库已有数据,未载入演示数据(database not empty: demo not loaded)")
		}
	}

	limiter := auth.NewHashLimiter(auth.HashSlots(*hashMemory), *hashWait)
	if getenv("GOMEMLIMIT") == "" {
		// Hashes are 64 MiB of garbage each once checked: collect them
		// before the heap doubles (an explicit GOMEMLIMIT wins).
		debug.SetMemoryLimit(auth.MemoryLimit(*hashMemory))
	}
	// Documents uploaded for review and never saved go after a day.
	go importer.New(db).SweepLoop(ctx, time.Hour, logger)

	srv, err := web.New(web.Config{DB: db, Logger: logger, Version: version, Secure: useTLS, TrustProxy: *trustProxy,
		TrustedProxies: proxies, HashLimiter: limiter, Demo: *withDemo, ImportMaxBytes: int64(*importMaxMB) << 20,
		SilentDays: *silentDays})
	if err != nil {
		return err
	}
	// The notification worker: every node may run one, the outbox's row
	// claims make sure each message is sent by one of them.
	workerDone := make(chan struct{})
	workerCtx, stopWorker := context.WithCancel(ctx)
	defer func() { stopWorker(); <-workerDone }()
	if *withNotify {
		w, err := notifyCfg.worker(db, logger)
		if err != nil {
			return err
		}
		logger.Info("notification worker", "worker", w.ID, "smtp", notifyCfg.smtp.String())
		go func() {
			defer close(workerDone)
			w.Run(workerCtx)
		}()
	} else {
		close(workerDone)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	httpSrv := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if useTLS {
		scheme = "https"
		httpSrv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	fmt.Fprintf(stdout, "落实 Luoshi %s 已启动: %s://%s/ (%s)\n", version, scheme, ln.Addr(), db.Engine())
	errc := make(chan error, 1)
	go func() {
		if useTLS {
			errc <- httpSrv.ServeTLS(ln, *tlsCert, *tlsKey)
			return
		}
		errc <- httpSrv.Serve(ln)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := httpSrv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// intOr reads an integer environment value; a value that is not one is
// left for the flag's check to refuse (as -1).
func intOr(v string, def int) int {
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}

// durationOr reads a duration environment value ("2s"); a bad one is -1.
func durationOr(v string, def time.Duration) time.Duration {
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return -1
	}
	return d
}
