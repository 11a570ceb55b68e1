package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// User is an account.
type User struct {
	ID          int64     `json:"id"`
	Username    string    `json:"username"`
	Name        string    `json:"name"`
	Role        Role      `json:"role"`
	UnitID      int64     `json:"unit_id"`
	UnitName    string    `json:"unit_name,omitempty"`
	MustChange  bool      `json:"must_change"`
	Disabled    bool      `json:"disabled"`
	CreatedAt   time.Time `json:"created_at"`
	Version     int64     `json:"version"`
	PasswordSet time.Time `json:"-"`
}

// Scope is what data an actor may see: all units, or a set of unit ids (a
// reporter's unit and those below it). The zero Scope sees nothing.
type Scope struct {
	All   bool
	Units []int64
}

// Has reports whether the scope includes unit.
func (s Scope) Has(unit int64) bool {
	if s.All {
		return true
	}
	for _, u := range s.Units {
		if u == unit {
			return true
		}
	}
	return false
}

// Everything is the scope of the bureau's roles and of the CLI.
var Everything = Scope{All: true}

// Actor is the signed-in user of a request, with the scope derived once.
type Actor struct {
	User
	Scope     Scope
	SessionID string // hash of the session or token
	ViaToken  bool   // authenticated by a bearer or personal API token
	CSRF      string
}

type actorKey struct{}

// WithActor returns ctx carrying a.
func WithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the request's actor, or nil when signed out.
func ActorFrom(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorKey{}).(*Actor)
	return a
}

// HashToken returns the stored form of a session or API token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
