package target

import (
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzExtract(f *testing.F) {
	if b, err := os.ReadFile("../../../demo/plan.txt"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			f.Add(line)
		}
	}
	for _, s := range []string{
		"高新技术企业数量突破1000家、争取达到1200家",
		"全市技术合同成交额突破15亿元，力争达到18亿元；高新技术企业达到200家。",
		"高新技术企业达到300家（力争350家）",
		"新增高新技术企业100-120家",
		"技术合同成交额达到1,200万元",
		"研发投入占GDP比重达到百分之三",
		"引进一百二十家企业",
		"高新技术企业达到１８５家",
		"万元GDP能耗下降3%以上",
		"培训农民1万余人次",
		"“科创29条",
		"\"未闭合 达到5家",
		"达到",
		"百分之",
		"1,",
		"1.",
		"3万余",
		"一万亿三千亿元",
		"（1）新增2个",
		"①达到3家",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got := Extract(text)
		valid := utf8.ValidString(text)
		for _, g := range got {
			if g.Source == "" || g.Unit == "" || g.Display == "" {
				t.Fatalf("empty field in %s", describe(g))
			}
			switch g.Comparator {
			case ">=", ">", "~", "<=":
			default:
				t.Fatalf("comparator %q", g.Comparator)
			}
			if math.IsNaN(g.Value) || math.IsInf(g.Value, 0) {
				t.Fatalf("value %v", g.Value)
			}
			if g.Stretch != nil && (math.IsNaN(*g.Stretch) || math.IsInf(*g.Stretch, 0)) {
				t.Fatalf("stretch %v", *g.Stretch)
			}
			if valid && (!strings.Contains(text, g.Source) || !strings.Contains(text, g.Display) ||
				!strings.Contains(g.Source, g.Display)) {
				t.Fatalf("source %q or display %q not in the text", g.Source, g.Display)
			}
		}
	})
}

// BenchmarkExtractLong feeds long, adversarial inputs of 10,000 and
// 100,000 characters; ns/op growing 10× (not 100×) between the two shows
// the extractor is linear:
// go test -run '^$' -bench ExtractLong ./internal/plan/parse/target
func BenchmarkExtractLong(b *testing.B) {
	units := []string{
		"1", "新增高新技术企业达到1家、", "“", "一", "达到", "1,000", "百分之", "力争", "以上", "企业",
		"达到1家，力争2家，", "1-2家、", "十万亿",
	}
	for _, n := range []int{10000, 100000} {
		var texts []string
		for _, u := range units {
			texts = append(texts, strings.Repeat(u, n/len([]rune(u))))
		}
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				for _, text := range texts {
					Extract(text)
				}
			}
		})
	}
}
