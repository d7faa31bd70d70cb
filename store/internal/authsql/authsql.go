// Package authsql is the SQL of the identity tables (regions, care units,
// professionals, people), written once for both stores: statements with
// '?' placeholders bound to a dialect, argument encoding and scan
// functions. Each store runs them on its driver (see store/internal/sqlq).
// Names are searched through *_fold columns holding the name case-folded
// in Go, so that search behaves alike on both databases.
package authsql

import (
	"strings"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/store/internal/sqlq"
)

// Sentinels are auth's errors, for sqlq.Map.
var Sentinels = sqlq.Sentinels{NotFound: auth.ErrNotFound, Conflict: auth.ErrConflict}

const personColumns = `id, hetu_key, hetu_sealed, given_name, family_name, birth_date, home_region, created_at`

// PersonBy selects a person by col (id or hetu_key), with the move under
// way if any: argument the value.
func PersonBy(d sqlq.Dialect, col string) string {
	return d.Rebind(`SELECT ` + personColumns + `, moving_to, moving_since FROM people WHERE ` + col + ` = ?`)
}

// InsertPerson inserts p.
func InsertPerson(d sqlq.Dialect, p auth.SealedPerson) (string, []any) {
	return d.Rebind(`INSERT INTO people (` + personColumns + `) VALUES (` + sqlq.Placeholders(8) + `)`),
		[]any{p.ID, p.HetuKey, p.HetuSealed, p.GivenName, p.FamilyName,
			d.Date(p.BirthDate), p.HomeRegion, d.Time(p.CreatedAt)}
}

// ScanPerson reads a row of PersonBy.
func ScanPerson(row sqlq.Scanner) (auth.SealedPerson, error) {
	var p auth.SealedPerson
	var birth sqlq.Date
	var created sqlq.Time
	var movingTo sqlq.NullText
	var movingSince nullTime
	err := row.Scan(&p.ID, &p.HetuKey, &p.HetuSealed, &p.GivenName, &p.FamilyName, &birth, &p.HomeRegion, &created,
		&movingTo, &movingSince)
	if err != nil {
		return auth.SealedPerson{}, err
	}
	p.BirthDate, p.CreatedAt = birth.Time, created.Time
	p.MovingTo, p.MovingSince = string(movingTo), movingSince.Time.Time
	return p, nil
}

// PutRegion inserts or updates r by id.
func PutRegion(d sqlq.Dialect, r auth.Region) (string, []any) {
	return d.Rebind(`
		INSERT INTO regions (id, name, registrar_oid, registrar_name) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name,
			registrar_oid = excluded.registrar_oid, registrar_name = excluded.registrar_name`),
		[]any{r.ID, r.Name, r.RegistrarOID, r.RegistrarName}
}

// PutCareUnit inserts or updates u by id.
func PutCareUnit(d sqlq.Dialect, u auth.CareUnit) (string, []any) {
	return d.Rebind(`
		INSERT INTO care_units (id, region_id, oid, name, name_fold) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET region_id = excluded.region_id,
			oid = excluded.oid, name = excluded.name, name_fold = excluded.name_fold`),
		[]any{u.ID, u.RegionID, u.OID, u.Name, Fold(u.Name)}
}

// PutProfessional inserts or updates p by id, active; no Terhikki number is
// NULL.
func PutProfessional(d sqlq.Dialect, p auth.Professional) (string, []any) {
	return d.Rebind(`
		INSERT INTO professionals (id, username, terhikki, given_name, family_name,
			given_name_fold, family_name_fold, title, role, care_unit_id, region_id, active)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, TRUE)
		ON CONFLICT (id) DO UPDATE SET active = TRUE, username = excluded.username,
			terhikki = excluded.terhikki, given_name = excluded.given_name,
			family_name = excluded.family_name, given_name_fold = excluded.given_name_fold,
			family_name_fold = excluded.family_name_fold, title = excluded.title,
			role = excluded.role, care_unit_id = excluded.care_unit_id,
			region_id = excluded.region_id`),
		[]any{p.ID, p.Username, sqlq.NullString(p.Terhikki), p.GivenName, p.FamilyName,
			Fold(p.GivenName), Fold(p.FamilyName), p.Title, string(p.Role), p.CareUnitID, p.RegionID}
}

const regionColumns = `id, name, registrar_oid, registrar_name`

// Regions selects every region in byte order of id.
func Regions(d sqlq.Dialect) string {
	return d.Rebind(`SELECT ` + regionColumns + ` FROM regions ORDER BY ` + d.ByteOrder("id"))
}

// Region selects a region: argument its id.
func Region(d sqlq.Dialect) string {
	return d.Rebind(`SELECT ` + regionColumns + ` FROM regions WHERE id = ?`)
}

// ScanRegion reads a row of Regions or Region.
func ScanRegion(row sqlq.Scanner) (auth.Region, error) {
	var r auth.Region
	err := row.Scan(&r.ID, &r.Name, &r.RegistrarOID, &r.RegistrarName)
	return r, err
}

const careUnitColumns = `id, region_id, oid, name`

// CareUnit selects a care unit: argument its id.
func CareUnit(d sqlq.Dialect) string {
	return d.Rebind(`SELECT ` + careUnitColumns + ` FROM care_units WHERE id = ?`)
}

// SearchCareUnits selects a region's care units by OID (exact, when not
// empty) and name (case-insensitive substring, when not empty), ordered by
// name and id in byte order.
func SearchCareUnits(d sqlq.Dialect, regionID, oid, name string) (string, []any) {
	like := EscapeLike(Fold(name))
	return d.Rebind(`
		SELECT ` + careUnitColumns + ` FROM care_units
		WHERE region_id = ?
			AND (CAST(? AS TEXT) = '' OR oid = ?)
			AND (CAST(? AS TEXT) = '' OR name_fold LIKE '%' || CAST(? AS TEXT) || '%' ESCAPE '\')
		ORDER BY ` + d.ByteOrder("name_fold") + `, ` + d.ByteOrder("id")),
		[]any{regionID, oid, oid, like, like}
}

// ScanCareUnit reads a row of CareUnit or SearchCareUnits.
func ScanCareUnit(row sqlq.Scanner) (auth.CareUnit, error) {
	var u auth.CareUnit
	err := row.Scan(&u.ID, &u.RegionID, &u.OID, &u.Name)
	return u, err
}

const professionalColumns = `id, username, terhikki, given_name, family_name, title, role, care_unit_id, region_id`

// ProfessionalBy selects an active professional by col (id or username):
// argument the value. A professional that a directory import deactivated
// is not found: they can no longer log in, and a session of theirs is
// refused like that of one removed from the directory.
func ProfessionalBy(d sqlq.Dialect, col string) string {
	return d.Rebind(`SELECT ` + professionalColumns + ` FROM professionals WHERE ` + col + ` = ? AND active = TRUE`)
}

// SearchProfessionals selects a region's active professionals with the Terhikki
// number terhikki (when not empty) and a given or family name starting
// with name, case-insensitively (when not empty), ordered by family name,
// given name and id in byte order.
func SearchProfessionals(d sqlq.Dialect, regionID, terhikki, name string) (string, []any) {
	like := EscapeLike(Fold(name))
	return d.Rebind(`
		SELECT ` + professionalColumns + ` FROM professionals
		WHERE region_id = ? AND active = TRUE
			AND (CAST(? AS TEXT) = '' OR terhikki = ?)
			AND (CAST(? AS TEXT) = '' OR given_name_fold LIKE CAST(? AS TEXT) || '%' ESCAPE '\'
				OR family_name_fold LIKE CAST(? AS TEXT) || '%' ESCAPE '\')
		ORDER BY ` + d.ByteOrder("family_name_fold") + `, ` + d.ByteOrder("given_name_fold") + `, ` + d.ByteOrder("id")),
		[]any{regionID, terhikki, terhikki, like, like, like}
}

// ScanProfessional reads a row of ProfessionalBy or SearchProfessionals.
func ScanProfessional(row sqlq.Scanner) (auth.Professional, error) {
	var p auth.Professional
	var terhikki sqlq.NullText
	var role string
	err := row.Scan(&p.ID, &p.Username, &terhikki, &p.GivenName, &p.FamilyName,
		&p.Title, &role, &p.CareUnitID, &p.RegionID)
	p.Terhikki, p.Role = string(terhikki), auth.Role(role)
	return p, err
}

// Fold is the case folding of searchable names, done in Go because
// SQLite's LOWER and LIKE fold ASCII letters only, and so that search does
// not depend on PostgreSQL's collation.
func Fold(s string) string { return strings.ToLower(s) }

// EscapeLike escapes the LIKE wildcards in s for ESCAPE '\'.
func EscapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
