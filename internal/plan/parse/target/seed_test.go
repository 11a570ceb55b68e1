package target

import (
	"os"
	"strings"
	"testing"

	"github.com/luoshi/luoshi/internal/plan"
)

// TestSeed runs Extract over every line of the seed plan and checks the
// complete set of targets: the five headline targets of the preamble and
// the six counts of the work items and key items, nothing else.
func TestSeed(t *testing.T) {
	b, err := os.ReadFile("../../../demo/plan.txt")
	if err != nil {
		t.Fatal(err)
	}
	const item8 = "组织实施农业科技项目3项以上、开发新产品1个、示范推广新品种新技术5项"
	want := []plan.Target{
		{Name: "国家高新技术企业", Value: 185, Unit: "家", Comparator: ">=", Display: "185家", Source: "全年国家高新技术企业达到185家"},
		{Name: "入库备案国家科技型中小企业", Value: 520, Unit: "家", Comparator: ">=", Display: "520家", Source: "入库备案国家科技型中小企业达到520家"},
		{Name: "全社会研发投入", Value: 1530000000, Unit: "元", Comparator: ">=", Display: "15.3亿元", Source: "全社会研发投入达到15.3亿元"},
		{Name: "技术合同认定登记额", Value: 1200000000, Unit: "元", Comparator: ">", Display: "12亿元", Source: "技术合同认定登记额突破12亿元"},
		{Name: "高新技术产业营业收入", Value: 65000000000, Unit: "元", Comparator: ">=", Display: "650亿元", Source: "高新技术产业营业收入达到650亿元"},
		{Name: "省级以上创新平台", Value: 2, Unit: "个", Comparator: ">=", Increment: true, Display: "2个", Source: "新增省级以上创新平台2个"},
		{Name: "农业科技项目", Value: 3, Unit: "项", Comparator: ">=", Display: "3项", Source: item8},
		{Name: "新产品", Value: 1, Unit: "个", Comparator: ">=", Display: "1个", Source: item8},
		{Name: "新品种新技术", Value: 5, Unit: "项", Comparator: ">=", Display: "5项", Source: item8},
		{Name: "高校人才团队", Value: 50, Unit: "支", Comparator: "~", Display: "50支", Source: "常年柔性引进50支左右高校人才团队服务创新发展"},
		{Name: "卫星", Value: 100, Unit: "颗", Comparator: ">=", Display: "100颗", Source: "力争具备年管理100颗卫星的能力"},
	}
	var got []plan.Target
	for _, line := range strings.Split(string(b), "\n") {
		got = append(got, Extract(line)...)
	}
	if len(got) != len(want) {
		for _, g := range got {
			t.Logf("got %s", describe(g))
		}
		t.Fatalf("got %d targets, want %d", len(got), len(want))
	}
	for i := range want {
		if d, w := describe(got[i]), describe(want[i]); d != w {
			t.Errorf("target %d:\n got %s\nwant %s", i, d, w)
		}
	}
	// The whole document at once gives the same targets.
	whole := Extract(string(b))
	if len(whole) != len(got) {
		t.Fatalf("whole document: got %d targets, want %d", len(whole), len(got))
	}
	for i := range whole {
		if d, w := describe(whole[i]), describe(got[i]); d != w {
			t.Errorf("whole document, target %d:\n got %s\nwant %s", i, d, w)
		}
	}
}
