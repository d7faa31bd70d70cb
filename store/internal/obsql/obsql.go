// Package obsql is the SQL of the measurements (tables observations and
// observation_versions), written once for both stores: the column list,
// how a record.Measurement becomes arguments and comes back from a row,
// and every query the record.Store methods run, with the access scope
// applied in SQL. Each store binds it to its dialect and driver (see
// store/internal/sqlq for the pattern).
package obsql

import (
	"slices"
	"strings"

	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/internal/sqlq"
)

// Tables holding measurements: the current version of each, and every
// version (the current one included) for the history.
const (
	Current  = "observations"
	Versions = "observation_versions"
)

// Columns are the columns of both tables, in the order Values writes and
// Scan reads them. entered_* hold the value as typed in a non-canonical
// unit (NULL when the canonical unit was used).
var Columns = []string{"id", "person_id", "kind", "value", "diastolic", "effective_at", "note",
	"entered_by_kind", "entered_by_id", "on_behalf_of", "source_kind", "source_client",
	"entered_value", "entered_diastolic", "entered_unit",
	"identifier", "version", "updated_at", "deleted"}

var columnList = strings.Join(Columns, ", ")

// Values appends m's values to args in Columns order, encoded for d.
// Optional values are NULL when unset: diastolic, identifier, and the
// as-entered values when the canonical unit was used.
func Values(d sqlq.Dialect, args []any, m record.Measurement) []any {
	e := m.AsEntered
	var enteredValue, enteredDiastolic any // NULL unless a unit was kept
	if e.Unit != "" {
		enteredValue, enteredDiastolic = e.Value, sqlq.NullFloat(e.Diastolic)
	}
	return append(args, m.ID, m.PersonID, string(m.Kind), m.Value, sqlq.NullFloat(m.Diastolic),
		d.Time(m.At), m.Note, string(m.EnteredBy.Kind), m.EnteredBy.ID, m.EnteredBy.OnBehalfOf,
		string(m.Source.Kind), m.Source.Client, enteredValue, enteredDiastolic, sqlq.NullString(e.Unit),
		sqlq.NullString(m.Identifier), m.Version, d.Time(m.Updated), d.Bool(m.Deleted))
}

// Scan reads a row of Columns.
func Scan(row sqlq.Scanner) (record.Measurement, error) {
	var m record.Measurement
	var kind, actorKind, sourceKind string
	var diastolic, enteredValue, enteredDiastolic sqlq.NullFloat64
	var identifier, enteredUnit sqlq.NullText
	var at, updated sqlq.Time
	var deleted sqlq.Bool
	err := row.Scan(&m.ID, &m.PersonID, &kind, &m.Value, &diastolic, &at, &m.Note,
		&actorKind, &m.EnteredBy.ID, &m.EnteredBy.OnBehalfOf, &sourceKind, &m.Source.Client,
		&enteredValue, &enteredDiastolic, &enteredUnit, &identifier, &m.Version, &updated, &deleted)
	if err != nil {
		return record.Measurement{}, err
	}
	m.Kind, m.EnteredBy.Kind, m.Source.Kind = record.Kind(kind), record.ActorKind(actorKind), record.SourceKind(sourceKind)
	m.Diastolic, m.Identifier, m.Deleted = float64(diastolic), string(identifier), bool(deleted)
	m.At, m.Updated = at.Time, updated.Time
	if enteredUnit != "" {
		m.AsEntered = record.AsEntered{Value: float64(enteredValue), Diastolic: float64(enteredDiastolic), Unit: string(enteredUnit)}
	}
	return m, nil
}

// Insert is the single-row INSERT of Columns into table.
func Insert(d sqlq.Dialect, table string) string {
	return d.Rebind("INSERT INTO " + table + " (" + columnList + ") VALUES (" + sqlq.Placeholders(len(Columns)) + ")")
}

// Get selects the current version of one person's measurement:
// arguments id, person.
func Get(d sqlq.Dialect) string {
	return d.Rebind(`SELECT ` + columnList + ` FROM observations WHERE id = ? AND person_id = ?`)
}

// Owner selects whose measurement id is: argument id. Ids are random and
// unique across people.
func Owner(d sqlq.Dialect) string {
	return d.Rebind(`SELECT person_id FROM observations WHERE id = ?`)
}

// PersonIDs selects the ids of every measurement of a person, deleted ones
// too, in id order: argument person.
func PersonIDs(d sqlq.Dialect) string {
	return d.Rebind(`SELECT id FROM observations WHERE person_id = ? ORDER BY id`)
}

// CurrentVersion selects the current version number: arguments id, person.
func CurrentVersion(d sqlq.Dialect) string {
	return d.Rebind(`SELECT version FROM observations WHERE id = ? AND person_id = ?`)
}

// History selects every version of one person's measurement, newest
// first: arguments id, person.
func History(d sqlq.Dialect) string {
	return d.Rebind(`SELECT ` + columnList + ` FROM observation_versions
		WHERE id = ? AND person_id = ? ORDER BY version DESC`)
}

// Update writes m as the current version when the stored one is
// m.Version-1; no row is affected otherwise.
func Update(d sqlq.Dialect, m record.Measurement) (string, []any) {
	sets := make([]string, 0, len(Columns))
	for _, c := range Columns[2:] { // not id, person_id
		sets = append(sets, c+" = ?")
	}
	values := Values(d, nil, m)
	args := append(values[2:], m.ID, m.PersonID, m.Version-1)
	return d.Rebind(`UPDATE observations SET ` + strings.Join(sets, ", ") +
		` WHERE id = ? AND person_id = ? AND version = ?`), args
}

// Lookup selects the current measurements of person with the given
// identifiers. Callers keep the list short (a few hundred): SQLite limits
// the number of arguments.
func Lookup(d sqlq.Dialect, person string, identifiers []string) (string, []any) {
	args := make([]any, 0, len(identifiers)+1)
	args = append(args, person)
	for _, id := range identifiers {
		args = append(args, id)
	}
	return d.Rebind(`SELECT ` + columnList + ` FROM observations
		WHERE person_id = ? AND identifier IN (` + sqlq.Placeholders(len(identifiers)) + `)`), args
}

// LookupArray is Lookup for PostgreSQL: one query with the identifiers as
// one text[] argument. A long IN list of separate parameters made
// PostgreSQL plan each 500-parameter chunk slowly (about 0.5 s a chunk for
// a 10,000-entry batch, against 20 ms for the whole batch with an array).
func LookupArray(person string, identifiers []string) (string, []any) {
	return `SELECT ` + columnList + ` FROM observations
		WHERE person_id = $1 AND identifier = ANY($2::text[])`, []any{person, identifiers}
}

// Search selects what record.Store.SearchMeasurements returns for q.
func Search(d sqlq.Dialect, q record.Query) (string, []any) {
	w := filter(d, q, true)
	order := "ASC"
	if q.Desc {
		order = "DESC"
	}
	query := `SELECT ` + columnList + ` FROM observations WHERE ` + w.String() +
		` ORDER BY effective_at ` + order + `, id ` + order
	args := w.Args()
	if q.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, q.Limit)
	}
	return d.Rebind(query), args
}

// Count counts what Search selects without q's Limit and After.
func Count(d sqlq.Dialect, q record.Query) (string, []any) {
	w := filter(d, q, false)
	return d.Rebind(`SELECT count(*) FROM observations WHERE ` + w.String()), w.Args()
}

// filter is the WHERE clause of q, with q.After when withCursor. Each
// bound on effective_at is a plain range so that the indexes on
// (person_id, [kind,] effective_at, id) serve it.
func filter(d sqlq.Dialect, q record.Query, withCursor bool) *sqlq.Where {
	w := &sqlq.Where{}
	w.Add("person_id = ?", q.PersonID)
	w.Add("deleted = ?", d.Bool(false))
	kindsIn(w, q.Kinds)
	if !q.From.IsZero() {
		w.Add("effective_at "+pick(q.FromOpen, ">", ">=")+" ?", d.Time(q.From))
	}
	if !q.To.IsZero() {
		w.Add("effective_at "+pick(q.ToOpen, "<", "<=")+" ?", d.Time(q.To))
	}
	scope(d, w, q.Scope)
	if withCursor && q.After != nil {
		d.After(w, "effective_at", "id", q.Desc, q.After.At, q.After.ID)
	}
	return w
}

// kindsIn restricts w to kinds, when there are any. A single kind is an
// equality, so the index on (person_id, kind, effective_at, id) delivers
// the order.
func kindsIn(w *sqlq.Where, kinds []record.Kind) {
	switch len(kinds) {
	case 0:
	case 1:
		w.Add("kind = ?", string(kinds[0]))
	default:
		args := make([]any, len(kinds))
		for i, k := range kinds {
			args[i] = string(k)
		}
		w.Add("kind IN ("+sqlq.Placeholders(len(kinds))+")", args...)
	}
}

// scope restricts w to what s lets the caller see: nothing for the zero
// Scope, everything for All, else any of the allowances (OR).
func scope(d sqlq.Dialect, w *sqlq.Where, s record.Scope) {
	if s.All {
		return
	}
	if len(s.Allowances) == 0 {
		w.Add("1 = 0")
		return
	}
	var parts []string
	var args []any
	for _, a := range s.Allowances {
		aw := &sqlq.Where{}
		kindsIn(aw, a.Kinds)
		window(d, aw, a.Window)
		parts = append(parts, "("+aw.String()+")")
		args = append(args, aw.Args()...)
	}
	w.Add("("+strings.Join(parts, " OR ")+")", args...)
}

// window restricts w to [From, To); a zero end is open.
func window(d sqlq.Dialect, w *sqlq.Where, win record.Window) {
	if !win.From.IsZero() {
		w.Add("effective_at >= ?", d.Time(win.From))
	}
	if !win.To.IsZero() {
		w.Add("effective_at < ?", d.Time(win.To))
	}
}

// Latest selects, for each kind that s lets the caller see, the newest
// current, not deleted measurement of person within s: one query, a
// UNION ALL of one index-ordered LIMIT 1 per kind, so its cost does not
// grow with the size of the record. ok is false when s covers no kind.
func Latest(d sqlq.Dialect, person string, s record.Scope) (query string, args []any, ok bool) {
	var parts []string
	for _, spec := range record.Specs() {
		w := &sqlq.Where{}
		w.Add("person_id = ?", person)
		w.Add("kind = ?", string(spec.Kind))
		w.Add("deleted = ?", d.Bool(false))
		if !kindScope(d, w, spec.Kind, s) {
			continue
		}
		parts = append(parts, `SELECT * FROM (SELECT `+columnList+` FROM observations WHERE `+w.String()+
			` ORDER BY effective_at DESC, id DESC LIMIT 1) AS k`+strings.ReplaceAll(string(spec.Kind), "-", "_"))
		args = append(args, w.Args()...)
	}
	if len(parts) == 0 {
		return "", nil, false
	}
	return d.Rebind(strings.Join(parts, " UNION ALL ")), args, true
}

// kindScope restricts w to the windows in which s lets the caller see
// kind k; false when it lets them see none.
func kindScope(d sqlq.Dialect, w *sqlq.Where, k record.Kind, s record.Scope) bool {
	if s.All {
		return true
	}
	var parts []string
	var args []any
	for _, a := range s.Allowances {
		if len(a.Kinds) > 0 && !slices.Contains(a.Kinds, k) {
			continue
		}
		aw := &sqlq.Where{}
		window(d, aw, a.Window)
		parts = append(parts, "("+aw.String()+")")
		args = append(args, aw.Args()...)
	}
	if len(parts) == 0 {
		return false
	}
	w.Add("("+strings.Join(parts, " OR ")+")", args...)
	return true
}

// sortByKind orders latest measurements as record.Specs lists the kinds.
func sortByKind(ms []record.Measurement) {
	rank := map[record.Kind]int{}
	for i, spec := range record.Specs() {
		rank[spec.Kind] = i
	}
	slices.SortFunc(ms, func(a, b record.Measurement) int { return rank[a.Kind] - rank[b.Kind] })
}

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

// Sentinels are record's errors, for sqlq.Map.
var Sentinels = sqlq.Sentinels{NotFound: record.ErrNotFound, Conflict: record.ErrConflict}
