// Package apperr is Luoshi's one error type: a code that maps to an HTTP
// status, a message key for the UI catalogue, and per-field messages.
package apperr

import (
	"errors"
	"fmt"
)

// Code classifies an error for callers; web and API map it to a status.
type Code string

const (
	Invalid   Code = "invalid"
	NotFound  Code = "not_found"
	Forbidden Code = "forbidden"
	Conflict  Code = "conflict"
	Internal  Code = "internal"
	// Unauthenticated means no valid session or token.
	Unauthenticated Code = "unauthenticated"
	// TooMany means a limit was hit (lockout, rate).
	TooMany Code = "too_many"
	// TooLarge means a request body or upload is over its limit.
	TooLarge Code = "too_large"
	// Busy means the server is at a capacity limit (password hashing);
	// the client should retry after a moment (503 with Retry-After).
	Busy Code = "busy"
	// Unavailable means the database (or another dependency) failed or is
	// read-only for now: the request may succeed later (issue 7). HTTP 503.
	Unavailable Code = "unavailable"
)

// MsgUnavailable is the text shown for Unavailable.
const MsgUnavailable = "系统暂时不可用,请稍后重试"

// Error is an application error with a code. Message is a user-facing text
// (Chinese first); Key names a catalogue entry when the text is translated.
type Error struct {
	Code    Code
	Key     string
	Message string
	// Fields maps a field name (or "row 3, 列 B") to its message.
	Fields map[string]string
	Err    error
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = string(e.Code)
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with a code and a message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Fields returns an invalid-input error with per-field messages.
func WithFields(message string, fields map[string]string) *Error {
	return &Error{Code: Invalid, Message: message, Fields: fields}
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the first *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return CodeOf(err) == code }
