package text

import (
	"strings"
	"testing"
)

func TestLine(t *testing.T) {
	ok := []string{"", "射洪市科技局", "Suining 遂宁 (2023)", "A&B <c> 'd' \"e\"", "１２３", "😀", "\u00a0non-breaking"}
	for _, s := range ok {
		if msg := Line("名称", s); msg != "" {
			t.Errorf("Line(%q) = %q, want accepted", s, msg)
		}
	}
	bad := map[string]string{
		"a\x00b":         "空字符",
		"a\nb":           "换行符",
		"a\rb":           "换行符",
		"a\tb":           "制表符",
		"a\x1bb":         "控制字符(U+001B)",
		"a\x7fb":         "控制字符(U+007F)",
		"a\u0085b":       "控制字符(U+0085)",
		"a\u202eb":       "文字方向控制字符(U+202E)",
		"a\u202ab":       "文字方向控制字符(U+202A)",
		"a\u2066b":       "文字方向控制字符(U+2066)",
		"a\u2069b":       "文字方向控制字符(U+2069)",
		"a\u200fb":       "文字方向控制字符(U+200F)",
		"a\u200bb":       "零宽字符(U+200B)",
		"a\u200db":       "零宽字符(U+200D)",
		"a\ufeffb":       "零宽字符(U+FEFF)",
		"a\u2060b":       "零宽字符(U+2060)",
		"a\u2028b":       "控制字符(U+2028)",
		"a\xffb":         "无效的 UTF-8",
		"\xe5\xb0":       "无效的 UTF-8",
		"ok\xef\xbf\xbd": "无效的 UTF-8", // U+FFFD itself: a replaced character is a sign of broken input
	}
	for s, want := range bad {
		msg := Line("名称", s)
		if !strings.HasPrefix(msg, "名称不能包含") || !strings.Contains(msg, want) {
			t.Errorf("Line(%q) = %q, want a message with %q", s, msg, want)
		}
	}
}

func TestMulti(t *testing.T) {
	if msg := Multi("说明", "第一行\n\t第二行"); msg != "" {
		t.Errorf("Multi refused LF and tab: %q", msg)
	}
	for _, s := range []string{"a\x00", "a\rb", "a\u202e", "a\u200b", "a\u000b"} {
		if Multi("说明", s) == "" {
			t.Errorf("Multi(%q) accepted", s)
		}
	}
	if got := NormalizeMulti("a\r\nb\rc"); got != "a\nb\nc" {
		t.Errorf("NormalizeMulti = %q", got)
	}
}

func TestCleanLine(t *testing.T) {
	for in, want := range map[string]string{
		"plan.docx":            "plan.docx",
		"pl\x00an\u202e.docx":  "plan.docx",
		"a\r\nb\xff\u200bc":    "abc",
		"工作要点\u2066.txt\u2069": "工作要点.txt",
	} {
		got := CleanLine(in)
		if got != want || Line("", got) != "" {
			t.Errorf("CleanLine(%q) = %q, want %q", in, got, want)
		}
	}
}
