// Package frontline holds Frontline's shared vocabulary: conversations,
// messages, events, tiers, severities and signals, and the interfaces the
// parts (widget, bot, kb, handoff) meet through. It does no I/O; storage and
// transport live in subpackages (internal/postgres, internal/memory) that
// implement these interfaces.
package frontline

import (
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Error codes. A domain error carries one of these and a message that is safe
// to show to the user who caused it.
const (
	EConflict     = "conflict"
	EForbidden    = "forbidden"
	EInternal     = "internal"
	EInvalid      = "invalid"
	ENotFound     = "not_found"
	ERateLimited  = "rate_limited"
	ETooLarge     = "too_large"
	EUnauthorized = "unauthorized"
	EUnavailable  = "unavailable"
)

// Error is a domain error: a code from the list above and a message safe to
// show. Anything that is not an *Error is internal and is logged, not shown.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return "frontline: " + e.Code + ": " + e.Message }

// Errorf returns a domain error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first domain error in err's chain, or
// EInternal for any other non-nil error, or "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the safe message of a domain error; internal errors
// get a generic message so no detail leaks to a user.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// errorStatus is the one table from error code to HTTP status.
var errorStatus = map[string]int{
	EConflict:     http.StatusConflict,
	EForbidden:    http.StatusForbidden,
	EInternal:     http.StatusInternalServerError,
	EInvalid:      http.StatusBadRequest,
	ENotFound:     http.StatusNotFound,
	ERateLimited:  http.StatusTooManyRequests,
	ETooLarge:     http.StatusRequestEntityTooLarge,
	EUnauthorized: http.StatusUnauthorized,
	EUnavailable:  http.StatusServiceUnavailable,
}

// ErrorStatus returns the HTTP status for err's code.
func ErrorStatus(err error) int {
	if s, ok := errorStatus[ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewID returns a random identifier with the given prefix, such as "c_" for
// conversations. 80 random bits: unguessable, short enough for URLs.
func NewID(prefix string) string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("frontline: crypto/rand failed: " + err.Error())
	}
	return prefix + idEncoding.EncodeToString(b[:])
}

// ValidID reports whether s looks like an identifier Frontline would issue or
// accept from a client: 1 to 64 characters of letters, digits, '_' and '-'.
func ValidID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}) < 0
}
