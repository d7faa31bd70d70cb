// Package auditsql is the SQL of the access log (tables audit_entries,
// audit_heads, audit_checkpoints), written once for both stores: the
// column list, how an audit.Entry becomes arguments and comes back from a
// row, and every statement the audit.Store methods run. Entries are only
// ever inserted: there is no statement here that updates or deletes one.
// Each store binds it to its dialect and driver (see store/internal/sqlq).
package auditsql

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/store/internal/sqlq"
)

// Sentinels are audit's errors, for sqlq.Map.
var Sentinels = sqlq.Sentinels{NotFound: audit.ErrNotFound, Conflict: audit.ErrConflict}

// Columns are the columns of audit_entries, in the order Values writes and
// Scan reads them.
var Columns = []string{"register", "seq", "time", "request_id",
	"actor_kind", "actor_id", "actor_name", "actor_title", "actor_unit_id", "actor_unit_name", "actor_client",
	"on_behalf_of", "patient_id", "action", "class", "kinds", "ids", "item_count", "grants",
	"purpose", "outcome", "reason", "imported", "hash"}

var columnList = strings.Join(Columns, ", ")

// Values appends e's values to args in Columns order, encoded for d.
func Values(d sqlq.Dialect, args []any, e audit.Entry) []any {
	a := e.Actor
	return append(args, e.Register, e.Seq, d.Time(e.Time), e.RequestID,
		a.Kind, a.ID, a.Name, a.Title, a.UnitID, a.UnitName, a.Client,
		e.OnBehalfOf, e.PatientID, e.Action, e.Class, list(e.Kinds), list(e.IDs), e.Count, list(e.Grants),
		e.Purpose, string(e.Outcome), e.Reason, d.Bool(e.Imported), e.Hash)
}

// list is l as a JSON array; nil is [].
func list(l []string) string {
	if len(l) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(l) // a []string always marshals
	return string(b)
}

// unlist reads a JSON array of list; [] is nil.
func unlist(s string) ([]string, error) {
	var l []string
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, fmt.Errorf("auditsql: a list column: %w", err)
	}
	if len(l) == 0 {
		return nil, nil
	}
	return l, nil
}

// Scan reads a row of Columns.
func Scan(row sqlq.Scanner) (audit.Entry, error) {
	var e audit.Entry
	a := &e.Actor
	var at sqlq.Time
	var kinds, ids, grants, outcome string
	var imported sqlq.Bool
	err := row.Scan(&e.Register, &e.Seq, &at, &e.RequestID,
		&a.Kind, &a.ID, &a.Name, &a.Title, &a.UnitID, &a.UnitName, &a.Client,
		&e.OnBehalfOf, &e.PatientID, &e.Action, &e.Class, &kinds, &ids, &e.Count, &grants,
		&e.Purpose, &outcome, &e.Reason, &imported, &e.Hash)
	if err != nil {
		return audit.Entry{}, err
	}
	e.Time, e.Outcome, e.Imported = at.Time, audit.Outcome(outcome), bool(imported)
	if e.Kinds, err = unlist(kinds); err == nil {
		if e.IDs, err = unlist(ids); err == nil {
			e.Grants, err = unlist(grants)
		}
	}
	return e, err
}

// Insert is the INSERT of n rows of Columns into audit_entries.
func Insert(d sqlq.Dialect, n int) string {
	row := "(" + sqlq.Placeholders(len(Columns)) + ")"
	return d.Rebind("INSERT INTO audit_entries (" + columnList + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(row+", ", n), ", "))
}

// CheckBatch refuses a batch that is not es numbered from prev+1 on, all
// of register, each with a hash: the store's last guard of the chain.
func CheckBatch(register string, prev int64, es []audit.Entry) error {
	for i, e := range es {
		if e.Register != register || e.Seq != prev+int64(i)+1 || len(e.Hash) != audit.HashSize {
			return fmt.Errorf("%w: entry %d of the batch is not the next of register %s after %d with a hash",
				audit.ErrInvalid, i, register, prev)
		}
	}
	return nil
}

// MoveHead is the statement that moves register's head from prev to the
// last of es: it affects one row when the head was at prev, none when
// another writer moved it (audit.ErrConflict). The first entry of a
// register inserts the head.
func MoveHead(d sqlq.Dialect, register string, prev int64, es []audit.Entry) (string, []any) {
	last := es[len(es)-1]
	if prev == 0 { // no head row yet, or the empty one LockHead leaves
		return d.Rebind(`INSERT INTO audit_heads (register, seq, hash) VALUES (?, ?, ?)
			ON CONFLICT (register) DO UPDATE SET seq = excluded.seq, hash = excluded.hash
			WHERE audit_heads.seq = 0`), []any{register, last.Seq, last.Hash}
	}
	return d.Rebind(`UPDATE audit_heads SET seq = ?, hash = ? WHERE register = ? AND seq = ?`),
		[]any{last.Seq, last.Hash, register, prev}
}

// Conflict is the error of a MoveHead that affected no row.
func Conflict(register string, prev int64) error {
	return fmt.Errorf("%w: register %s is no longer at entry %d", audit.ErrConflict, register, prev)
}

// Head selects a register's (seq, hash): argument the register. A seq of
// 0 is an empty register.
func Head(d sqlq.Dialect) string {
	return d.Rebind(`SELECT seq, hash FROM audit_heads WHERE register = ?`)
}

// LockHead selects a register's (seq, hash) and locks the row until the
// transaction ends (on SQLite the writer's IMMEDIATE transaction holds the
// whole database already): argument the register.
func LockHead(d sqlq.Dialect) string {
	if d == sqlq.Postgres {
		return d.Rebind(`SELECT seq, hash FROM audit_heads WHERE register = ? FOR UPDATE`)
	}
	return Head(d)
}

// EnsureHead inserts an empty head row (seq 0, the genesis hash) for a
// register that has none, so that LockHead has a row to lock.
func EnsureHead(d sqlq.Dialect, register string) (string, []any) {
	return d.Rebind(`INSERT INTO audit_heads (register, seq, hash) VALUES (?, 0, ?)
		ON CONFLICT (register) DO NOTHING`), []any{register, audit.Genesis()}
}

// HeadOf is (seq, hash) as read from a head row: nil hash when empty.
func HeadOf(seq int64, hash []byte) (int64, []byte) {
	if seq == 0 {
		return 0, nil
	}
	return seq, hash
}

// Entries selects a register's entries after a seq in seq order, at most
// limit.
func Entries(d sqlq.Dialect, register string, after int64, limit int) (string, []any) {
	return d.Rebind(`SELECT ` + columnList + ` FROM audit_entries
		WHERE register = ? AND seq > ? ORDER BY seq LIMIT ?`), []any{register, after, limit}
}

// PatientEntries selects q.PatientID's entries in every register, newest
// first ((time, seq, register) descending), at most q.Limit.
func PatientEntries(d sqlq.Dialect, q audit.Query) (string, []any) {
	var w sqlq.Where
	w.Add("patient_id = ?", q.PatientID)
	if !q.WithCopies {
		w.Add(`NOT EXISTS (SELECT 1 FROM audit_imported i JOIN audit_entries o
			ON o.register = i.source_register AND o.seq = i.source_seq
			WHERE i.register = audit_entries.register AND i.seq = audit_entries.seq)`)
	}
	if !q.From.IsZero() {
		w.Add("time >= ?", d.Time(q.From))
	}
	if !q.To.IsZero() {
		w.Add("time < ?", d.Time(q.To))
	}
	if c := q.After; c != nil {
		t := d.Time(c.Time)
		if d == sqlq.Postgres {
			w.Add("(time, seq, register) < (?, ?, ?)", t, c.Seq, c.Register)
		} else {
			// A plain range beside the exact condition: SQLite's planner
			// uses the index for the range.
			w.Add("time <= ?", t)
			w.Add("(time < ? OR seq < ? OR (seq = ? AND register < ?))", t, c.Seq, c.Seq, c.Register)
		}
	}
	args := append(w.Args(), q.Limit)
	return d.Rebind(`SELECT ` + columnList + ` FROM audit_entries WHERE ` + w.String() +
		` ORDER BY time DESC, seq DESC, register DESC LIMIT ?`), args
}

// PutCheckpoint inserts c; the same key's second checkpoint of one seq is
// ignored (a forced checkpoint beside a scheduled one).
func PutCheckpoint(d sqlq.Dialect, c audit.Checkpoint) (string, []any) {
	return d.Rebind(`INSERT INTO audit_checkpoints (register, seq, head, time, key_id, signature)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (register, seq, key_id) DO NOTHING`),
		[]any{c.Register, c.Seq, c.Head, d.Time(c.Time), c.KeyID, c.Signature}
}

// LastCheckpoint selects a register's newest checkpoint: argument the register.
func LastCheckpoint(d sqlq.Dialect) string {
	return d.Rebind(`SELECT register, seq, head, time, key_id, signature FROM audit_checkpoints
		WHERE register = ? ORDER BY seq DESC, time DESC LIMIT 1`)
}

// ScanCheckpoint reads a row of LastCheckpoint.
func ScanCheckpoint(row sqlq.Scanner) (audit.Checkpoint, error) {
	var c audit.Checkpoint
	var at sqlq.Time
	err := row.Scan(&c.Register, &c.Seq, &c.Head, &at, &c.KeyID, &c.Signature)
	c.Time = at.Time
	return c, err
}

// Registers selects every register with a head, entries or checkpoints,
// in byte order.
func Registers(d sqlq.Dialect) string {
	return d.Rebind(`SELECT register FROM audit_heads
		UNION SELECT register FROM audit_checkpoints
		UNION SELECT DISTINCT register FROM audit_entries
		ORDER BY 1`)
}

// ScanRegister reads a row of Registers.
func ScanRegister(row sqlq.Scanner) (string, error) {
	var r string
	err := row.Scan(&r)
	return r, err
}
