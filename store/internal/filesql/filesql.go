// Package filesql is the SQL of a person's own files (tables files and
// file_versions), written once for both stores: the column list, how a
// record.File becomes arguments and comes back from a row, every query the
// record.FileStore methods run, and the work those methods do (run.go)
// over a small interface each store implements on its driver. See
// store/internal/sqlq for the pattern.
package filesql

import (
	"strings"

	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/internal/sqlq"
)

// Sentinels are record's errors, for sqlq.Map.
var Sentinels = sqlq.Sentinels{NotFound: record.ErrNotFound, Conflict: record.ErrConflict}

// Tables of file metadata: the current version of each file, and every
// version (the current one included) for the history.
const (
	Current  = "files"
	Versions = "file_versions"
)

// Columns are the columns of both tables, in the order Values writes and
// Scan reads them.
var Columns = []string{"id", "person_id", "version", "name", "title", "description",
	"media_type", "size", "sha256", "content_key", "data_key", "master_key_id",
	"created_at", "updated_at", "entered_by_kind", "entered_by_id", "on_behalf_of", "deleted"}

// editable are the columns an update writes: the content of a file, and so
// its type, size, hash, key and wrapped data key, never changes with a new
// version. Leaving them out also keeps an update from putting back a data
// key that a key rotation rewrapped meanwhile.
var editable = []string{"version", "name", "title", "description",
	"updated_at", "entered_by_kind", "entered_by_id", "on_behalf_of", "deleted"}

var columnList = strings.Join(Columns, ", ")

// newestFirst is the order of a person's files: creation time descending,
// id ascending between equal times (ids compare in byte order on both).
const newestFirst = ` ORDER BY created_at DESC, id ASC`

// Values is f's values in Columns order, encoded for d.
func Values(d sqlq.Dialect, f record.File) []any {
	return []any{f.ID, f.PersonID, f.Version, f.Name, f.Title, f.Description,
		string(f.Type), f.Size, nonNil(f.SHA256), f.ContentKey, nonNil(f.DataKey), f.MasterKeyID,
		d.Time(f.CreatedAt), d.Time(f.UpdatedAt),
		string(f.EnteredBy.Kind), f.EnteredBy.ID, f.EnteredBy.OnBehalfOf, d.Bool(f.Deleted)}
}

// nonNil is b, or an empty slice for nil: a nil []byte is NULL to the
// drivers, and the byte columns are NOT NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// Scan reads a row of Columns.
func Scan(row sqlq.Scanner) (record.File, error) {
	var f record.File
	var mediaType, actorKind string
	var created, updated sqlq.Time
	var deleted sqlq.Bool
	err := row.Scan(&f.ID, &f.PersonID, &f.Version, &f.Name, &f.Title, &f.Description,
		&mediaType, &f.Size, &f.SHA256, &f.ContentKey, &f.DataKey, &f.MasterKeyID,
		&created, &updated, &actorKind, &f.EnteredBy.ID, &f.EnteredBy.OnBehalfOf, &deleted)
	if err != nil {
		return record.File{}, err
	}
	f.Type, f.EnteredBy.Kind = record.MediaType(mediaType), record.ActorKind(actorKind)
	f.CreatedAt, f.UpdatedAt, f.Deleted = created.Time, updated.Time, bool(deleted)
	return f, nil
}

// Insert is the single-row INSERT of Columns into table.
func Insert(d sqlq.Dialect, table string) string {
	return d.Rebind("INSERT INTO " + table + " (" + columnList + ") VALUES (" + sqlq.Placeholders(len(Columns)) + ")")
}

// Get selects the current version of one person's file: arguments id,
// person.
func Get(d sqlq.Dialect) string {
	return d.Rebind(`SELECT ` + columnList + ` FROM files WHERE id = ? AND person_id = ?`)
}

// Owner selects whose file id is: argument id. Ids are random and unique
// across people.
func Owner(d sqlq.Dialect) string {
	return d.Rebind(`SELECT person_id FROM files WHERE id = ?`)
}

// CurrentVersion selects the current version number: arguments id, person.
func CurrentVersion(d sqlq.Dialect) string {
	return d.Rebind(`SELECT version FROM files WHERE id = ? AND person_id = ?`)
}

// History selects every version of one person's file, newest first:
// arguments id, person.
func History(d sqlq.Dialect) string {
	return d.Rebind(`SELECT ` + columnList + ` FROM file_versions
		WHERE id = ? AND person_id = ? ORDER BY version DESC`)
}

// Update writes f's editable columns as the current version when the
// stored one is f.Version-1; no row is affected otherwise.
func Update(d sqlq.Dialect, f record.File) (string, []any) {
	sets := make([]string, len(editable))
	for i, c := range editable {
		sets[i] = c + " = ?"
	}
	args := []any{f.Version, f.Name, f.Title, f.Description, d.Time(f.UpdatedAt),
		string(f.EnteredBy.Kind), f.EnteredBy.ID, f.EnteredBy.OnBehalfOf, d.Bool(f.Deleted),
		f.ID, f.PersonID, f.Version - 1}
	return d.Rebind(`UPDATE files SET ` + strings.Join(sets, ", ") +
		` WHERE id = ? AND person_id = ? AND version = ?`), args
}

// CopyToVersions adds the current version of a file to its history, as
// stored: argument id.
func CopyToVersions(d sqlq.Dialect) string {
	return d.Rebind(`INSERT INTO file_versions (` + columnList + `) SELECT ` + columnList +
		` FROM files WHERE id = ?`)
}

// List selects a person's current, not deleted files, newest first; when
// ids is not nil, only those of ids (one chunk of them: see in).
func List(d sqlq.Dialect, person string, ids []string) (string, []any) {
	w := &sqlq.Where{}
	w.Add("person_id = ?", person)
	w.Add("deleted = ?", d.Bool(false))
	if ids != nil {
		in(d, w, "id", ids)
	}
	return d.Rebind(`SELECT ` + columnList + ` FROM files WHERE ` + w.String() + newestFirst), w.Args()
}

// LockPerson locks one person's row for the transaction: argument person.
func LockPerson(d sqlq.Dialect) string {
	return d.Rebind(`SELECT id FROM people WHERE id = ? FOR UPDATE`)
}

// Size sums the sizes of a person's current, not deleted files: arguments
// person, false. The sum is cast back to a 64-bit integer: PostgreSQL sums
// a bigint as numeric.
func Size(d sqlq.Dialect) string {
	return d.Rebind(`SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM files WHERE person_id = ? AND deleted = ?`)
}

// ContentKeys selects which of keys (one chunk of them: see in) a file
// that is not deleted names. Every version of a file names the same
// content, so the current row tells.
func ContentKeys(d sqlq.Dialect, keys []string) (string, []any) {
	w := &sqlq.Where{}
	in(d, w, "content_key", keys)
	w.Add("deleted = ?", false)
	return d.Rebind(`SELECT content_key FROM files WHERE ` + w.String()), w.Args()
}

// ToRewrap selects up to limit (id, data key) pairs still wrapped by master
// key from, in id order, from the history (every version, the current one
// included): arguments from, limit.
func ToRewrap(d sqlq.Dialect) string {
	return d.Rebind(`SELECT DISTINCT id, data_key FROM file_versions
		WHERE master_key_id = ? ORDER BY id LIMIT ?`)
}

// Rewrap sets the new wrapping of a data key in table, in the rows of one
// file still holding the old wrapping by master key from: arguments new
// data key, new master key id, id, from, old data key. A row rewrapped by
// a run that stopped half-way is not touched again.
func Rewrap(d sqlq.Dialect, table string) string {
	return d.Rebind(`UPDATE ` + table + ` SET data_key = ?, master_key_id = ?
		WHERE id = ? AND master_key_id = ? AND data_key = ?`)
}

// Chunk is how many values one query passes in an IN list on SQLite, well
// under its limit of bound variables. PostgreSQL takes any number in one
// array argument.
const Chunk = 500

// in restricts w to rows whose col is one of vals: an IN list on SQLite,
// one text[] argument on PostgreSQL (a long list of separate parameters is
// slow to plan there; see obsql.LookupArray).
func in(d sqlq.Dialect, w *sqlq.Where, col string, vals []string) {
	if d == sqlq.Postgres {
		w.Add(col+" = ANY(?::text[])", vals)
		return
	}
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	w.Add(col+" IN ("+sqlq.Placeholders(len(vals))+")", args...)
}

// chunks splits vals into the lists one query of d passes: all at once on
// PostgreSQL, Chunk at a time on SQLite.
func chunks(d sqlq.Dialect, vals []string) [][]string {
	size := Chunk
	if d == sqlq.Postgres {
		size = max(len(vals), 1)
	}
	var out [][]string
	for len(vals) > 0 {
		n := min(size, len(vals))
		out = append(out, vals[:n])
		vals = vals[n:]
	}
	return out
}
