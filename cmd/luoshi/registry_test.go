package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/demo"
	"github.com/luoshi/luoshi/internal/registry"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/testenv"
)

// TestRegistryCommands: export the demo registries, import them again
// unchanged, and a file with a bad row is refused with a non-zero exit
// that names the row, the column and the reason.
func TestRegistryCommands(t *testing.T) {
	auth.DefaultHashParams = auth.HashParams{Memory: 1024, Time: 1, Threads: 1}
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			dsn := testenv.DSN(t, engine)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := demo.Load(ctx, db); err != nil {
				t.Fatal(err)
			}
			if _, err := demo.LoadRegistry(ctx, db); err != nil {
				t.Fatal(err)
			}
			getenv := env(func(string) string { return "" })
			cli := func(args ...string) (string, string, error) {
				var o, e bytes.Buffer
				err := run(ctx, args, getenv, nil, &o, &e)
				return o.String(), e.String(), err
			}
			dir := t.TempDir()
			for _, kind := range []string{"enterprises", "contracts", "platforms", "projects", "teams", "commissioners"} {
				file := filepath.Join(dir, kind+".xlsx")
				out, _, err := cli("export", kind, "--db", dsn, "--out", file)
				if err != nil || !strings.Contains(out, "exported") {
					t.Fatalf("export %s: %v %s", kind, err, out)
				}
				out, errOut, err := cli("import", kind, "--db", dsn, file)
				if err != nil || !strings.Contains(out, "created 0, updated 0") || strings.Contains(out, "unchanged 0") {
					t.Fatalf("import %s: %v %s %s", kind, err, out, errOut)
				}
			}
			// A bad file: one wrong check digit, one date that is not a date.
			u := registry.MakeUSCC("91510900MA6E00001")
			bad := u[:17] + map[bool]string{true: "1", false: "0"}[u[17] == '0']
			csv := "统一社会信用代码*,企业名称*,所属单位*,高企证书编号,高企发证日期\n" +
				registry.MakeUSCC("91510900MA6E00002") + ",甲,510903,GR1,2023-13-01\n" + bad + ",乙,510903,,\n"
			file := filepath.Join(dir, "bad.csv")
			os.WriteFile(file, []byte(csv), 0o600)
			_, errOut, err := cli("import", "enterprises", "--db", dsn, file)
			if err == nil || !strings.Contains(errOut, "行号 2 (row 2), 列 E 高企发证日期") ||
				!strings.Contains(errOut, "行号 3 (row 3), 列 A 统一社会信用代码*") || !strings.Contains(errOut, "校验位错误") ||
				!strings.Contains(errOut, "未导入任何数据") {
				t.Fatalf("bad import: %v\n%s", err, errOut)
			}
			if _, n, _ := db.Records(ctx, auth.Everything, registry.Enterprises, registry.Filter{Query: "MA6E0000"}); n != 0 {
				t.Fatal("a refused import wrote rows")
			}
		})
	}
}
