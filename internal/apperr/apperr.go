// Package apperr is the one error type of the application: a stable code for
// programs, a message in English and one in Chinese for the officials who read
// it, and the cause. HTTPStatus maps the code to a status, in one place.
package apperr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Code is stable: clients switch on it.
type Code string

const (
	Invalid  Code = "invalid"
	NotFound Code = "not_found"
	Conflict Code = "conflict"
	Internal Code = "internal"
	// Busy: the server is doing the one thing of this sort it does at a
	// time; try again later.
	Busy Code = "busy"
	// Unauthenticated: the request names no one, or names them with a
	// credential that is wrong, expired or revoked.
	Unauthenticated Code = "unauthenticated"
	// Forbidden: the caller is known and may not do this: outside their
	// role, about something they may know exists (decision 0019).
	Forbidden Code = "forbidden"
)

// HTTPStatus is the HTTP status an error of code c answers with, for the
// API and the pages alike; 0 for Internal and codes it does not know,
// which answer 500 with their text kept in the log.
func HTTPStatus(c Code) int {
	return map[Code]int{Invalid: 400, NotFound: 404, Conflict: 409, Busy: 429, Unauthenticated: 401, Forbidden: 403}[c]
}

// Error carries a code and a bilingual message.
type Error struct {
	Code    Code
	Message string // English
	Zh      string // Simplified Chinese
	Details []string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with the given code and messages.
func New(code Code, en, zh string) *Error { return &Error{Code: code, Message: en, Zh: zh} }

// Newf formats both messages with the same arguments.
func Newf(code Code, en, zh string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(en, args...), Zh: fmt.Sprintf(zh, args...)}
}

// CodeOf returns the code of the first *Error in err's chain, Internal otherwise.
func CodeOf(err error) Code {
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

// DecodeJSON decodes the one JSON object in b, read from src (a file, the
// request body), into v strictly: an unknown field is a mistake the
// official should hear of, not a silent loss.
func DecodeJSON(src string, b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("data after the JSON object")
	}
	if err != nil {
		return &Error{Code: Invalid, Err: err,
			Message: src + ": want one JSON object of the documented fields: " + err.Error(),
			Zh:      src + "：须为一个字段符合文档的 JSON 对象：" + err.Error()}
	}
	return nil
}
