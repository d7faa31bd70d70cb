package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/omahoito/omahoito/auth"
)

// Times are stored as UTC text of fixed width, to the microsecond (the
// precision PostgreSQL keeps too), so that they sort as text.
const (
	timeLayout = "2006-01-02T15:04:05.000000Z07:00"
	dateLayout = "2006-01-02"
)

// rowScanner is what *sql.Row and *sql.Rows have in common.
type rowScanner interface{ Scan(dest ...any) error }

const personColumns = `id, hetu_key, hetu_sealed, given_name, family_name, birth_date, home_region, created_at`

// PersonByHetuKey finds a person by the keyed hash of their hetu.
func (s *Store) PersonByHetuKey(ctx context.Context, key []byte) (auth.SealedPerson, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+personColumns+` FROM people WHERE hetu_key = ?`, key)
	p, err := scanPerson(row)
	if err != nil {
		return auth.SealedPerson{}, fmt.Errorf("person by hetu key: %w", mapErr(err))
	}
	return p, nil
}

// PersonByID finds a person by internal id.
func (s *Store) PersonByID(ctx context.Context, id string) (auth.SealedPerson, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+personColumns+` FROM people WHERE id = ?`, id)
	p, err := scanPerson(row)
	if err != nil {
		return auth.SealedPerson{}, fmt.Errorf("person %s: %w", id, mapErr(err))
	}
	return p, nil
}

// CreatePerson inserts p; ErrConflict when its id or hetu key exists,
// ErrNotFound when its home region does not.
func (s *Store) CreatePerson(ctx context.Context, p auth.SealedPerson) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO people (`+personColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.HetuKey, p.HetuSealed, p.GivenName, p.FamilyName,
		p.BirthDate.Format(dateLayout), p.HomeRegion, formatTime(p.CreatedAt))
	if err != nil {
		return fmt.Errorf("create person: %w", mapErr(err))
	}
	return nil
}

func scanPerson(row rowScanner) (auth.SealedPerson, error) {
	var p auth.SealedPerson
	var birth, created string
	err := row.Scan(&p.ID, &p.HetuKey, &p.HetuSealed, &p.GivenName, &p.FamilyName, &birth, &p.HomeRegion, &created)
	if err != nil {
		return auth.SealedPerson{}, err
	}
	if p.BirthDate, err = time.Parse(dateLayout, birth); err != nil {
		return auth.SealedPerson{}, fmt.Errorf("birth date: %w", err)
	}
	if p.CreatedAt, err = time.Parse(time.RFC3339Nano, created); err != nil {
		return auth.SealedPerson{}, fmt.Errorf("created at: %w", err)
	}
	p.CreatedAt = p.CreatedAt.UTC()
	return p, nil
}

func formatTime(t time.Time) string { return t.UTC().Truncate(time.Microsecond).Format(timeLayout) }

// PutRegion inserts or updates a region by ID.
func (s *Store) PutRegion(ctx context.Context, r auth.Region) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO regions (id, name, registrar_oid, registrar_name) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name,
			registrar_oid = excluded.registrar_oid, registrar_name = excluded.registrar_name`,
		r.ID, r.Name, r.RegistrarOID, r.RegistrarName)
	if err != nil {
		return fmt.Errorf("put region %s: %w", r.ID, mapErr(err))
	}
	return nil
}

// PutCareUnit inserts or updates a care unit by ID.
func (s *Store) PutCareUnit(ctx context.Context, u auth.CareUnit) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO care_units (id, region_id, oid, name, name_fold) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET region_id = excluded.region_id,
			oid = excluded.oid, name = excluded.name, name_fold = excluded.name_fold`,
		u.ID, u.RegionID, u.OID, u.Name, fold(u.Name))
	if err != nil {
		return fmt.Errorf("put care unit %s: %w", u.ID, mapErr(err))
	}
	return nil
}

// PutProfessional inserts or updates a professional by ID.
func (s *Store) PutProfessional(ctx context.Context, p auth.Professional) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO professionals (id, username, terhikki, given_name, family_name,
			given_name_fold, family_name_fold, title, role, care_unit_id, region_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET username = excluded.username,
			terhikki = excluded.terhikki, given_name = excluded.given_name,
			family_name = excluded.family_name, given_name_fold = excluded.given_name_fold,
			family_name_fold = excluded.family_name_fold, title = excluded.title,
			role = excluded.role, care_unit_id = excluded.care_unit_id,
			region_id = excluded.region_id`,
		p.ID, p.Username, nullIfEmpty(p.Terhikki), p.GivenName, p.FamilyName,
		fold(p.GivenName), fold(p.FamilyName), p.Title, string(p.Role), p.CareUnitID, p.RegionID)
	if err != nil {
		return fmt.Errorf("put professional %s: %w", p.ID, mapErr(err))
	}
	return nil
}

// Regions lists all regions ordered by id.
func (s *Store) Regions(ctx context.Context) ([]auth.Region, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, registrar_oid, registrar_name FROM regions ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("regions: %w", mapErr(err))
	}
	return collect(rows, scanRegion)
}

// Region finds a region by id.
func (s *Store) Region(ctx context.Context, id string) (auth.Region, error) {
	row := s.db.QueryRowContext(ctx, `SELECT id, name, registrar_oid, registrar_name FROM regions WHERE id = ?`, id)
	r, err := scanRegion(row)
	if err != nil {
		return auth.Region{}, fmt.Errorf("region %s: %w", id, mapErr(err))
	}
	return r, nil
}

func scanRegion(row rowScanner) (auth.Region, error) {
	var r auth.Region
	err := row.Scan(&r.ID, &r.Name, &r.RegistrarOID, &r.RegistrarName)
	return r, err
}

// CareUnit finds a care unit by id.
func (s *Store) CareUnit(ctx context.Context, id string) (auth.CareUnit, error) {
	row := s.db.QueryRowContext(ctx, `SELECT id, region_id, oid, name FROM care_units WHERE id = ?`, id)
	u, err := scanCareUnit(row)
	if err != nil {
		return auth.CareUnit{}, fmt.Errorf("care unit %s: %w", id, mapErr(err))
	}
	return u, nil
}

// SearchCareUnits lists a region's care units by OID (exact, when not
// empty) and name (case-insensitive substring, when not empty), ordered by
// name and id.
func (s *Store) SearchCareUnits(ctx context.Context, regionID, oid, name string) ([]auth.CareUnit, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT id, region_id, oid, name FROM care_units
		WHERE region_id = ?1
			AND (?2 = '' OR oid = ?2)
			AND (?3 = '' OR name_fold LIKE '%' || ?3 || '%' ESCAPE '\')
		ORDER BY name_fold, id`,
		regionID, oid, escapeLike(fold(name)))
	if err != nil {
		return nil, fmt.Errorf("search care units: %w", mapErr(err))
	}
	return collect(rows, scanCareUnit)
}

func scanCareUnit(row rowScanner) (auth.CareUnit, error) {
	var u auth.CareUnit
	err := row.Scan(&u.ID, &u.RegionID, &u.OID, &u.Name)
	return u, err
}

const professionalColumns = `id, username, terhikki, given_name, family_name, title, role, care_unit_id, region_id`

// Professional finds a professional by id.
func (s *Store) Professional(ctx context.Context, id string) (auth.Professional, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+professionalColumns+` FROM professionals WHERE id = ?`, id)
	p, err := scanProfessional(row)
	if err != nil {
		return auth.Professional{}, fmt.Errorf("professional %s: %w", id, mapErr(err))
	}
	return p, nil
}

// ProfessionalByUsername finds a professional by login name.
func (s *Store) ProfessionalByUsername(ctx context.Context, username string) (auth.Professional, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+professionalColumns+` FROM professionals WHERE username = ?`, username)
	p, err := scanProfessional(row)
	if err != nil {
		return auth.Professional{}, fmt.Errorf("professional by username: %w", mapErr(err))
	}
	return p, nil
}

// SearchProfessionals lists a region's professionals with the Terhikki
// number terhikki (when not empty) and a given or family name starting with
// name, case-insensitively (when not empty), ordered by family name, given
// name and id.
func (s *Store) SearchProfessionals(ctx context.Context, regionID, terhikki, name string) ([]auth.Professional, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT `+professionalColumns+` FROM professionals
		WHERE region_id = ?1
			AND (?2 = '' OR terhikki = ?2)
			AND (?3 = '' OR given_name_fold LIKE ?3 || '%' ESCAPE '\'
				OR family_name_fold LIKE ?3 || '%' ESCAPE '\')
		ORDER BY family_name_fold, given_name_fold, id`,
		regionID, terhikki, escapeLike(fold(name)))
	if err != nil {
		return nil, fmt.Errorf("search professionals: %w", mapErr(err))
	}
	return collect(rows, scanProfessional)
}

func scanProfessional(row rowScanner) (auth.Professional, error) {
	var p auth.Professional
	var terhikki sql.NullString
	var role string
	err := row.Scan(&p.ID, &p.Username, &terhikki, &p.GivenName, &p.FamilyName,
		&p.Title, &role, &p.CareUnitID, &p.RegionID)
	p.Terhikki, p.Role = terhikki.String, auth.Role(role)
	return p, err
}

// collect scans every row with scan and closes rows.
func collect[T any](rows *sql.Rows, scan func(rowScanner) (T, error)) ([]T, error) {
	defer rows.Close()
	out := []T{} // empty, not nil, as pgx.CollectRows returns
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// fold is the case folding of searchable names, done in Go because
// SQLite's LOWER and LIKE fold ASCII letters only.
func fold(s string) string { return strings.ToLower(s) }

// escapeLike escapes the LIKE wildcards in s for ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func nullIfEmpty(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
