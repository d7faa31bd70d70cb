package postgres

import (
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/omahoito/omahoito/store/internal/sqlq"
)

// SQLSTATE codes mapped to the domain's sentinel errors.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
	deadlockDetected    = "40P01" // a transaction aborted to break a deadlock
)

// mapErr is this store's one error mapper: it wraps the domain's sentinel
// errors (to) around err where one applies: no row and a missing
// referenced row (foreign key) are NotFound, a unique violation is
// Conflict. The driver's error stays in the chain.
func mapErr(err error, to sqlq.Sentinels) error {
	return sqlq.Map(err, classify(err), to)
}

// classify says what a PostgreSQL error means to the domains.
func classify(err error) sqlq.Class {
	if errors.Is(err, pgx.ErrNoRows) {
		return sqlq.NoRows
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return sqlq.Other
	}
	switch pe.Code {
	case uniqueViolation:
		return sqlq.Unique
	case foreignKeyViolation:
		return sqlq.ForeignKey
	}
	return sqlq.Other
}
