// Package audit is the append-only, hash-chained log of every change and
// every sign-in event. Records are written in the same transaction as the
// change they describe; no code path updates or deletes them.
package audit

import (
	"encoding/json"
	"time"
)

// Filter selects records for the auditor's page and the export. Zero
// fields do not filter.
type Filter struct {
	From      time.Time // at or after
	To        time.Time // before (exclusive)
	Action    string    // exact action, e.g. LoginFailed
	Actions   []string  // any of these actions, e.g. LoginActions; ANDed with Action
	ActorName string    // part of the actor's name, case-insensitive for ASCII
	Entity    string
	EntityID  string
	UnitID    int64
	Limit     int // DefaultLimit when 0; at most MaxLimit
	Offset    int
}

// Page sizes for Filter.Limit. MaxLimit also caps one .xlsx export.
const (
	DefaultLimit = 50
	MaxLimit     = 100000
)

// PageLimit returns the effective limit: DefaultLimit when unset, never
// above MaxLimit.
func (f Filter) PageLimit() int {
	switch {
	case f.Limit <= 0:
		return DefaultLimit
	case f.Limit > MaxLimit:
		return MaxLimit
	}
	return f.Limit
}

// Actions: dotted names, entity first. Add new ones here so that the
// auditor's filter lists them.
const (
	LoginSucceeded  = "auth.login"
	LoginFailed     = "auth.login_failed"
	LockedOut       = "auth.locked_out"
	Logout          = "auth.logout"
	SessionRevoked  = "auth.session_revoked"
	PasswordChanged = "auth.password_changed"
	TokenCreated    = "auth.token_created"
	TokenRevoked    = "auth.token_revoked"

	UserCreated       = "user.created"
	UserUpdated       = "user.updated"
	UserPasswordReset = "user.password_reset"

	UnitCreated = "unit.created"
	UnitUpdated = "unit.updated"

	PolicyUpdated = "policy.updated"

	// AccessDenied records a refused access: a locked-out sign-in retried,
	// a page of another role, an administrator account touched from the
	// web. One record per key and window; the tries are counted in
	// access_denials (issue 7).
	AccessDenied = "access.denied"

	PlanImported = "plan.imported"
	PlanReplaced = "plan.replaced"
	PlanUpdated  = "plan.updated"
	DemoLoaded   = "demo.loaded"

	IndicatorUpdated       = "indicator.updated"
	IndicatorAllocated     = "indicator.allocated"
	IndicatorValueSet      = "indicator.value_set"
	BulletinExported       = "bulletin.exported"
	AssessmentWeightSet    = "assessment.weight_set"
	AssessmentExported     = "assessment.exported"
	NoticeIssued           = "supervision.issued"
	NoticeReminded         = "supervision.reminded"
	NoticeReplied          = "supervision.replied"
	NoticeExtensionAsked   = "supervision.extension_requested"
	NoticeExtensionGranted = "supervision.extension_granted"
	NoticeExtensionRefused = "supervision.extension_refused"
	NoticeClosed           = "supervision.closed"
	NoticeEscalated        = "supervision.escalated"
	ChannelCreated         = "notify.channel_created"
	ChannelUpdated         = "notify.channel_updated"
	ChannelDeleted         = "notify.channel_deleted"

	// AuditExported records who exported which part of the log: reading
	// the log changes nothing, but a copy leaving the system should be
	// traceable (issue 4).
	AuditExported = "audit.exported"
	// AuditKeyEnabled marks where the keyed chain begins (issue 7).
	AuditKeyEnabled = "audit.key_enabled"
	// UploadsSwept records the removal of documents uploaded for review
	// and never saved as a plan, after a day (issue 7).
	UploadsSwept = "file.swept"
)

// Actions lists every action for filters, in catalogue order.
var Actions = []string{
	LoginSucceeded, LoginFailed, LockedOut, Logout, SessionRevoked, PasswordChanged, TokenCreated, TokenRevoked,
	UserCreated, UserUpdated, UserPasswordReset, UnitCreated, UnitUpdated, PolicyUpdated, AccessDenied,
	PlanImported, PlanReplaced, PlanUpdated, DemoLoaded, AuditExported, AuditKeyEnabled, UploadsSwept,
	IndicatorUpdated, IndicatorAllocated, IndicatorValueSet, BulletinExported,
	AssessmentWeightSet, AssessmentExported,
	NoticeIssued, NoticeReminded, NoticeReplied, NoticeExtensionAsked, NoticeExtensionGranted, NoticeExtensionRefused,
	NoticeClosed, NoticeEscalated, ChannelCreated, ChannelUpdated, ChannelDeleted,
}

// LoginActions are the sign-in events shown on the login log.
var LoginActions = []string{LoginSucceeded, LoginFailed, LockedOut, Logout, SessionRevoked, PasswordChanged}

// Entry is one audit record.
type Entry struct {
	ID        int64           `json:"id"`
	At        time.Time       `json:"at"`
	ActorID   int64           `json:"actor_id,omitempty"` // 0: the system or an anonymous caller
	ActorName string          `json:"actor_name"`         // username, or "system", or the name tried at a failed login
	UnitID    int64           `json:"unit_id,omitempty"`
	IP        string          `json:"ip"`
	RequestID string          `json:"request_id"`
	Action    string          `json:"action"`
	Entity    string          `json:"entity"`    // e.g. "plan", "user"
	EntityID  string          `json:"entity_id"` // the row's id, or a name
	Before    json.RawMessage `json:"before,omitempty"`
	After     json.RawMessage `json:"after,omitempty"`
	PrevHash  string          `json:"prev_hash"` // the previous record's Hash; empty for the first record
	Hash      string          `json:"hash"`      // hex of HashAlg(PrevHash || Canonical(entry)), see chain.go
	HashAlg   string          `json:"hash_alg"`  // a name known to HasherByName, e.g. "sha256"
}

// Source says who and where a change comes from; the web layer builds it
// from the request, the CLI from the command.
type Source struct {
	ActorID   int64
	ActorName string
	UnitID    int64
	IP        string
	RequestID string
}

// System is the source of changes made by the CLI or at start-up.
func System(requestID string) Source { return Source{ActorName: "system", RequestID: requestID} }

// New returns an entry of action on entity by source; before and after are
// marshalled to JSON (nil stays empty).
func (s Source) New(action, entity, entityID string, before, after any) Entry {
	e := Entry{ActorID: s.ActorID, ActorName: s.ActorName, UnitID: s.UnitID, IP: s.IP, RequestID: s.RequestID,
		Action: action, Entity: entity, EntityID: entityID}
	if before != nil {
		e.Before, _ = json.Marshal(before)
	}
	if after != nil {
		e.After, _ = json.Marshal(after)
	}
	return e
}
