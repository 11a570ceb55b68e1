package audit

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// The chain (issue 4). Each record stores the hash of the one before it:
//
//	hash = hex(H(prev_hash || Canonical(entry)))
//
// where prev_hash is the previous record's hash as stored (lower-case hex
// text) and is empty for the first record. Canonical never starts with a hex
// digit, so the two parts cannot be confused. H is named per record
// (hash_alg), so a new algorithm such as SM3 can be registered and used for
// new records while old ones still verify with theirs.
//
// Ids are part of the hashed content and the store assigns them as previous
// id + 1, so a reordered, renumbered or deleted record breaks the chain. The
// chain cannot show that records were cut off its end, or that the last
// record was rewritten together with its hash: anchor the final hash
// elsewhere (`luoshi audit verify` prints it).

// Hasher is a hash function for the chain.
type Hasher interface {
	Name() string // stored in hash_alg; never change it for an algorithm in use
	Sum(data []byte) []byte
}

// DefaultHashAlg is the algorithm for new records.
const DefaultHashAlg = "sha256"

// SHA256 is the SHA-256 hasher.
type SHA256 struct{}

// Name returns "sha256".
func (SHA256) Name() string { return "sha256" }

// Sum returns the SHA-256 digest of data.
func (SHA256) Sum(data []byte) []byte {
	s := sha256.Sum256(data)
	return s[:]
}

var (
	hashersMu sync.RWMutex
	hashers   = map[string]Hasher{"sha256": SHA256{}}
)

// RegisterHasher makes h available by its name, e.g. an SM3 implementation.
// Call it from an init function.
func RegisterHasher(h Hasher) {
	hashersMu.Lock()
	defer hashersMu.Unlock()
	hashers[h.Name()] = h
}

// HasherByName returns the registered hasher called name.
func HasherByName(name string) (Hasher, bool) {
	hashersMu.RLock()
	defer hashersMu.RUnlock()
	h, ok := hashers[name]
	return h, ok
}

// HasherNames lists the registered algorithms, sorted.
func HasherNames() []string {
	hashersMu.RLock()
	defer hashersMu.RUnlock()
	var out []string
	for n := range hashers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// TimeLayout is how At is hashed: UTC with exactly six fractional digits,
// the precision both engines keep.
const TimeLayout = "2006-01-02T15:04:05.000000Z07:00"

// canonicalTag starts every canonical encoding; it versions the format.
const canonicalTag = "luoshi-audit-v1\n"

// Canonical returns the bytes that are hashed for e: canonicalTag, then
// each field as its decimal byte length, ':', the bytes and '\n', in this
// order: id, at (TimeLayout, UTC), actor_id, actor_name, unit_id, ip,
// request_id, action, entity, entity_id, before, after, hash_alg. Before and
// after are the stored JSON text, byte for byte. PrevHash and Hash are not
// part of it.
func Canonical(e Entry) []byte {
	var b bytes.Buffer
	b.WriteString(canonicalTag)
	field := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
		b.WriteByte('\n')
	}
	field(strconv.FormatInt(e.ID, 10))
	field(e.At.UTC().Format(TimeLayout))
	field(strconv.FormatInt(e.ActorID, 10))
	field(e.ActorName)
	field(strconv.FormatInt(e.UnitID, 10))
	field(e.IP)
	field(e.RequestID)
	field(e.Action)
	field(e.Entity)
	field(e.EntityID)
	field(string(e.Before))
	field(string(e.After))
	field(e.HashAlg)
	return b.Bytes()
}

// ComputeHash returns hex(H(prevHash || Canonical(e))) with H named by
// e.HashAlg.
func ComputeHash(prevHash string, e Entry) (string, error) {
	h, ok := HasherByName(e.HashAlg)
	if !ok {
		return "", fmt.Errorf("audit: unknown hash algorithm %q", e.HashAlg)
	}
	data := append([]byte(prevHash), Canonical(e)...)
	return hex.EncodeToString(h.Sum(data)), nil
}

// maxText caps the short text fields: a failed login stores whatever name
// was tried, and the log must not be a place to dump megabytes.
const maxText = 256

// Prepare normalises e into what the store keeps, so that the record read
// back hashes the same on both engines: At in UTC truncated to
// microseconds; text as valid UTF-8 without NUL bytes (PostgreSQL refuses
// both) and at most 256 runes; before/after as compact JSON, with "null"
// as empty; HashAlg defaulted. It fails on invalid JSON or an unknown
// algorithm.
func Prepare(e *Entry) error {
	e.At = e.At.UTC().Truncate(time.Microsecond)
	for _, s := range []*string{&e.ActorName, &e.IP, &e.RequestID, &e.Action, &e.Entity, &e.EntityID} {
		*s = cleanText(*s, maxText)
	}
	var err error
	if e.Before, err = compactJSON(e.Before); err != nil {
		return fmt.Errorf("audit: before: %w", err)
	}
	if e.After, err = compactJSON(e.After); err != nil {
		return fmt.Errorf("audit: after: %w", err)
	}
	if e.HashAlg == "" {
		e.HashAlg = DefaultHashAlg
	}
	if _, ok := HasherByName(e.HashAlg); !ok && !Keyed(e.HashAlg) {
		return fmt.Errorf("audit: unknown hash algorithm %q", e.HashAlg)
	}
	return nil
}

// Seal links e to the record before it: it sets PrevHash and Hash. Call
// Prepare and set ID first.
func Seal(e *Entry, prevHash string) error {
	e.PrevHash = prevHash
	h, err := ComputeHash(prevHash, *e)
	if err != nil {
		return err
	}
	e.Hash = h
	return nil
}

func cleanText(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "")
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max])
	}
	return s
}

func compactJSON(raw json.RawMessage) (json.RawMessage, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	// Invalid UTF-8 can only sit inside JSON strings, so replacing it keeps
	// the document valid.
	raw = bytes.ToValidUTF8(raw, []byte("\uFFFD"))
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return nil, err
	}
	if b.String() == "null" {
		return nil, nil
	}
	return b.Bytes(), nil
}

// Result is the outcome of verifying the chain.
type Result struct {
	Checked  int    // records that verified before the break, or all of them
	Keyed    int    // of those, records with the keyed hash (KeyedHashAlg)
	LastID   int64  // id of the last verified record
	LastHash string // its hash: record it elsewhere to detect later truncation
	Broken   bool
	BrokenID int64  // the first record that does not verify
	Reason   string // why, in Chinese for the operator
}

// OK reports whether the whole chain verified.
func (r Result) OK() bool { return !r.Broken }

// Verifier checks records one at a time, in id order, and stops at the
// first broken one.
type Verifier struct {
	// Key is the audit key; without it a keyed record does not verify.
	Key []byte
	res Result
}

// Add checks e against the records before it and reports whether the chain
// still holds.
func (v *Verifier) Add(e Entry) bool {
	if v.res.Broken {
		return false
	}
	if reason := v.check(e); reason != "" {
		v.res.Broken, v.res.BrokenID, v.res.Reason = true, e.ID, reason
		return false
	}
	v.res.Checked++
	if Keyed(e.HashAlg) {
		v.res.Keyed++
	}
	v.res.LastID, v.res.LastHash = e.ID, e.Hash
	return true
}

// Finish ends the check. With a key, a chain whose records are all plain
// (none keyed) is a rewrite by someone without the key (issue 7), unless
// it is empty.
func (v *Verifier) Finish() Result {
	if !v.res.Broken && len(v.Key) > 0 && v.res.Checked > 0 && v.res.Keyed == 0 {
		v.res.Broken, v.res.BrokenID = true, v.res.LastID
		v.res.Reason = "已配置审计密钥,但没有一条记录以密钥签名:整条链可能已被不知道密钥的人重写" +
			"(若这些记录都写于启用密钥之前,请先启动一次 serve,它会写入一条以密钥签名的启用记录)"
	}
	return v.res
}

func (v *Verifier) check(e Entry) string {
	prevID, prevHash := v.res.LastID, v.res.LastHash
	switch {
	case e.ID <= prevID:
		return fmt.Sprintf("记录编号 %d 未递增(前一条为 %d)", e.ID, prevID)
	case e.ID == prevID+2:
		return fmt.Sprintf("缺少第 %d 条记录", prevID+1)
	case e.ID > prevID+2:
		return fmt.Sprintf("缺少第 %d 至第 %d 条记录", prevID+1, e.ID-1)
	}
	if _, ok := HasherByName(e.HashAlg); !ok && !Keyed(e.HashAlg) {
		return fmt.Sprintf("未知的哈希算法 %q", e.HashAlg)
	}
	if Keyed(e.HashAlg) && len(v.Key) == 0 {
		return "该记录以审计密钥签名(hmac-sha256),请提供审计密钥(LUOSHI_AUDIT_KEY 或 --audit-key-file)后再校验"
	}
	if !Keyed(e.HashAlg) && v.res.Keyed > 0 {
		return "以密钥签名的记录之后出现了未签名的记录,记录已被改写"
	}
	if got, _ := ComputeHashKeyed(e.PrevHash, e, v.Key); !hmac.Equal([]byte(got), []byte(e.Hash)) {
		return "记录内容与其哈希不符,记录已被修改"
	}
	if e.PrevHash != prevHash {
		if prevID == 0 {
			return "首条记录的前序哈希应为空"
		}
		return fmt.Sprintf("前序哈希与第 %d 条记录的哈希不符,其中一条已被修改", prevID)
	}
	return ""
}

// Result returns the outcome so far.
func (v *Verifier) Result() Result { return v.res }

// Verify reads records in id order from next until it reports no more, and
// checks the chain. err is a read error; a broken chain is in the Result.
func Verify(next func() (Entry, bool, error)) (Result, error) {
	return VerifyKeyed(nil, next)
}

// VerifyKeyed is Verify with the audit key.
func VerifyKeyed(key []byte, next func() (Entry, bool, error)) (Result, error) {
	v := Verifier{Key: key}
	for {
		e, ok, err := next()
		if err != nil {
			return v.Result(), err
		}
		if !ok {
			return v.Finish(), nil
		}
		if !v.Add(e) {
			return v.Result(), nil
		}
	}
}
