package target

import "testing"

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"185", 185, true},
		{"１８５", 185, true},
		{"15.3", 15.3, true},
		{"１５．３", 15.3, true},
		{"1,200", 1200, true},
		{"1,200,000", 1200000, true},
		{"1.2万", 12000, true},
		{"15.3亿", 1530000000, true},
		{"3千万", 3e7, true},
		{"1.2万亿", 1.2e12, true},
		{"三", 3, true},
		{"十", 10, true},
		{"十二", 12, true},
		{"二十", 20, true},
		{"一百二十", 120, true},
		{"一百零五", 105, true},
		{"两", 2, true},
		{"两千", 2000, true},
		{"三千万", 3e7, true},
		{"十万", 1e5, true},
		{"一万亿", 1e12, true},
		{"三亿五千万", 3.5e8, true},
		{"壹佰贰拾", 120, true},
		{"二〇二三", 2023, true},
		{"", 0, false},
		{"十四五", 0, false},
		{"一二", 0, false},
		{"百", 0, false},
		{"万", 0, false},
		{"十十", 0, false},
		{"1.2.3", 0, false},
		{"12a", 0, false},
		{"abc", 0, false},
		{"1,20", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseNumber(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestScale(t *testing.T) {
	tests := []struct {
		in     string
		base   string
		factor float64
	}{
		{"元", "元", 1},
		{"万元", "元", 1e4},
		{"十万元", "元", 1e5},
		{"百万元", "元", 1e6},
		{"千万元", "元", 1e7},
		{"亿元", "元", 1e8},
		{"万亿元", "元", 1e12},
		{"亿美元", "美元", 1e8},
		{"家", "家", 1},
		{"万人次", "人次", 1e4},
		{"％", "%", 1},
		{"个百分点", "百分点", 1},
		{"千瓦", "千瓦", 1},
		{"万千瓦", "千瓦", 1e4},
		{"千克", "千克", 1},
		{"furlong", "furlong", 1},
	}
	for _, tt := range tests {
		base, factor := Scale(tt.in)
		if base != tt.base || factor != tt.factor {
			t.Errorf("Scale(%q) = %q, %v; want %q, %v", tt.in, base, factor, tt.base, tt.factor)
		}
	}
}
