package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/omahoito/omahoito/auth"
)

// SQLSTATE codes mapped to the domain's sentinel errors.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

// mapErr wraps the domain's sentinel errors around err where one applies:
// no row is auth.ErrNotFound, a unique violation is auth.ErrConflict, and a
// missing referenced row (foreign key) is auth.ErrNotFound. The driver's
// error stays in the chain.
func mapErr(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: %w", auth.ErrNotFound, err)
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case uniqueViolation:
		return fmt.Errorf("%w: %w", auth.ErrConflict, err)
	case foreignKeyViolation:
		return fmt.Errorf("%w: referenced row missing: %w", auth.ErrNotFound, err)
	}
	return err
}
