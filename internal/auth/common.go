package auth

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Passwords that meet the length and character-class rules can still be
// the first ones an attacker tries: Passw0rd, keji@2024 (issue 7). Such a
// password is refused when it is on the embedded list, or when its letters
// (read as written and with leetspeak undone: @→a, 0→o …) are one to three
// common words, names, keyboard runs or the organisation's abbreviations,
// whatever digits and symbols surround them.

//go:embed weakwords.txt
var weakWordsText string

//go:embed commonpasswords.txt
var commonPasswordsText string

const maxWeakParts = 3

var weakLists = sync.OnceValues(func() (words, whole map[string]bool) {
	words, whole = map[string]bool{}, map[string]bool{}
	for _, line := range strings.Split(weakWordsText, "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		for _, w := range strings.Fields(line) {
			if len(w) >= 2 {
				words[w] = true
			}
		}
	}
	// Runs of three or more keys along a keyboard row or column, either
	// way, and of the alphabet.
	for _, run := range []string{"qwertyuiop", "asdfghjkl", "zxcvbnm", "qaz", "wsx", "edc", "rfv", "tgb", "yhn", "ujm",
		"abcdefghijklmnopqrstuvwxyz"} {
		for _, r := range []string{run, reverse(run)} {
			for i := 0; i < len(r); i++ {
				for j := i + 3; j <= len(r); j++ {
					words[r[i:j]] = true
				}
			}
		}
	}
	for _, line := range strings.Split(commonPasswordsText, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			whole[line] = true
		}
	}
	return words, whole
})

func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

var leet = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s", "!", "i")

// leetBetweenLetters undoes leetspeak in runs of digits and symbols that
// have a letter on either side: "passw0rd!" → "password!", but the year in
// "keji@2024" stays a year.
func leetBetweenLetters(p string) string {
	b := []byte(p)
	isLetter := func(c byte) bool { return c >= 'a' && c <= 'z' }
	for i := 0; i < len(b); {
		if isLetter(b[i]) {
			i++
			continue
		}
		j := i
		for j < len(b) && !isLetter(b[j]) {
			j++
		}
		if i > 0 && j < len(b) {
			copy(b[i:j], leet.Replace(string(b[i:j])))
		}
		i = j
	}
	return string(b)
}

// Guessable reports whether password is a common one or made of common
// words with digits and symbols around them.
func Guessable(password string) bool {
	words, whole := weakLists()
	p := strings.ToLower(norm.NFKC.String(password))
	if whole[p] {
		return true
	}
	// As typed, with leetspeak undone between letters (Passw0rd!), and
	// everywhere (@dmin).
	for _, form := range []string{p, leetBetweenLetters(p), leet.Replace(p)} {
		letters := strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' {
				return r
			}
			return -1
		}, form)
		if letters != "" && len(letters) == countLatinLetters(form) && splits(letters, words, maxWeakParts) {
			return true
		}
	}
	return false
}

// countLatinLetters counts a–z in s; letters of other scripts make a
// password that is not pinyin and digits, and these rules do not judge it.
func countLatinLetters(s string) int {
	n := 0
	for _, r := range s {
		if r >= 'a' && r <= 'z' {
			n++
		} else if r > 0x7f && unicode.IsLetter(r) {
			return -1
		}
	}
	return n
}

// splits reports whether s is the concatenation of at most n words.
func splits(s string, words map[string]bool, n int) bool {
	if s == "" {
		return true
	}
	if n == 0 {
		return false
	}
	for i := len(s); i >= 2; i-- {
		if words[s[:i]] && splits(s[i:], words, n-1) {
			return true
		}
	}
	return false
}
