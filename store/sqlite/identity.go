package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/store/internal/authsql"
)

// PersonByHetuKey finds a person by the keyed hash of their hetu.
func (s *Store) PersonByHetuKey(ctx context.Context, key []byte) (auth.SealedPerson, error) {
	p, err := authsql.ScanPerson(s.read.QueryRowContext(ctx, authsql.PersonBy(dialect, "hetu_key"), key))
	if err != nil {
		return auth.SealedPerson{}, fmt.Errorf("person by hetu key: %w", mapErr(err, authsql.Sentinels))
	}
	return p, nil
}

// PersonByID finds a person by internal id.
func (s *Store) PersonByID(ctx context.Context, id string) (auth.SealedPerson, error) {
	p, err := authsql.ScanPerson(s.read.QueryRowContext(ctx, authsql.PersonBy(dialect, "id"), id))
	if err != nil {
		return auth.SealedPerson{}, fmt.Errorf("person %s: %w", id, mapErr(err, authsql.Sentinels))
	}
	return p, nil
}

// CreatePerson inserts p; ErrConflict when its id or hetu key exists,
// ErrNotFound when its home region does not. CreatedAt is kept in UTC to
// the microsecond.
func (s *Store) CreatePerson(ctx context.Context, p auth.SealedPerson) error {
	query, args := authsql.InsertPerson(dialect, p)
	if err := s.exec(ctx, query, args...); err != nil {
		return fmt.Errorf("create person: %w", err)
	}
	return nil
}

// PutRegion inserts or updates a region by ID.
func (s *Store) PutRegion(ctx context.Context, r auth.Region) error {
	query, args := authsql.PutRegion(dialect, r)
	if err := s.exec(ctx, query, args...); err != nil {
		return fmt.Errorf("put region %s: %w", r.ID, err)
	}
	return nil
}

// PutCareUnit inserts or updates a care unit by ID.
func (s *Store) PutCareUnit(ctx context.Context, u auth.CareUnit) error {
	query, args := authsql.PutCareUnit(dialect, u)
	if err := s.exec(ctx, query, args...); err != nil {
		return fmt.Errorf("put care unit %s: %w", u.ID, err)
	}
	return nil
}

// PutProfessional inserts or updates a professional by ID.
func (s *Store) PutProfessional(ctx context.Context, p auth.Professional) error {
	query, args := authsql.PutProfessional(dialect, p)
	if err := s.exec(ctx, query, args...); err != nil {
		return fmt.Errorf("put professional %s: %w", p.ID, err)
	}
	return nil
}

// exec runs one identity write on the writer.
func (s *Store) exec(ctx context.Context, query string, args ...any) error {
	_, err := s.db.ExecContext(ctx, query, args...)
	return mapErr(err, authsql.Sentinels)
}

// Regions lists all regions ordered by id.
func (s *Store) Regions(ctx context.Context) ([]auth.Region, error) {
	rows, err := s.read.QueryContext(ctx, authsql.Regions(dialect))
	if err != nil {
		return nil, fmt.Errorf("regions: %w", mapErr(err, authsql.Sentinels))
	}
	return collect(rows, authsql.ScanRegion)
}

// Region finds a region by id.
func (s *Store) Region(ctx context.Context, id string) (auth.Region, error) {
	r, err := authsql.ScanRegion(s.read.QueryRowContext(ctx, authsql.Region(dialect), id))
	if err != nil {
		return auth.Region{}, fmt.Errorf("region %s: %w", id, mapErr(err, authsql.Sentinels))
	}
	return r, nil
}

// CareUnit finds a care unit by id.
func (s *Store) CareUnit(ctx context.Context, id string) (auth.CareUnit, error) {
	u, err := authsql.ScanCareUnit(s.read.QueryRowContext(ctx, authsql.CareUnit(dialect), id))
	if err != nil {
		return auth.CareUnit{}, fmt.Errorf("care unit %s: %w", id, mapErr(err, authsql.Sentinels))
	}
	return u, nil
}

// SearchCareUnits lists a region's care units by OID (exact, when not
// empty) and name (case-insensitive substring, when not empty), ordered by
// name and id.
func (s *Store) SearchCareUnits(ctx context.Context, regionID, oid, name string) ([]auth.CareUnit, error) {
	query, args := authsql.SearchCareUnits(dialect, regionID, oid, name)
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search care units: %w", mapErr(err, authsql.Sentinels))
	}
	return collect(rows, authsql.ScanCareUnit)
}

// Professional finds a professional by id.
func (s *Store) Professional(ctx context.Context, id string) (auth.Professional, error) {
	p, err := authsql.ScanProfessional(s.read.QueryRowContext(ctx, authsql.ProfessionalBy(dialect, "id"), id))
	if err != nil {
		return auth.Professional{}, fmt.Errorf("professional %s: %w", id, mapErr(err, authsql.Sentinels))
	}
	return p, nil
}

// ProfessionalByUsername finds a professional by login name.
func (s *Store) ProfessionalByUsername(ctx context.Context, username string) (auth.Professional, error) {
	p, err := authsql.ScanProfessional(s.read.QueryRowContext(ctx, authsql.ProfessionalBy(dialect, "username"), username))
	if err != nil {
		return auth.Professional{}, fmt.Errorf("professional by username: %w", mapErr(err, authsql.Sentinels))
	}
	return p, nil
}

// SearchProfessionals lists a region's professionals with the Terhikki
// number terhikki (when not empty) and a given or family name starting with
// name, case-insensitively (when not empty), ordered by family name, given
// name and id.
func (s *Store) SearchProfessionals(ctx context.Context, regionID, terhikki, name string) ([]auth.Professional, error) {
	query, args := authsql.SearchProfessionals(dialect, regionID, terhikki, name)
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search professionals: %w", mapErr(err, authsql.Sentinels))
	}
	return collect(rows, authsql.ScanProfessional)
}

// ImportDirectory brings the directory to d in one transaction on the
// writer (auth.PlanDirectory says what changes) and reports what it did.
// An invalid file or a refused write changes nothing.
func (s *Store) ImportDirectory(ctx context.Context, d auth.Directory) (auth.DirectoryReport, error) {
	var report auth.DirectoryReport
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := directoryState(ctx, tx)
		if err != nil {
			return err
		}
		ch, err := auth.PlanDirectory(cur, d)
		if err != nil {
			return err
		}
		for _, st := range authsql.ApplyDirectory(dialect, ch) {
			if _, err := tx.ExecContext(ctx, st.Query, st.Args...); err != nil {
				return fmt.Errorf("%s: %w", st.What, err)
			}
		}
		report = ch.Report
		return nil
	})
	if err != nil {
		return auth.DirectoryReport{}, fmt.Errorf("import directory: %w", mapErr(err, authsql.Sentinels))
	}
	return report, nil
}

// directoryState reads the whole directory inside tx.
func directoryState(ctx context.Context, tx *sql.Tx) (auth.DirectoryState, error) {
	rows, err := tx.QueryContext(ctx, authsql.Regions(dialect))
	if err != nil {
		return auth.DirectoryState{}, err
	}
	regions, err := collect(rows, authsql.ScanRegion)
	if err != nil {
		return auth.DirectoryState{}, err
	}
	if rows, err = tx.QueryContext(ctx, authsql.AllCareUnits(dialect)); err != nil {
		return auth.DirectoryState{}, err
	}
	units, err := collect(rows, authsql.ScanCareUnit)
	if err != nil {
		return auth.DirectoryState{}, err
	}
	if rows, err = tx.QueryContext(ctx, authsql.AllProfessionals(dialect)); err != nil {
		return auth.DirectoryState{}, err
	}
	pros, err := collect(rows, authsql.ScanProfessionalActive)
	if err != nil {
		return auth.DirectoryState{}, err
	}
	return authsql.State(regions, units, pros), nil
}

// BeginMove marks the person's data as being moved to target since at
// (auth.Mover): one conditional update on the writer; when it changes no
// row, the person as they are now says whether it was a rerun or a
// conflict.
func (s *Store) BeginMove(ctx context.Context, personID, target string, at time.Time) error {
	query, args := authsql.BeginMove(dialect, personID, target, at)
	res, err := s.db.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("begin move of %s: %w", personID, mapErr(err, authsql.Sentinels))
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	p, err := s.PersonByID(ctx, personID)
	if err != nil {
		return fmt.Errorf("begin move: %w", err)
	}
	if err := authsql.MoveRefused(p, target); err != nil {
		return fmt.Errorf("begin move of %s: %w", personID, err)
	}
	return nil
}

// EndMove clears the move under way of the person, if any (auth.Mover).
func (s *Store) EndMove(ctx context.Context, personID string) error {
	res, err := s.db.ExecContext(ctx, authsql.EndMove(dialect), personID)
	if err != nil {
		return fmt.Errorf("end move of %s: %w", personID, mapErr(err, authsql.Sentinels))
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	return fmt.Errorf("end move of %s: %w", personID, auth.ErrNotFound)
}

var _ auth.Mover = (*Store)(nil)

// SetHomeRegion names to as the person's home region, when it is from:
// one conditional update; a person whose home is to already is a rerun
// and changes nothing. ErrConflict when the home is another region,
// ErrNotFound when there is no such person.
func (s *Store) SetHomeRegion(ctx context.Context, personID, from, to string) error {
	res, err := s.db.ExecContext(ctx, authsql.SetHomeRegion(dialect), to, personID, from)
	if err != nil {
		return fmt.Errorf("set home region of %s: %w", personID, mapErr(err, authsql.Sentinels))
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	p, err := s.PersonByID(ctx, personID)
	if err != nil {
		return fmt.Errorf("set home region: %w", err)
	}
	if err := authsql.HomeRefused(p.HomeRegion, from, to); err != nil {
		return fmt.Errorf("set home region of %s: %w", personID, err)
	}
	return nil
}
