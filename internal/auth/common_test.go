package auth

import "testing"

// TestGuessable: common passwords and their family (pinyin, names and the
// organisation's abbreviations plus a year, keyboard runs, leetspeak) are
// refused; passwords that only contain such a word among other letters are
// not.
func TestGuessable(t *testing.T) {
	for pw, want := range map[string]bool{
		"Passw0rd":        true,
		"P@ssw0rd":        true,
		"PASSWORD123!":    true,
		"Passw0rd!":       true,
		"Pa55word#1":      true,
		"@dmin2024":       true,
		"keji@2024":       true,
		"Keji@2024":       true,
		"Kejiju2024!":     true,
		"kjj@2023":        true,
		"Sckj#2024":       true,
		"Suining@2023":    true,
		"Luoshi2024!":     true,
		"qwer1234":        true,
		"Qwer!234":        true,
		"1qaz2wsx":        true,
		"1qaz@WSX":        true,
		"!QAZ2wsx":        true,
		"Asdf1234!":       true,
		"Zxcvbnm1!":       true,
		"Poiuy123!":       true, // a row backwards
		"Abcd1234!":       true,
		"woaini1314":      true,
		"Woaini@520":      true,
		"Zhangwei1990!":   true,
		"Wangxiaoming1!":  true,
		"Li@123456":       true,
		"Admin@123":       true,
		"Ａｄｍｉｎ＠１２３":       true, // full-width
		"Huawei@123":      true,
		"Tqmzxr1!":        false,
		"Keji-R7x!92Lm":   false, // a word among other letters
		"Rain-Kite-Lamp7": false,
		"xK9#mV2$pL":      false,
		"科技局2024!":        false, // not latin letters: these rules do not judge it
		"Start-Pass-1":    false,
	} {
		if got := Guessable(pw); got != want {
			t.Errorf("Guessable(%q) = %v, want %v", pw, got, want)
		}
	}
}

// TestGuessableSparesRandomPasswords: the temporary passwords the system
// makes are never refused by the word rule.
func TestGuessableSparesRandomPasswords(t *testing.T) {
	for range 2000 {
		if pw := RandomPassword(); Guessable(pw) {
			t.Fatalf("random password %q judged guessable", pw)
		}
	}
}
