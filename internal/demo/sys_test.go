package demo

import "ecoindustry/internal/auth"

// sys reads as the command line does: everything.
var sys = auth.Command("test")
