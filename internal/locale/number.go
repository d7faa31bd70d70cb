package locale

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// ErrNumber is wrapped by ParseNumber for text that is not a number as
// people write one.
var ErrNumber = errors.New("locale: not a number")

// groupMinDigits is the shortest integer part that gets digit groups:
// 1234 stays as it is, 12 000 is grouped (the Finnish style guides, and
// what the pages have always shown).
const groupMinDigits = 5

// DecimalComma reports whether l writes 6,5 rather than 6.5.
func (l Lang) DecimalComma() bool { return l.orDefault() != English }

// separators returns the decimal point and the digit group separator: a
// comma and a no-break space (CLDR fi and sv: U+00A0, so that a number is
// never broken across lines), or a point and a comma.
func (l Lang) separators() (point, group string) {
	if l.DecimalComma() {
		return ",", "\u00a0"
	}
	return ".", ","
}

// FormatNumber writes v rounded to decimals places (half away from zero,
// as taught at school: 2,5 → 3), with the decimal separator and digit
// groups of l: fi and sv 12 345,6, en 12,345.6. A value that rounds to zero
// has no minus sign. NaN and infinities are written as such, for a log
// line rather than a page.
func (l Lang) FormatNumber(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	decimals = max(decimals, 0)
	neg, intPart, frac := roundHalfUp(v, decimals)
	point, group := l.separators()
	if len(intPart) >= groupMinDigits {
		intPart = groupDigits(intPart, group)
	}
	s := intPart
	if decimals > 0 {
		s += point + frac
	}
	if neg {
		s = "-" + s
	}
	return s
}

// roundHalfUp rounds v to decimals places in decimal: it starts from the
// shortest decimal text that reads back as v ("1.005", not the binary
// 1.00499…), as a person would who sees the number written down. neg is
// false when the result is zero.
func roundHalfUp(v float64, decimals int) (neg bool, intPart, frac string) {
	s := strconv.FormatFloat(math.Abs(v), 'f', -1, 64)
	ip, fp, _ := strings.Cut(s, ".")
	digits := []byte(ip + fp + strings.Repeat("0", max(0, decimals+1-len(fp))))
	keep := len(ip) + decimals // digits that stay
	if digits[keep] >= '5' {
		digits = carry(digits[:keep])
	} else {
		digits = digits[:keep]
	}
	intLen := len(digits) - decimals
	intPart, frac = string(digits[:intLen]), string(digits[intLen:])
	if intPart == "" {
		intPart = "0"
	}
	zero := strings.Trim(intPart+frac, "0") == ""
	return v < 0 && !zero, intPart, frac
}

// carry adds one to the last digit of a decimal digit string, growing it
// by one digit when all are nines.
func carry(digits []byte) []byte {
	for i := len(digits) - 1; i >= 0; i-- {
		if digits[i] < '9' {
			digits[i]++
			return digits
		}
		digits[i] = '0'
	}
	return append([]byte{'1'}, digits...)
}

func groupDigits(digits, sep string) string {
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(d)
	}
	return b.String()
}

// FormatInput writes v for an input field: every decimal it has, the
// decimal separator of l and no digit groups, so that the text reads back
// with ParseNumber unchanged.
func (l Lang) FormatInput(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if l.DecimalComma() {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

var numberPattern = regexp.MustCompile(`^[+-]?[0-9]{1,9}(\.[0-9]{1,6})?$`)

// ParseNumber reads a number as people type it: "6,5" in Finnish and
// Swedish, "6.5" in every language, spaces of any kind as digit groups
// ("12 000"). In English a comma is refused, as it may be a thousands
// separator. At most nine integer and six fraction digits; no exponents,
// no NaN or infinities.
func (l Lang) ParseNumber(s string) (float64, error) {
	typed := s
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\u2009' {
			return -1
		}
		return r
	}, s)
	if l.DecimalComma() {
		s = strings.Replace(s, ",", ".", 1)
	}
	if !numberPattern.MatchString(s) {
		return 0, fmt.Errorf("%w: %q", ErrNumber, typed)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q: %v", ErrNumber, typed, err)
	}
	return v, nil
}

var thousandsPattern = regexp.MustCompile(`^[0-9]{1,3}\.[0-9]{3}$`)

// AmbiguousThousands reports a number typed as 12.000: in Finnish and
// Swedish the point may be meant as a thousands separator (twelve
// thousand), while ParseNumber reads it as a decimal point (twelve).
func AmbiguousThousands(typed string) bool {
	return thousandsPattern.MatchString(strings.TrimSpace(typed))
}

// HasFraction reports whether a number was typed with a decimal separator,
// even with a zero fraction (64,0): a whole-number field should say so.
func HasFraction(typed string) bool { return strings.ContainsAny(typed, ".,") }
