package auth

import (
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"ecoindustry/internal/apperr"
)

// Argon2id parameters (decision 0018): about 70 ms a hash on one core of
// the 2-core reference machine, 46 MiB each.
const (
	argonTime    = 2
	argonMemory  = 46 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// Password lengths: at least MinPassword characters; at most maxPassword,
// so that nobody hashes a megabyte.
const (
	MinPassword = 10
	maxPassword = 256
)

// hashPassword returns password's argon2id hash as a PHC string, which
// keeps its parameters: a hash made with older ones still verifies.
func hashPassword(password string) string {
	salt := make([]byte, saltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// verifyPassword reports whether password is the one hash was made from,
// comparing in constant time.
func verifyPassword(hash, password string) bool {
	var version int
	var m, t uint32
	var p uint8
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

//go:embed common-passwords.txt
var commonText string

// common is the set of the best-known passwords and keyboard patterns.
var common = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(commonText, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "# ") {
			m[l] = true
		}
	}
	return m
}()

// CheckPassword refuses a password that is short, too long, one of the
// common ones (or one with digits or punctuation added), or that contains
// the account's name.
func CheckPassword(name, password string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password) || strings.ContainsFunc(password, unicode.IsControl):
		return apperr.New(apperr.Invalid, "the password must be text, without control characters", "密码须为文本，不得含控制字符")
	case n < MinPassword:
		return apperr.Newf(apperr.Invalid, "the password must be at least %d characters", "密码至少 %d 个字符", MinPassword)
	case n > maxPassword:
		return apperr.Newf(apperr.Invalid, "the password must be at most %d characters", "密码至多 %d 个字符", maxPassword)
	}
	lower := strings.ToLower(password)
	stem := strings.TrimRightFunc(lower, func(r rune) bool { return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) })
	if common[lower] || (stem != "" && common[stem]) {
		return apperr.New(apperr.Invalid, "the password is one of the most common passwords: choose another", "该密码属于最常见的密码，请另选")
	}
	if len(name) >= 3 && strings.Contains(lower, strings.ToLower(name)) {
		return apperr.New(apperr.Invalid, "the password must not contain the account's name", "密码不得包含账户名")
	}
	return nil
}

// passwordAlphabet leaves out characters that are read one for another
// (0 O o, 1 l I).
const passwordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// GeneratePassword returns a random password of 16 characters, about 92 bits.
func GeneratePassword() string {
	b := make([]byte, 16)
	for i := range b {
		b[i] = passwordAlphabet[randIntn(len(passwordAlphabet))]
	}
	return string(b)
}

// randIntn returns a uniform random number in [0, n) from crypto/rand.
func randIntn(n int) int {
	var b [1]byte
	for {
		rand.Read(b[:])
		if int(b[0]) < 256-256%n {
			return int(b[0]) % n
		}
	}
}

// secret returns 256 random bits, base64url.
func secret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
