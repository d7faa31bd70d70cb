package sqlite

import (
	"database/sql"
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/omahoito/omahoito/auth"
)

// mapErr wraps the domain's sentinel errors around err where one applies:
// no row is auth.ErrNotFound, a unique or primary key violation is
// auth.ErrConflict, and a missing referenced row (foreign key) is
// auth.ErrNotFound. The driver's error stays in the chain.
func mapErr(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %w", auth.ErrNotFound, err)
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return fmt.Errorf("%w: %w", auth.ErrConflict, err)
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return fmt.Errorf("%w: referenced row missing: %w", auth.ErrNotFound, err)
	}
	return err
}
