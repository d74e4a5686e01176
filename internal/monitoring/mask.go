package monitoring

import "strings"

// masked stands for a password that is not shown, as in registry exports.
const masked = "******"

// MaskPasswords returns a frame with the value of every PW field (the
// logger's password, in the header and in a 2005 set-password CP) and
// NewPW field masked. HJ 212 sends them in clear in every frame; the
// archive keeps the frame as received, and only its views mask them.
func MaskPasswords(frame string) string {
	var b strings.Builder
	rest := frame
	for {
		i := strings.Index(rest, "PW=")
		if i < 0 {
			break
		}
		name := i
		if strings.HasSuffix(rest[:i], "New") {
			name -= 3
		}
		end := i + 3 + strings.IndexAny(rest[i+3:]+";", ";,&\r\n")
		// A field starts the data segment or follows ';', ',' or "&&".
		atField := name > 0 && strings.ContainsRune(";,&", rune(rest[name-1])) ||
			b.Len() == 0 && name == 6 && strings.HasPrefix(frame, "##")
		if b.Len() == 0 {
			b.Grow(len(frame))
		}
		b.WriteString(rest[:i+3])
		if atField && end > i+3 {
			b.WriteString(masked)
		} else {
			b.WriteString(rest[i+3 : end])
		}
		rest = rest[end:]
	}
	if b.Len() == 0 {
		return frame
	}
	b.WriteString(rest)
	return b.String()
}
