package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/internal/consentsql"
	"github.com/omahoito/omahoito/store/internal/sqlq"
)

var _ consent.Store = (*Store)(nil)

// CreateGrant inserts g (version 1). When ask is not empty, that request
// of g's person is marked approved with g.ID in the same transaction;
// ErrConflict when it is not pending or is another person's, and then no
// grant is stored.
func (s *Store) CreateGrant(ctx context.Context, g consent.Grant, ask string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		return consentsql.RunCreateGrant(ctx, dialect, consentTx{tx}, g, ask)
	})
	if err != nil {
		return fmt.Errorf("create grant %s: %w", g.ID, mapErr(err, consentsql.Sentinels))
	}
	return nil
}

// Grant finds a grant by id.
func (s *Store) Grant(ctx context.Context, id string) (consent.Grant, error) {
	g, err := consentsql.ScanGrant(s.read.QueryRowContext(ctx, consentsql.Grant(dialect), id))
	if err != nil {
		return consent.Grant{}, fmt.Errorf("grant %s: %w", id, mapErr(err, consentsql.Sentinels))
	}
	return g, nil
}

// UpdateGrant writes g over version g.Version-1; ErrConflict when another
// version is stored, ErrNotFound when there is no such grant.
func (s *Store) UpdateGrant(ctx context.Context, g consent.Grant) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		return consentsql.RunUpdateGrant(ctx, dialect, consentTx{tx}, g)
	})
	if err != nil {
		return fmt.Errorf("update grant %s: %w", g.ID, mapErr(err, consentsql.Sentinels))
	}
	return nil
}

// Grants lists all of a person's grants, newest first.
func (s *Store) Grants(ctx context.Context, personID string) ([]consent.Grant, error) {
	query, args := consentsql.Grants(dialect, personID)
	return queryConsent(ctx, s, "grants", query, args, consentsql.ScanGrant)
}

// GrantsInForce lists a person's grants active at now and inside their
// period [start, end), newest first.
func (s *Store) GrantsInForce(ctx context.Context, personID string, now time.Time) ([]consent.Grant, error) {
	query, args := consentsql.GrantsInForce(dialect, personID, now)
	return queryConsent(ctx, s, "grants in force", query, args, consentsql.ScanGrant)
}

// GrantsTo lists the grants in force at now to the professional or to the
// unit, newest first, of at most people persons.
func (s *Store) GrantsTo(ctx context.Context, professionalID, unitID string, now time.Time, people int) ([]consent.Grant, error) {
	query, args := consentsql.GrantsTo(dialect, professionalID, unitID, now, people)
	return queryConsent(ctx, s, "grants to", query, args, consentsql.ScanGrant)
}

// CreateAsk inserts a request for consent; ErrConflict when its id exists.
func (s *Store) CreateAsk(ctx context.Context, a consent.Ask) error {
	query, args := consentsql.InsertAsk(dialect, a)
	if _, err := s.db.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("create request for consent %s: %w", a.ID, mapErr(err, consentsql.Sentinels))
	}
	return nil
}

// Ask finds a request for consent by id.
func (s *Store) Ask(ctx context.Context, id string) (consent.Ask, error) {
	a, err := consentsql.ScanAsk(s.read.QueryRowContext(ctx, consentsql.Ask(dialect), id))
	if err != nil {
		return consent.Ask{}, fmt.Errorf("request for consent %s: %w", id, mapErr(err, consentsql.Sentinels))
	}
	return a, nil
}

// DeclineAsk marks a pending request declined at at; ErrConflict when it
// is no longer pending, ErrNotFound when there is no such request.
func (s *Store) DeclineAsk(ctx context.Context, id string, at time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		return consentsql.RunDeclineAsk(ctx, dialect, consentTx{tx}, id, at)
	})
	if err != nil {
		return fmt.Errorf("decline request for consent %s: %w", id, mapErr(err, consentsql.Sentinels))
	}
	return nil
}

// Asks lists a person's requests for consent, newest first.
func (s *Store) Asks(ctx context.Context, personID string) ([]consent.Ask, error) {
	query, args := consentsql.AsksOf(dialect, personID)
	return queryConsent(ctx, s, "requests for consent", query, args, consentsql.ScanAsk)
}

// AsksBy lists a professional's requests for consent, newest first.
func (s *Store) AsksBy(ctx context.Context, professionalID string) ([]consent.Ask, error) {
	query, args := consentsql.AsksBy(dialect, professionalID)
	return queryConsent(ctx, s, "requests for consent by", query, args, consentsql.ScanAsk)
}

// queryConsent runs a consent listing on the read pool, errors mapped.
func queryConsent[T any](ctx context.Context, s *Store, what, query string, args []any, scan func(sqlq.Scanner) (T, error)) ([]T, error) {
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err == nil {
		var out []T
		if out, err = collect(rows, scan); err == nil {
			return out, nil
		}
	}
	return nil, fmt.Errorf("%s: %w", what, mapErr(err, consentsql.Sentinels))
}

// consentTx is a write transaction as consentsql runs it.
type consentTx struct{ tx *sql.Tx }

func (t consentTx) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := t.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (t consentTx) QueryRow(ctx context.Context, query string, args ...any) sqlq.Scanner {
	return t.tx.QueryRowContext(ctx, query, args...)
}

var _ consent.CopyStore = (*Store)(nil)

// CopyGrants is consent.CopyStore.CopyGrants (consentsql.RunCopyGrants) in
// one transaction on the writer.
func (s *Store) CopyGrants(ctx context.Context, gs []consent.Grant) (record.CopyCount, error) {
	var n record.CopyCount
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = consentsql.RunCopyGrants(ctx, dialect, consentTx{tx}, gs)
		return err
	})
	if err != nil {
		return record.CopyCount{}, fmt.Errorf("copy grants: %w", mapErr(err, consentsql.Sentinels))
	}
	return n, nil
}
