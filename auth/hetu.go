package auth

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"
)

// ErrInvalidHetu is returned for a personal identity code that fails any
// rule: length, date, century sign, individual number or check character.
var ErrInvalidHetu = errors.New("invalid personal identity code")

// HetuSystem is the FHIR identifier system of the Finnish personal identity code.
const HetuSystem = "urn:oid:1.2.246.21"

const hetuCheckChars = "0123456789ABCDEFHJKLMNPRSTUVWXY"

// Hetu is a validated Finnish personal identity code (henkilötunnus). All 11
// characters are significant: 100190-999P and 100190Y999P are two people.
// Its String method masks it, so a Hetu passed to a logger by mistake does
// not leak; Value gives the full code to the few places that need it.
type Hetu struct{ code string }

// ParseHetu validates s: DDMMYY, a century sign, a three-digit individual
// number (002–899, or 900–999 for test and temporary codes) and the check
// character. Lower-case input is refused rather than silently upper-cased,
// because the check character alphabet is defined in upper case.
func ParseHetu(s string) (Hetu, error) {
	if len(s) != 11 {
		return Hetu{}, fmt.Errorf("%w: length %d, want 11", ErrInvalidHetu, len(s))
	}
	if _, ok := centuryOf(s[6]); !ok {
		return Hetu{}, fmt.Errorf("%w: unknown century sign", ErrInvalidHetu)
	}
	digits := s[0:6] + s[7:10]
	n, err := strconv.Atoi(digits)
	if err != nil || !allDigits(digits) {
		return Hetu{}, fmt.Errorf("%w: date and individual number must be digits", ErrInvalidHetu)
	}
	h := Hetu{code: s}
	if _, err := h.birthDate(); err != nil {
		return Hetu{}, err
	}
	if individual := n % 1000; individual < 2 {
		return Hetu{}, fmt.Errorf("%w: individual number below 002", ErrInvalidHetu)
	}
	if hetuCheckChars[n%31] != s[10] {
		return Hetu{}, fmt.Errorf("%w: wrong check character", ErrInvalidHetu)
	}
	return h, nil
}

// MustParseHetu is ParseHetu for constants in tests and seed data.
func MustParseHetu(s string) Hetu {
	h, err := ParseHetu(s)
	if err != nil {
		panic(err)
	}
	return h
}

// Value is the full code. Use it only to seal, hash or show it to its owner.
func (h Hetu) Value() string { return h.code }

// IsZero reports whether h holds no code.
func (h Hetu) IsZero() bool { return h.code == "" }

// String masks the code (birth date and sign only) so it is safe in logs.
func (h Hetu) String() string {
	if h.code == "" {
		return ""
	}
	return h.code[:7] + "****"
}

// LogValue keeps a Hetu masked in structured logs as well.
func (h Hetu) LogValue() slog.Value { return slog.StringValue(h.String()) }

// IsTestCode reports whether the individual number is in the 900–999
// range that the Population Register Centre reserves for test and temporary use.
func (h Hetu) IsTestCode() bool { return h.code != "" && h.code[7] == '9' }

// BirthDate is the date of birth encoded in the code.
func (h Hetu) BirthDate() time.Time {
	d, _ := h.birthDate()
	return d
}

func (h Hetu) birthDate() (time.Time, error) {
	century, _ := centuryOf(h.code[6])
	day, _ := strconv.Atoi(h.code[0:2])
	month, _ := strconv.Atoi(h.code[2:4])
	yy, _ := strconv.Atoi(h.code[4:6])
	d := time.Date(century+yy, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if d.Day() != day || int(d.Month()) != month {
		return time.Time{}, fmt.Errorf("%w: no such date", ErrInvalidHetu)
	}
	return d, nil
}

func centuryOf(sign byte) (int, bool) {
	switch sign {
	case '+':
		return 1800, true
	case '-', 'Y', 'X', 'W', 'V', 'U':
		return 1900, true
	case 'A', 'B', 'C', 'D', 'E', 'F':
		return 2000, true
	}
	return 0, false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
