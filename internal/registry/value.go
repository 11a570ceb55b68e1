package registry

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// MoneyScale says what a money column's figures are in: 元 or 万元.
type MoneyScale int64

const (
	Yuan      MoneyScale = 1
	TenKYuan  MoneyScale = 10000
	maxAmount            = int64(1e15) // a thousand trillion yuan: anything above is a typing error
)

// ParseMoney parses an amount exactly (never through a float): an integer
// or a fixed decimal such as "1,234.50" or "1.5E+7" as Excel may store it,
// in scale, to integer yuan. An amount with fractions of a yuan, a
// negative one or one that is not a number is an error naming why.
func ParseMoney(s string, scale MoneyScale) (int64, error) {
	s = strings.TrimSpace(s)
	s = strings.NewReplacer(",", "", ",", "", " ", "", "¥", "", "￥", "").Replace(s)
	switch {
	case strings.HasSuffix(s, "万元"):
		if scale != TenKYuan {
			return 0, fmt.Errorf("该列单位为元,请勿填写“万元”")
		}
		s = strings.TrimSuffix(s, "万元")
	case strings.HasSuffix(s, "元"):
		if scale != Yuan {
			return 0, fmt.Errorf("该列单位为万元,请勿填写“元”")
		}
		s = strings.TrimSuffix(s, "元")
	}
	if s == "" {
		return 0, fmt.Errorf("请填写金额")
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, fmt.Errorf("金额须为数字")
	}
	if r.Sign() < 0 {
		return 0, fmt.Errorf("金额不能为负数")
	}
	r.Mul(r, new(big.Rat).SetInt64(int64(scale)))
	if !r.IsInt() {
		if scale == TenKYuan {
			return 0, fmt.Errorf("万元金额最多保留4位小数(精确到元)")
		}
		return 0, fmt.Errorf("金额须精确到元(不含角分)")
	}
	n := r.Num()
	if !n.IsInt64() || n.Int64() > maxAmount {
		return 0, fmt.Errorf("金额过大")
	}
	return n.Int64(), nil
}

// FormatYuan writes integer yuan with thousands separators: 1,234,567.
func FormatYuan(v int64) string {
	s := strconv.FormatInt(v, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// ParseInt parses a whole number as typed or as Excel stores it ("12",
// "12.0", "1.2E+1").
func ParseInt(s string) (int64, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, ",", ""))
	if s == "" {
		return 0, fmt.Errorf("请填写整数")
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || !r.IsInt() || !r.Num().IsInt64() {
		return 0, fmt.Errorf("须为整数")
	}
	return r.Num().Int64(), nil
}

// excelEpoch is day 0 of Excel's 1900 date system (with its 1900 leap
// year bug folded in for dates after February 1900).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// ParseDate parses a date as people type it in a sheet — 2023-03-15,
// 2023/3/15, 2023.3.15, 2023年3月15日, 20230315 — or as Excel stores a date
// cell (a serial day number such as 44999) and returns it as YYYY-MM-DD.
func ParseDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("请填写日期")
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "-/年eE") {
		if len(s) == 8 && !strings.Contains(s, ".") {
			if t, err := time.Parse("20060102", s); err == nil {
				return t.Format(time.DateOnly), nil
			}
		}
		// A date cell read raw: its serial day number, maybe with a time.
		if n >= 1 && n < 2958466 && (n >= 10000 || !strings.Contains(s, ".")) {
			if t := excelEpoch.AddDate(0, 0, int(math.Trunc(n))); t.Year() >= 1949 && t.Year() <= 2100 {
				return t.Format(time.DateOnly), nil
			}
		}
	}
	r := strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-").Replace(s)
	if i := strings.IndexAny(r, " T"); i > 0 {
		r = r[:i] // a date-time cell: keep the date
	}
	parts := strings.Split(r, "-")
	if len(parts) == 3 {
		y, e1 := strconv.Atoi(parts[0])
		m, e2 := strconv.Atoi(parts[1])
		d, e3 := strconv.Atoi(parts[2])
		if e1 == nil && e2 == nil && e3 == nil && y >= 1949 && y <= 2100 {
			t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
			if t.Year() == y && int(t.Month()) == m && t.Day() == d {
				return t.Format(time.DateOnly), nil
			}
		}
	}
	return "", fmt.Errorf("日期格式应为 2023-03-15")
}
