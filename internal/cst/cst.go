// Package cst is China Standard Time, UTC+8 without daylight saving: the
// zone of every time in an HJ 212 frame and of the bureaus' calendar (a
// case's dates, "today", a deadline, a month of a timeline).
package cst

import "time"

// Offset is CST's offset from UTC in seconds.
const Offset = 8 * 3600

// Zone is China Standard Time.
var Zone = time.FixedZone("CST", Offset)
