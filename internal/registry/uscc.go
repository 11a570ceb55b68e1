package registry

import (
	"fmt"
	"strings"
)

// usccChars are the characters a USCC may use (GB 32100-2015): digits and
// upper-case letters without I, O, Z, S and V. A character's value is its
// index.
const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are the weights of positions 1–17 (3^(i-1) mod 31).
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// USCCCheckChar returns the check character (position 18) of the first 17
// characters of a USCC, or an error when one of them is not allowed.
func USCCCheckChar(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, fmt.Errorf("须为17位")
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccChars, first17[i])
		if v < 0 {
			return 0, fmt.Errorf("第%d位“%c”不是允许的字符", i+1, first17[i])
		}
		sum += v * usccWeights[i]
	}
	return usccChars[(31-sum%31)%31], nil
}

// NormalizeUSCC trims spaces and upper-cases a USCC as typed.
func NormalizeUSCC(s string) string {
	s = strings.TrimSpace(strings.ToUpper(s))
	// Full-width digits and letters from Chinese input methods.
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '０' && r <= '９':
			r = '0' + (r - '０')
		case r >= 'Ａ' && r <= 'Ｚ':
			r = 'A' + (r - 'Ａ')
		case r >= 'ａ' && r <= 'ｚ':
			r = 'A' + (r - 'ａ')
		case r == ' ' || r == '\u3000' || r == '-':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CheckUSCC validates a normalized unified social credit code (统一社会信用代码,
// GB 32100-2015): 18 characters from the allowed set, a 6-digit division
// code in positions 3–8, and the check character in position 18. The
// error says what is wrong, in Chinese.
func CheckUSCC(s string) error {
	n := len([]rune(s))
	if n != 18 {
		return fmt.Errorf("统一社会信用代码须为18位,现为%d位", n)
	}
	for i := 3; i <= 8; i++ {
		if s[i-1] < '0' || s[i-1] > '9' {
			return fmt.Errorf("统一社会信用代码第3至8位须为行政区划代码(数字)")
		}
	}
	want, err := USCCCheckChar(s[:17])
	if err != nil {
		return fmt.Errorf("统一社会信用代码%v", err)
	}
	if strings.IndexByte(usccChars, s[17]) < 0 {
		return fmt.Errorf("统一社会信用代码第18位“%c”不是允许的字符", s[17])
	}
	if s[17] != want {
		return fmt.Errorf("统一社会信用代码校验位错误:第18位应为%c,现为%c", want, s[17])
	}
	return nil
}

// MakeUSCC completes 17 characters with their check character (tests and
// the demo data).
func MakeUSCC(first17 string) string {
	c, err := USCCCheckChar(first17)
	if err != nil {
		panic(err)
	}
	return first17 + string(c)
}
