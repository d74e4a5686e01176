// Package config is EcoIndustry's configuration: defaults, then ECOIND_*
// environment variables, then command-line flags.
package config

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is the effective configuration of one command.
type Config struct {
	Data     string // data directory of the embedded store
	Store    string // "" for SQLite in Data; postgres://… for PostgreSQL
	PoolSize string // PostgreSQL connections at most; "": 4 per core
	HTTP     string // HTTP listen address
	HJ212    string // HJ 212 (data logger) listen address
	// ConnsPerAddress is the data-logger connections at most from one
	// address, "0" none: loggers behind one carrier NAT share an address.
	ConnsPerAddress string
	LogLevel        string // debug, info, warn, error
	LogFormat       string // text, json
	// The rollups' and rules' steps and thresholds (Judging).
	RollEvery, RulesEvery, GapAfter, FlatHours, DuplicateHours string
	// The watch-lists' daily digest (decision 0027): its time, hh:mm in
	// China Standard Time; the SMTP server (host:port, none: no mail), its
	// account and sender; the chat robot's webhook URL and DingTalk's
	// signing secret. Passwords, the webhook's URL (its key) and the secret
	// are never printed.
	DigestAt, SMTP, SMTPUser, SMTPPassword, SMTPFrom, Webhook, WebhookSecret string
	// SNC is the rule of significant non-compliance, MIN/OF,MULTIPLE
	// (rules.ParseSNC; decision 0026).
	SNC string
}

// Defaults returns the built-in configuration.
func Defaults() Config {
	return Config{Data: "./data", HTTP: "127.0.0.1:8080", HJ212: ":9212", ConnsPerAddress: "2000", LogLevel: "info", LogFormat: "text",
		RollEvery: "30s", RulesEvery: "5s", GapAfter: "1h", FlatHours: "3", DuplicateHours: "3",
		DigestAt: "08:00", SMTPFrom: "ecoind@localhost", SNC: "2/4,3"}
}

// vars maps each setting to its environment variable.
func (c *Config) vars() []struct {
	env, flag, usage string
	v                *string
} {
	return []struct {
		env, flag, usage string
		v                *string
	}{
		{"ECOIND_DATA", "data", "data directory of the embedded store", &c.Data},
		{"ECOIND_STORE", "store", "database URL (empty: SQLite in the data directory)", &c.Store},
		{"ECOIND_POOL_SIZE", "pool-size", "PostgreSQL connections at most (empty: 4 per core)", &c.PoolSize},
		{"ECOIND_HTTP", "http", "HTTP listen address", &c.HTTP},
		{"ECOIND_HJ212", "hj212", "HJ 212 listen address for data loggers", &c.HJ212},
		{"ECOIND_MAX_CONNS_PER_ADDRESS", "max-conns-per-address", "data-logger connections at most from one address (loggers behind one carrier NAT share one; 0: no limit)", &c.ConnsPerAddress},
		{"ECOIND_LOG_LEVEL", "log-level", "log level: debug, info, warn, error", &c.LogLevel},
		{"ECOIND_LOG_FORMAT", "log-format", "log format: text or json", &c.LogFormat},
		{"ECOIND_ROLL_EVERY", "roll-every", "fold the frames stored since into the rollups this often", &c.RollEvery},
		{"ECOIND_RULES_EVERY", "rules-every", "judge the rollups changed since this often", &c.RulesEvery},
		{"ECOIND_GAP_AFTER", "gap-after", "an operating enterprise's logger silent this long raises a data_gap alarm", &c.GapAfter},
		{"ECOIND_FLAT_HOURS", "flat-hours", "hours of one unchanging value that make a flat_line alarm", &c.FlatHours},
		{"ECOIND_DUPLICATE_HOURS", "duplicate-hours", "consecutive hours two outlets' series are identical that make a duplicate_series alarm", &c.DuplicateHours},
		{"ECOIND_DIGEST_AT", "digest-at", "time of the watch-lists' daily digest, hh:mm China Standard Time", &c.DigestAt},
		{"ECOIND_SMTP", "smtp", "SMTP server host:port for the digests (empty: no mail)", &c.SMTP},
		{"ECOIND_SMTP_USER", "smtp-user", "SMTP account (AUTH PLAIN, over STARTTLS)", &c.SMTPUser},
		{"ECOIND_SMTP_PASSWORD", "smtp-password", "SMTP password (prefer the environment variable: a flag shows in ps)", &c.SMTPPassword},
		{"ECOIND_SMTP_FROM", "smtp-from", "sender address of the digests", &c.SMTPFrom},
		{"ECOIND_WEBHOOK", "webhook", "DingTalk or WeCom robot webhook URL for the digests (empty: none)", &c.Webhook},
		{"ECOIND_WEBHOOK_SECRET", "webhook-secret", "DingTalk robot signing secret (SEC...)", &c.WebhookSecret},
		{"ECOIND_SNC", "snc", "significant non-compliance: exceedance in MIN of the last OF quarters, or one above MULTIPLE times its limit (MIN/OF,MULTIPLE)", &c.SNC},
	}
}

// FromEnv overlays the ECOIND_* variables that are set on c.
func (c *Config) FromEnv(getenv func(string) string) {
	for _, v := range c.vars() {
		if s := getenv(v.env); s != "" {
			*v.v = s
		}
	}
}

// Flags registers the named settings as flags on fs, defaulting to c's values.
func (c *Config) Flags(fs *flag.FlagSet, names ...string) {
	for _, v := range c.vars() {
		for _, n := range names {
			if n == v.flag {
				fs.StringVar(v.v, v.flag, *v.v, v.usage+" ($"+v.env+")")
			}
		}
	}
}

// Pool returns the PostgreSQL pool size, 0 for the default.
func (c *Config) Pool() (int, error) {
	if c.PoolSize == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(c.PoolSize)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("config: pool size %q: give a whole number from 1", c.PoolSize)
	}
	return n, nil
}

// MaxConnsPerAddress returns the limit of data-logger connections from
// one address, 0 for none.
func (c *Config) MaxConnsPerAddress() (int, error) {
	n, err := strconv.Atoi(c.ConnsPerAddress)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("config: connections per address %q: give a whole number, 0 for no limit", c.ConnsPerAddress)
	}
	return n, nil
}

// Judging is how often the rollups and the rules run and the rules'
// thresholds (decision 0025, docs/operations.md).
type Judging struct {
	RollEvery, RulesEvery, GapAfter time.Duration
	FlatHours, DuplicateHours       int
}

// Judging returns the rollups' and rules' settings, or an error naming
// the one that is wrong.
func (c *Config) Judging() (Judging, error) {
	var j Judging
	for _, d := range []struct {
		name, s string
		v       *time.Duration
	}{{"roll-every", c.RollEvery, &j.RollEvery}, {"rules-every", c.RulesEvery, &j.RulesEvery}, {"gap-after", c.GapAfter, &j.GapAfter}} {
		v, err := time.ParseDuration(d.s)
		if err != nil || v < 100*time.Millisecond || v > 30*24*time.Hour {
			return j, fmt.Errorf("config: %s %q: give a duration from 100ms to 720h, e.g. 30s or 1h", d.name, d.s)
		}
		*d.v = v
	}
	for _, n := range []struct {
		name, s string
		v       *int
	}{{"flat-hours", c.FlatHours, &j.FlatHours}, {"duplicate-hours", c.DuplicateHours, &j.DuplicateHours}} {
		v, err := strconv.Atoi(n.s)
		if err != nil || v < 2 || v > 168 {
			return j, fmt.Errorf("config: %s %q: give a whole number of hours from 2 to 168", n.name, n.s)
		}
		*n.v = v
	}
	return j, nil
}

// Logger returns the logger the configuration asks for, writing to w.
func (c *Config) Logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, fmt.Errorf("config: log level %q: use debug, info, warn or error", c.LogLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.LogFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("config: log format %q: use text or json", c.LogFormat)
}

// Print writes the configuration as environment assignments, with any
// password in the store URL masked.
func (c *Config) Print(w io.Writer) {
	for _, v := range c.vars() {
		val := *v.v
		switch {
		case v.env == "ECOIND_STORE":
			val = MaskURL(val)
		case val != "" && (v.env == "ECOIND_SMTP_PASSWORD" || v.env == "ECOIND_WEBHOOK_SECRET"):
			val = "******"
		case val != "" && v.env == "ECOIND_WEBHOOK":
			val, _, _ = strings.Cut(val, "?") // the robot's key is in the query
			val += "?******"
		}
		fmt.Fprintf(w, "%s=%s\n", v.env, val)
	}
}

// MaskURL hides the password of a URL, for messages and logs.
func MaskURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return strings.Replace(u.String(), "xxxxx", "******", 1)
}

// User names the person at the command line, for the change history.
func User(getenv func(string) string) string {
	for _, k := range []string{"ECOIND_USER", "USER", "LOGNAME"} {
		if u := getenv(k); u != "" {
			return u
		}
	}
	if h, err := os.Hostname(); err == nil {
		return "unknown@" + h
	}
	return "unknown"
}
