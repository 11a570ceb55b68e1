package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/demo"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/testenv"
)

func TestPlanImportCommand(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			dsn := testenv.DSN(t, engine)
			file := filepath.Join(t.TempDir(), demo.PlanFileName)
			if err := os.WriteFile(file, demo.PlanDocument, 0o600); err != nil {
				t.Fatal(err)
			}
			getenv := env(func(string) string { return "" })
			imp := func(args ...string) (string, error) {
				var o, e bytes.Buffer
				err := run(ctx, append([]string{"plan", "import", file, "--db", dsn}, args...), getenv, nil, &o, &e)
				return o.String(), err
			}

			out, err := imp()
			if err != nil || !strings.Contains(out, "6 个部分, 17 条工作条目, 10 件重点事项, 5 个主要目标") ||
				!strings.Contains(out, "已导入计划《2023年全市科技创新工作要点》(#1),状态:草稿") {
				t.Fatalf("first import: %v\n%s", err, out)
			}
			// The same file again is refused, naming the plan.
			_, err = imp()
			if err == nil || !strings.Contains(err.Error(), "该文件已导入为计划《2023年全市科技创新工作要点》(#1)") ||
				!strings.Contains(err.Error(), "--replace") {
				t.Fatalf("second import: %v", err)
			}
			// --replace replaces the draft; --activate makes the new one active.
			out, err = imp("--replace", "--activate")
			if err != nil || !strings.Contains(out, "已替换草稿 #1,导入计划《2023年全市科技创新工作要点》(#2),状态:执行中") {
				t.Fatalf("replace: %v\n%s", err, out)
			}
			// An active plan is not replaced.
			if _, err = imp("--replace"); err == nil || !strings.Contains(err.Error(), "已不是草稿") {
				t.Fatalf("replace of an active plan: %v", err)
			}

			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			plans, err := db.Plans(ctx, auth.Scope{All: true})
			if err != nil || len(plans) != 1 || plans[0].ID != 2 || plans[0].Status != "active" {
				t.Fatalf("plans: %+v %v", plans, err)
			}
			es, _, err := db.AuditEntries(ctx, audit.Filter{})
			if err != nil || len(es) != 2 || es[0].Action != audit.PlanReplaced || es[1].Action != audit.PlanImported ||
				es[0].ActorName != "system" {
				t.Fatalf("audit: %+v %v", es, err)
			}

			// Not a plan: the parser's message, nothing saved.
			png := filepath.Join(t.TempDir(), "logo.png")
			os.WriteFile(png, append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...), 0o600)
			var o, e bytes.Buffer
			err = run(ctx, []string{"plan", "import", png, "--db", dsn}, getenv, nil, &o, &e)
			if err == nil || !strings.Contains(err.Error(), "未识别到工作要点") {
				t.Fatalf("png: %v", err)
			}
		})
	}
}
