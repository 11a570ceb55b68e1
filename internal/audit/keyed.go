package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// KeyedHashAlg names the keyed chain (issue 7): each record's hash is
//
//	hash = hex(HMAC-SHA256(key, prev_hash || Canonical(entry)))
//
// with a key kept outside the database (LUOSHI_AUDIT_KEY or a key file).
// Whoever can write to the database but does not hold the key can no
// longer rewrite records and recompute their hashes: `luoshi audit verify`
// with the key refuses them. Records written before a key was configured
// keep their plain hash_alg and still verify, but only as a prefix: a plain
// record after a keyed one, or a chain with no keyed record at all when a
// key is given, is a rewrite.
const KeyedHashAlg = "hmac-sha256"

// MinKeyBytes is the shortest key accepted.
const MinKeyBytes = 32

// Keyed reports whether alg needs the key.
func Keyed(alg string) bool { return alg == KeyedHashAlg }

// ComputeHashKeyed is ComputeHash that also knows the keyed algorithm;
// key may be nil for plain records.
func ComputeHashKeyed(prevHash string, e Entry, key []byte) (string, error) {
	if !Keyed(e.HashAlg) {
		return ComputeHash(prevHash, e)
	}
	if len(key) == 0 {
		return "", fmt.Errorf("audit: record %d is keyed (%s) and no audit key is configured", e.ID, KeyedHashAlg)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(prevHash))
	m.Write(Canonical(e))
	return hex.EncodeToString(m.Sum(nil)), nil
}

// SealKeyed links e to the record before it with the keyed algorithm: it
// sets HashAlg, PrevHash and Hash. Call Prepare and set ID first.
func SealKeyed(e *Entry, prevHash string, key []byte) error {
	e.HashAlg = KeyedHashAlg
	e.PrevHash = prevHash
	h, err := ComputeHashKeyed(prevHash, *e, key)
	if err != nil {
		return err
	}
	e.Hash = h
	return nil
}
