package config

import (
	"strings"
	"testing"
	"time"
)

func TestJudging(t *testing.T) {
	c := Defaults()
	j, err := c.Judging()
	if err != nil || j != (Judging{RollEvery: 30 * time.Second, RulesEvery: 5 * time.Second, GapAfter: time.Hour, FlatHours: 3, DuplicateHours: 3}) {
		t.Fatalf("defaults %+v, %v", j, err)
	}
	c.FromEnv(func(k string) string {
		return map[string]string{"ECOIND_GAP_AFTER": "5s", "ECOIND_FLAT_HOURS": "6"}[k]
	})
	if j, err = c.Judging(); err != nil || j.GapAfter != 5*time.Second || j.FlatHours != 6 {
		t.Fatalf("from the environment %+v, %v", j, err)
	}
	for _, bad := range []func(*Config){
		func(c *Config) { c.FlatHours = "1" }, func(c *Config) { c.DuplicateHours = "x" },
		func(c *Config) { c.GapAfter = "10ms" }, func(c *Config) { c.RollEvery = "soon" },
	} {
		c := Defaults()
		bad(&c)
		if _, err := c.Judging(); err == nil || !strings.HasPrefix(err.Error(), "config: ") {
			t.Fatalf("%+v: %v", c, err)
		}
	}
}
