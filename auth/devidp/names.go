package devidp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"

	"github.com/omahoito/omahoito/auth"
)

// Common Finnish names for test people who did not type one in.
var (
	givenNamesFemale = []string{"Aino", "Helmi", "Emma", "Sofia", "Aada", "Maria", "Liisa", "Kaisa", "Anni", "Venla", "Eveliina", "Johanna"}
	givenNamesMale   = []string{"Juhani", "Mikko", "Matti", "Antti", "Eino", "Väinö", "Onni", "Leo", "Pekka", "Timo", "Ville", "Jari"}
	familyNames      = []string{"Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen", "Koskinen", "Järvinen", "Lehtonen", "Lehtinen", "Saarinen", "Salminen", "Heinonen", "Niemi", "Kinnunen", "Pelkonen", "Turunen", "Väisänen"}
)

// derivedName picks a plausible name from h, the same name every time. The
// given name follows the code's sex digit: odd male, even female.
func derivedName(h auth.Hetu) (given, family string) {
	code := h.Value()
	sum := sha256.Sum256([]byte("devidp name:" + code))
	a := binary.BigEndian.Uint32(sum[0:4])
	b := binary.BigEndian.Uint32(sum[4:8])
	given = pick(givenNamesFemale, a)
	if (code[9]-'0')%2 == 1 {
		given = pick(givenNamesMale, a)
	}
	return given, pick(familyNames, b)
}

func pick(names []string, n uint32) string { return names[int(n%uint32(len(names)))] }

// citizenSubject is the opaque, stable (per provider instance) subject of a
// citizen: a keyed hash of the hetu, never the hetu itself.
func citizenSubject(key []byte, h auth.Hetu) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(h.Value()))
	return hex.EncodeToString(mac.Sum(nil))
}
