package plan

import "testing"

func TestFormatValue(t *testing.T) {
	for _, c := range []struct {
		v    float64
		unit string
		want string
	}{
		{1530000000, "元", "15.3亿元"},
		{1200000000, "元", "12亿元"},
		{65000000000, "元", "650亿元"},
		{1.2e12, "元", "1.2万亿元"},
		{350000, "元", "35万元"},
		{9000, "元", "9000元"},
		{185, "家", "185家"},
		{2.5, "%", "2.5%"},
	} {
		if got := FormatValue(c.v, c.unit); got != c.want {
			t.Errorf("FormatValue(%v, %q) = %q, want %q", c.v, c.unit, got, c.want)
		}
	}
}

func TestValueTextPrefersDisplay(t *testing.T) {
	tg := Target{Value: 1530000000, Unit: "元", Display: "15.30亿元"}
	if got := tg.ValueText(); got != "15.30亿元" {
		t.Fatalf("got %q", got)
	}
	tg.Display = ""
	if got := tg.ValueText(); got != "15.3亿元" {
		t.Fatalf("got %q", got)
	}
}

func TestChineseNumeral(t *testing.T) {
	for n, want := range map[int]string{1: "一", 6: "六", 10: "十", 12: "十二", 20: "二十", 23: "二十三", 99: "九十九", 100: "100", 0: "0"} {
		if got := ChineseNumeral(n); got != want {
			t.Errorf("ChineseNumeral(%d) = %q, want %q", n, got, want)
		}
	}
}
