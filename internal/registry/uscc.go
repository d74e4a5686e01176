package registry

import (
	"strings"

	"ecoindustry/internal/apperr"
)

// usccChars is the character set of GB 32100-2015 (no I, O, S, V, Z); a
// character's value is its index.
const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are the GB 32100-2015 weights of positions 1 to 17 (3^(i-1) mod 31).
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CheckUSCC validates a unified social credit code: 18 characters of the
// GB 32100-2015 set and the check digit of its §5 (31 − Σ cᵢwᵢ mod 31).
func CheckUSCC(code string) error {
	if n := len([]rune(code)); n != 18 || len(code) != 18 {
		return apperr.Newf(apperr.Invalid, "USCC %q must be 18 characters, got %d", "统一社会信用代码 %q 应为18位，实为%d位", code, n)
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccChars, code[i])
		if v < 0 {
			return apperr.Newf(apperr.Invalid,
				"USCC %q: character %d %q is not allowed (GB 32100-2015 uses 0-9 and A-Y without I, O, S, V, Z)",
				"统一社会信用代码 %q 第%d位 %q 不合法（GB 32100-2015 仅用 0-9 及除 I、O、S、V、Z 外的大写字母）", code, i+1, code[i])
		}
		sum += v * usccWeights[i]
	}
	if want := usccChars[(31-sum%31)%31]; code[17] != want {
		return apperr.Newf(apperr.Invalid, "USCC %q: check digit is %q, GB 32100-2015 gives %q",
			"统一社会信用代码 %q 校验位为 %q，按 GB 32100-2015 应为 %q", code, code[17], want)
	}
	return nil
}

// USCCCheckDigit returns the check digit that completes the first 17
// characters, which must be of the GB 32100-2015 set.
func USCCCheckDigit(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(usccChars, first17[i]) * usccWeights[i]
	}
	return usccChars[(31-sum%31)%31]
}
