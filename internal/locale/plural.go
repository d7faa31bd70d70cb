package locale

import "math"

// PluralForm is a CLDR plural category. Its values are those of go-i18n's
// plural forms ("one", "other"), so a form can name a go-i18n message
// variant.
type PluralForm string

// The categories Finnish, Swedish and English use.
const (
	One   PluralForm = "one"
	Other PluralForm = "other"
)

// Plural returns the CLDR plural category of v as written with decimals
// places (FormatNumber(v, decimals)): in fi, sv and en "one" only for
// exactly 1 with no visible fraction digits (1, -1), and "other" for
// everything else, 1,0 and 0 included. This is the rule go-i18n applies to
// a PluralCount.
func (l Lang) Plural(v float64, decimals int) PluralForm {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return Other
	}
	_, intPart, _ := roundHalfUp(v, max(decimals, 0))
	if decimals <= 0 && intPart == "1" {
		return One
	}
	return Other
}

// PluralCount is Plural for a count of things.
func (l Lang) PluralCount(n int) PluralForm {
	if n == 1 || n == -1 {
		return One
	}
	return Other
}
