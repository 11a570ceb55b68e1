package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/text"
)

// HashParams are the argon2id costs. The defaults follow RFC 9106's second
// recommended option scaled to a small server: 64 MiB, 2 passes.
type HashParams struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultHashParams is used for new hashes. Tests may lower it.
var DefaultHashParams = HashParams{Memory: 64 * 1024, Time: 2, Threads: 2}

// MaxPasswordBytes bounds what is hashed: longer input is refused before
// any hashing work.
const MaxPasswordBytes = 256

// ErrBadHash is returned for a stored hash that cannot be read.
var ErrBadHash = errors.New("auth: malformed password hash")

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(password string) (string, error) {
	if len(password) > MaxPasswordBytes {
		return "", errors.New("auth: password too long")
	}
	p := DefaultHashParams
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches hash, in constant time.
func CheckPassword(hash, password string) (bool, error) {
	if len(password) > MaxPasswordBytes {
		return false, nil
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrBadHash
	}
	var p HashParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil ||
		p.Memory == 0 || p.Memory > 1<<21 || p.Time == 0 || p.Time > 16 || p.Threads == 0 {
		return false, ErrBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, ErrBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 64 {
		return false, ErrBadHash
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is checked against when the user does not exist, so an unknown
// name costs the same time as a wrong password. Made on first use, with the
// parameters then in force.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("luoshi-dummy-password-for-timing")
	return h
})

// BurnTime spends one password check's time.
func BurnTime(password string) { CheckPassword(dummyHash(), password) }

// NormalizeUsername folds a username for comparison and lockout counting:
// NFKC (full-width ａｄｍｉｎ → admin), trimmed, lower-case.
func NormalizeUsername(s string) string {
	// Characters no username may hold (NUL, controls, zero-width, invalid
	// UTF-8) are dropped, so that a name tried at sign-in is always a
	// valid key to look up and to count failures under (issue 7).
	return strings.ToLower(strings.TrimSpace(norm.NFKC.String(text.CleanLine(s))))
}

// CleanUsername is how a new username is stored: NFKC (full-width letters
// become ASCII) and trimmed, case kept.
func CleanUsername(s string) string { return strings.TrimSpace(norm.NFKC.String(s)) }

// Policy is the security administrator's password and session policy.
type Policy struct {
	MinLength        int `json:"min_length"`
	MinClasses       int `json:"min_classes"`       // of upper, lower, digit, symbol
	LockoutThreshold int `json:"lockout_threshold"` // failed tries before lockout
	LockoutMinutes   int `json:"lockout_minutes"`
	IdleMinutes      int `json:"idle_minutes"`
	AbsoluteHours    int `json:"absolute_hours"`
	// PasswordHistory is how many of the latest passwords, the current
	// one included, a new password may not repeat.
	PasswordHistory int `json:"password_history"`
}

// MaxPasswordHistory bounds the policy's password history: each entry
// costs one hash check when a password is changed.
const MaxPasswordHistory = 24

// DefaultPolicy is the policy until the security administrator changes it.
var DefaultPolicy = Policy{MinLength: 8, MinClasses: 3, LockoutThreshold: 5, LockoutMinutes: 15, IdleMinutes: 15, AbsoluteHours: 12,
	PasswordHistory: 5}

// Validate checks the policy's own bounds.
func (p Policy) Validate() error {
	f := map[string]string{}
	if p.MinLength < 8 || p.MinLength > 64 {
		f["min_length"] = "密码最小长度须在8到64之间"
	}
	if p.MinClasses < 2 || p.MinClasses > 4 {
		f["min_classes"] = "字符种类须在2到4之间"
	}
	if p.LockoutThreshold < 3 || p.LockoutThreshold > 10 {
		f["lockout_threshold"] = "失败次数阈值须在3到10之间"
	}
	if p.LockoutMinutes < 1 || p.LockoutMinutes > 1440 {
		f["lockout_minutes"] = "锁定时长须在1到1440分钟之间"
	}
	if p.IdleMinutes < 1 || p.IdleMinutes > 120 {
		f["idle_minutes"] = "空闲超时须在1到120分钟之间"
	}
	if p.AbsoluteHours < 1 || p.AbsoluteHours > 72 {
		f["absolute_hours"] = "会话最长时长须在1到72小时之间"
	}
	if p.PasswordHistory < 1 || p.PasswordHistory > MaxPasswordHistory {
		f["password_history"] = fmt.Sprintf("密码历史须在1到%d次之间", MaxPasswordHistory)
	}
	if len(f) > 0 {
		return apperr.WithFields("安全策略有误", f)
	}
	return nil
}

// MsgGuessable is the field error of a common or easily guessed password.
const MsgGuessable = "密码过于常见,容易被猜中(如 Passw0rd、拼音或单位简称加年份、键盘连续按键),请换一个"

// CheckPassword returns a field error when password breaks the policy.
func (p Policy) CheckPassword(username, password string) error {
	msg := ""
	switch {
	case len(password) > MaxPasswordBytes:
		msg = fmt.Sprintf("密码不能超过%d个字节", MaxPasswordBytes)
	case len([]rune(password)) < p.MinLength:
		msg = fmt.Sprintf("密码至少%d位", p.MinLength)
	case classes(password) < p.MinClasses:
		msg = fmt.Sprintf("密码须包含大写字母、小写字母、数字、符号中的至少%d种", p.MinClasses)
	case username != "" && strings.Contains(NormalizeUsername(password), NormalizeUsername(username)):
		msg = "密码不能包含用户名"
	case Guessable(password):
		msg = MsgGuessable
	}
	if msg != "" {
		return apperr.WithFields(msg, map[string]string{"password": msg})
	}
	return nil
}

func classes(s string) int {
	var upper, lower, digit, other bool
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	n := 0
	for _, b := range []bool{upper, lower, digit, other} {
		if b {
			n++
		}
	}
	return n
}

// RandomPassword returns a password that meets DefaultPolicy, for accounts
// created by the demo or by an administrator (changed at first login).
func RandomPassword() string { return RandomPasswordFor(DefaultPolicy) }

// RandomPasswordFor returns a password that meets p: at least 16
// characters, or p's minimum when longer, holding all four classes.
func RandomPasswordFor(p Policy) string {
	const (
		upper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		lower  = "abcdefghijkmnopqrstuvwxyz"
		digits = "23456789"
		sym    = "!@#%+=?"
		any    = upper + lower + digits
	)
	n := max(16, p.MinLength)
	buf := make([]byte, n)
	rand.Read(buf)
	out := make([]byte, n)
	for i := range out {
		set := any
		switch i % 8 {
		case 0:
			set = upper
		case 1:
			set = lower
		case 2:
			set = digits
		case 3:
			set = sym
		}
		out[i] = set[int(buf[i])%len(set)]
	}
	return string(out)
}

// NewToken returns a random token with a prefix, for cookies and bearer
// tokens; only its hash is stored.
func NewToken(prefix string) string {
	b := make([]byte, 32)
	rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}
