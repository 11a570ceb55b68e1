package auth

import (
	"strings"
	"testing"
)

func TestHashAndCheck(t *testing.T) {
	DefaultHashParams = HashParams{Memory: 1024, Time: 1, Threads: 1}
	h, err := HashPassword("Correct-Horse-9")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash %q is not an argon2id PHC string", h)
	}
	h2, _ := HashPassword("Correct-Horse-9")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for pw, want := range map[string]bool{"Correct-Horse-9": true, "correct-horse-9": false, "": false, strings.Repeat("x", 300): false} {
		ok, err := CheckPassword(h, pw)
		if err != nil || ok != want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=1,t=1,p=1$$", "$bcrypt$x", "$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA"} {
		if _, err := CheckPassword(bad, "x"); err == nil {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
	if _, err := HashPassword(strings.Repeat("x", MaxPasswordBytes+1)); err == nil {
		t.Error("oversized password hashed")
	}
}

func TestNormalizeUsername(t *testing.T) {
	for in, want := range map[string]string{"ａｄｍｉｎ": "admin", "Admin ": "admin", " ADMIN": "admin", "张三": "张三", "Ｕｓｅｒ１": "user1"} {
		if got := NormalizeUsername(in); got != want {
			t.Errorf("NormalizeUsername(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPolicyCheckPassword(t *testing.T) {
	p := DefaultPolicy
	for _, c := range []struct {
		user, pw string
		ok       bool
	}{
		{"zhang", "Tqmzxr1!", true},
		{"zhang", "Tqmzxrb1", true},      // three classes
		{"zhang", "abcdefg1", false},     // two classes
		{"zhang", "Ab1!", false},         // short
		{"zhang", "xZhang-2023", false},  // holds the username
		{"zhang", "XＺＨＡＮＧ-2023a", false}, // holds it after NFKC and case folding
		{"zhang", strings.Repeat("Aa1!", 70), false},
	} {
		err := p.CheckPassword(c.user, c.pw)
		if (err == nil) != c.ok {
			t.Errorf("CheckPassword(%q, %q) = %v, want ok=%v", c.user, c.pw, err, c.ok)
		}
	}
	strict := p
	strict.MinLength, strict.MinClasses = 12, 4
	if strict.CheckPassword("zhang", "Tqmzxr1!") == nil {
		t.Error("a stricter policy accepted an 8-character password")
	}
	if err := (Policy{MinLength: 4}).Validate(); err == nil {
		t.Error("a policy with min length 4 validated")
	}
	if err := DefaultPolicy.Validate(); err != nil {
		t.Errorf("default policy invalid: %v", err)
	}
}

func TestRandomPasswordMeetsPolicy(t *testing.T) {
	for i := 0; i < 200; i++ {
		pw := RandomPassword()
		if err := DefaultPolicy.CheckPassword("staff", pw); err != nil {
			t.Fatalf("RandomPassword %q: %v", pw, err)
		}
	}
}

func TestScope(t *testing.T) {
	s := Scope{Units: []int64{3, 5}}
	if !s.Has(5) || s.Has(4) || (Scope{}).Has(1) || !Everything.Has(99) {
		t.Fatal("Scope.Has")
	}
}

func TestRandomPasswordForLongPolicy(t *testing.T) {
	p := DefaultPolicy
	p.MinLength, p.MinClasses = 24, 4
	for i := 0; i < 50; i++ {
		if pw := RandomPasswordFor(p); len(pw) != 24 || p.CheckPassword("admin", pw) != nil {
			t.Fatalf("RandomPasswordFor(24) = %q", pw)
		}
	}
}

// BenchmarkHashPassword measures one sign-in's hashing cost with the
// production parameters (64 MiB, 2 passes):
// go test -bench HashPassword -benchmem ./internal/auth
func BenchmarkHashPassword(b *testing.B) {
	saved := DefaultHashParams
	DefaultHashParams = HashParams{Memory: 64 * 1024, Time: 2, Threads: 2}
	defer func() { DefaultHashParams = saved }()
	h, _ := HashPassword("Correct-Horse-9")
	b.ReportAllocs()
	for b.Loop() {
		CheckPassword(h, "Correct-Horse-9")
	}
}
