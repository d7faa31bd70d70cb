package sqlite

import (
	"errors"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/omahoito/omahoito/store/internal/sqlq"
)

// mapErr is this store's one error mapper: it wraps the domain's sentinel
// errors (to) around err where one applies: no row and a missing
// referenced row (foreign key) are NotFound, a unique or primary key
// violation is Conflict. The driver's error stays in the chain.
func mapErr(err error, to sqlq.Sentinels) error {
	return sqlq.Map(err, classify(err), to)
}

// classify says what an SQLite error means to the domains.
func classify(err error) sqlq.Class {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return sqlq.Other
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return sqlq.Unique
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return sqlq.ForeignKey
	}
	return sqlq.Other
}
