package registry_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/luoshi/luoshi/internal/registry"
)

// FuzzCells feeds arbitrary cell text to the parsers of money, dates and
// USCCs: they never panic, an accepted amount writes back to itself, an
// accepted date is a real YYYY-MM-DD, and a USCC completed by MakeUSCC
// passes its own check.
func FuzzCells(f *testing.F) {
	for _, s := range []string{"1,234.00", "1.2E+7", "0.0001", "12万元", "-1", "2023年3月15日", "45000", "91110000600037341L", "9.15109E+17", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, scale := range []registry.MoneyScale{registry.Yuan, registry.TenKYuan} {
			if n, err := registry.ParseMoney(s, scale); err == nil {
				if n < 0 {
					t.Fatalf("%q: negative %d", s, n)
				}
				if back, err := registry.ParseMoney(strconv.FormatInt(n, 10), registry.Yuan); err != nil || back != n {
					t.Fatalf("%q → %d → %d %v", s, n, back, err)
				}
			}
		}
		if d, err := registry.ParseDate(s); err == nil {
			if again, err := registry.ParseDate(d); err != nil || again != d || len(d) != 10 {
				t.Fatalf("%q → %q → %q %v", s, d, again, err)
			}
		}
		u := registry.NormalizeUSCC(s)
		if len(u) >= 17 && strings.Trim(u[:17], "0123456789ABCDEFGHJKLMNPQRTUWXY") == "" && strings.Trim(u[2:8], "0123456789") == "" {
			if err := registry.CheckUSCC(registry.MakeUSCC(u[:17])); err != nil {
				t.Fatalf("%q: %v", u, err)
			}
		}
		_ = registry.CheckUSCC(u)
	})
}
