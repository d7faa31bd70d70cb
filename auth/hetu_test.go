package auth

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestParseHetu(t *testing.T) {
	date := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	valid := []struct {
		code  string
		birth time.Time
		test  bool
	}{
		{"010190-900P", date(1990, 1, 1), true},
		{"150380-902U", date(1980, 3, 15), true},
		{"010594Y9021", date(1994, 5, 1), true},
		{"020516C903K", date(2016, 5, 2), true},
		{"100190-999P", date(1990, 1, 10), true},
		{"100190Y999P", date(1990, 1, 10), true},
		{"100190X999P", date(1990, 1, 10), true},
		{"100190W999P", date(1990, 1, 10), true},
		{"100190V999P", date(1990, 1, 10), true},
		{"100190U999P", date(1990, 1, 10), true},
		{"311299+950V", date(1899, 12, 31), true},
		{"290200A901C", date(2000, 2, 29), true}, // leap day of 2000
		{"290200B901C", date(2000, 2, 29), true},
		{"290200D901C", date(2000, 2, 29), true},
		{"290200E901C", date(2000, 2, 29), true},
		{"290200F901C", date(2000, 2, 29), true},
		{"010101A950B", date(2001, 1, 1), true},
		{"131052-308T", date(1952, 10, 13), false}, // an ordinary individual number
	}
	for _, tc := range valid {
		t.Run("valid "+tc.code, func(t *testing.T) {
			h, err := ParseHetu(tc.code)
			if err != nil {
				t.Fatalf("ParseHetu(%q) = %v, want valid", tc.code, err)
			}
			if h.Value() != tc.code {
				t.Errorf("Value() = %q, want %q", h.Value(), tc.code)
			}
			if !h.BirthDate().Equal(tc.birth) {
				t.Errorf("BirthDate() = %v, want %v", h.BirthDate(), tc.birth)
			}
			if h.IsTestCode() != tc.test {
				t.Errorf("IsTestCode() = %v, want %v", h.IsTestCode(), tc.test)
			}
		})
	}
	invalid := []struct{ code, why string }{
		{"010190-900A", "wrong check character"},
		{"010190-900p", "lower-case check character"},
		{"020516c903K", "lower-case century sign"},
		{"010190Z900P", "unknown century sign"},
		{"010190G900P", "G is not a century sign"},
		{"010190-900", "too short"},
		{"010190-900PP", "too long"},
		{"", "empty"},
		{"010190 900P", "space for century sign"},
		{"320190-900P", "day 32"},
		{"011390-900P", "month 13"},
		{"290201A901C", "29 February 2001"},
		{"01a190-900P", "letter in date"},
		{"010190-9x0P", "letter in individual number"},
		{"010190-001P", "individual number 001 (check character right)"},
		{"010190-000N", "individual number 000 (check character right)"},
		{" 10190-900P", "leading space"},
	}
	for _, tc := range invalid {
		t.Run("invalid "+tc.why, func(t *testing.T) {
			if _, err := ParseHetu(tc.code); !errors.Is(err, ErrInvalidHetu) {
				t.Errorf("ParseHetu(%q) = %v, want ErrInvalidHetu (%s)", tc.code, err, tc.why)
			}
		})
	}
}

func TestHetuAllCharactersSignificant(t *testing.T) {
	a, b := MustParseHetu("100190-999P"), MustParseHetu("100190Y999P")
	if a == b {
		t.Fatal("100190-999P and 100190Y999P compare equal; they are different people")
	}
	keys := mustKeys(t)
	if bytes.Equal(keys.LookupKey(a), keys.LookupKey(b)) {
		t.Fatal("lookup keys of different century signs collide")
	}
}

func TestHetuNeverPrintedInFull(t *testing.T) {
	h := MustParseHetu("010190-900P")
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "hetu", h)
	if s := h.String() + buf.String(); strings.Contains(s, "900P") {
		t.Fatalf("hetu leaked in full: %s", s)
	}
}

func mustKeys(tb testing.TB) *Keys {
	tb.Helper()
	k, err := NewKeys(bytes.Repeat([]byte{7}, KeySize))
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func TestSealOpen(t *testing.T) {
	k := mustKeys(t)
	h := MustParseHetu("150380-902U")
	s1, s2 := k.Seal(h), k.Seal(h)
	if bytes.Equal(s1, s2) {
		t.Error("two seals of one hetu are equal; nonce not random")
	}
	if bytes.Contains(s1, []byte("150380")) {
		t.Error("sealed hetu contains the clear code")
	}
	got, err := k.Open(s1)
	if err != nil || got != h {
		t.Fatalf("Open = %v, %v; want %v", got, err, h)
	}
	s1[len(s1)-1] ^= 1
	if _, err := k.Open(s1); !errors.Is(err, ErrBadKey) {
		t.Errorf("Open(tampered) = %v, want ErrBadKey", err)
	}
	other, _ := NewKeys(bytes.Repeat([]byte{8}, KeySize))
	if _, err := other.Open(s2); err == nil {
		t.Error("another key opened the seal")
	}
	if _, err := NewKeys([]byte("short")); !errors.Is(err, ErrBadKey) {
		t.Errorf("NewKeys(short) = %v, want ErrBadKey", err)
	}
}
