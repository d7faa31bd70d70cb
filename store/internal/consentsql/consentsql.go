// Package consentsql is the SQL of consent (tables consent_grants and
// consent_asks), written once for both stores: the column lists, how a
// consent.Grant and a consent.Ask become arguments and come back from a
// row, every query the consent.Store methods run, and the transactions
// that write (run.go) over a small interface each store implements on its
// driver. A grant's or ask's scope is kept as JSON text, the same text on
// both databases. See store/internal/sqlq for the pattern.
package consentsql

import (
	"fmt"
	"strings"
	"time"

	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/internal/sqlq"
)

// Sentinels are consent's errors, for sqlq.Map.
var Sentinels = sqlq.Sentinels{NotFound: consent.ErrNotFound, Conflict: consent.ErrConflict}

// Tables of consent.
const (
	GrantsTable = "consent_grants"
	AsksTable   = "consent_asks"
)

// GrantColumns are the columns of consent_grants in the order GrantValues
// writes and ScanGrant reads them; id and person_id come first and never
// change.
var GrantColumns = []string{"id", "person_id", "region", "grantee_kind", "grantee_id",
	"scope", "start_at", "end_at", "purpose",
	"given_by_kind", "given_by_id", "given_by_on_behalf_of", "created_at", "status",
	"revoked_at", "revoked_by_kind", "revoked_by_id", "revoked_by_on_behalf_of",
	"ended_at", "end_reason", "version"}

// AskColumns are the columns of consent_asks in the order AskValues writes
// and ScanAsk reads them.
var AskColumns = []string{"id", "person_id", "professional_id", "scope", "months", "reason",
	"created_at", "status", "decided_at", "grant_id"}

var (
	grantList = strings.Join(GrantColumns, ", ")
	askList   = strings.Join(AskColumns, ", ")
)

// newestFirst is the order of every listing: creation time descending, id
// ascending between equal times (ids compare in byte order on both).
const newestFirst = ` ORDER BY created_at DESC, id ASC`

// GrantValues is g's values in GrantColumns order, encoded for d. Times
// not set (End, RevokedAt, EndedAt) are NULL.
func GrantValues(d sqlq.Dialect, g consent.Grant) []any {
	return []any{g.ID, g.PersonID, g.Region, string(g.Grantee.Kind), g.Grantee.ID,
		EncodeScope(g.Scope), d.Time(g.Start), nullTime(d, g.End), g.Purpose,
		string(g.GivenBy.Kind), g.GivenBy.ID, g.GivenBy.OnBehalfOf, d.Time(g.CreatedAt), string(g.Status),
		nullTime(d, g.RevokedAt), string(g.RevokedBy.Kind), g.RevokedBy.ID, g.RevokedBy.OnBehalfOf,
		nullTime(d, g.EndedAt), g.EndReason, g.Version}
}

// ScanGrant reads a row of GrantColumns.
func ScanGrant(row sqlq.Scanner) (consent.Grant, error) {
	var g consent.Grant
	var granteeKind, scope, givenKind, status, revokedKind string
	var start, created sqlq.Time
	var end, revoked, ended NullTime
	err := row.Scan(&g.ID, &g.PersonID, &g.Region, &granteeKind, &g.Grantee.ID,
		&scope, &start, &end, &g.Purpose,
		&givenKind, &g.GivenBy.ID, &g.GivenBy.OnBehalfOf, &created, &status,
		&revoked, &revokedKind, &g.RevokedBy.ID, &g.RevokedBy.OnBehalfOf,
		&ended, &g.EndReason, &g.Version)
	if err != nil {
		return consent.Grant{}, err
	}
	if g.Scope, err = DecodeScope(scope); err != nil {
		return consent.Grant{}, fmt.Errorf("grant %s: %w", g.ID, err)
	}
	g.Grantee.Kind, g.Status = consent.GranteeKind(granteeKind), consent.Status(status)
	g.GivenBy.Kind, g.RevokedBy.Kind = record.ActorKind(givenKind), record.ActorKind(revokedKind)
	g.Start, g.End, g.CreatedAt = start.Time, end.Time, created.Time
	g.RevokedAt, g.EndedAt = revoked.Time, ended.Time
	return g, nil
}

// AskValues is a's values in AskColumns order, encoded for d. No decision
// time and no grant are NULL.
func AskValues(d sqlq.Dialect, a consent.Ask) []any {
	return []any{a.ID, a.PersonID, a.ProfessionalID, EncodeScope(a.Scope), a.Months, a.Reason,
		d.Time(a.CreatedAt), string(a.Status), nullTime(d, a.DecidedAt), sqlq.NullString(a.GrantID)}
}

// ScanAsk reads a row of AskColumns.
func ScanAsk(row sqlq.Scanner) (consent.Ask, error) {
	var a consent.Ask
	var scope, status string
	var created sqlq.Time
	var decided NullTime
	var grantID sqlq.NullText
	err := row.Scan(&a.ID, &a.PersonID, &a.ProfessionalID, &scope, &a.Months, &a.Reason,
		&created, &status, &decided, &grantID)
	if err != nil {
		return consent.Ask{}, err
	}
	if a.Scope, err = DecodeScope(scope); err != nil {
		return consent.Ask{}, fmt.Errorf("request for consent %s: %w", a.ID, err)
	}
	a.Status, a.GrantID = consent.AskStatus(status), string(grantID)
	a.CreatedAt, a.DecidedAt = created.Time, decided.Time
	return a, nil
}

// InsertGrant inserts g as version 1, whatever g.Version says: a new grant
// has no earlier version.
func InsertGrant(d sqlq.Dialect, g consent.Grant) (string, []any) {
	g.Version = 1
	return d.Rebind(`INSERT INTO consent_grants (` + grantList + `) VALUES (` +
		sqlq.Placeholders(len(GrantColumns)) + `)`), GrantValues(d, g)
}

// Grant selects a grant: argument its id.
func Grant(d sqlq.Dialect) string {
	return d.Rebind(`SELECT ` + grantList + ` FROM consent_grants WHERE id = ?`)
}

// GrantVersion selects a grant's version: argument its id.
func GrantVersion(d sqlq.Dialect) string {
	return d.Rebind(`SELECT version FROM consent_grants WHERE id = ?`)
}

// UpdateGrant writes g over the stored grant when its version is
// g.Version-1; no row is affected otherwise. Id and person never change.
func UpdateGrant(d sqlq.Dialect, g consent.Grant) (string, []any) {
	sets := make([]string, 0, len(GrantColumns))
	for _, c := range GrantColumns[2:] {
		sets = append(sets, c+" = ?")
	}
	args := append(GrantValues(d, g)[2:], g.ID, g.Version-1)
	return d.Rebind(`UPDATE consent_grants SET ` + strings.Join(sets, ", ") +
		` WHERE id = ? AND version = ?`), args
}

// Grants selects all of a person's grants, newest first.
func Grants(d sqlq.Dialect, personID string) (string, []any) {
	return d.Rebind(`SELECT ` + grantList + ` FROM consent_grants WHERE person_id = ?` + newestFirst),
		[]any{personID}
}

// inForce is the condition "active and now inside [start_at, end_at)";
// its arguments are now twice.
const inForce = `status = 'active' AND start_at <= ? AND (end_at IS NULL OR end_at > ?)`

// GrantsInForce selects a person's grants in force at now, newest first.
func GrantsInForce(d sqlq.Dialect, personID string, now time.Time) (string, []any) {
	return d.Rebind(`SELECT ` + grantList + ` FROM consent_grants
		WHERE person_id = ? AND ` + inForce + newestFirst),
		[]any{personID, d.Time(now), d.Time(now)}
}

// toActor matches grants to the professional or to the unit: arguments
// the professional's id twice, then the unit's twice. An empty id matches
// no grant: grantees always have one.
const toActor = `((grantee_kind = 'professional' AND grantee_id = ? AND ? <> '')
			OR (grantee_kind = 'unit' AND grantee_id = ? AND ? <> ''))`

// GrantsTo selects the grants in force at now to the professional or to
// the unit, newest first, of at most people persons: those whose newest
// such grant is the newest (ties by person id). A person's grants come
// all or not at all, so a bounded list still shows every consent of
// each person it names.
func GrantsTo(d sqlq.Dialect, professionalID, unitID string, now time.Time, people int) (string, []any) {
	match := []any{professionalID, professionalID, unitID, unitID, d.Time(now), d.Time(now)}
	return d.Rebind(`SELECT ` + grantList + ` FROM consent_grants
		WHERE ` + toActor + ` AND ` + inForce + ` AND person_id IN (
			SELECT person_id FROM consent_grants WHERE ` + toActor + ` AND ` + inForce + `
			GROUP BY person_id ORDER BY MAX(created_at) DESC, person_id LIMIT ?)` + newestFirst),
		append(append(match, match...), people)
}

// InsertAsk inserts a.
func InsertAsk(d sqlq.Dialect, a consent.Ask) (string, []any) {
	return d.Rebind(`INSERT INTO consent_asks (` + askList + `) VALUES (` +
		sqlq.Placeholders(len(AskColumns)) + `)`), AskValues(d, a)
}

// Ask selects a request for consent: argument its id.
func Ask(d sqlq.Dialect) string {
	return d.Rebind(`SELECT ` + askList + ` FROM consent_asks WHERE id = ?`)
}

// AsksOf selects a person's requests, newest first.
func AsksOf(d sqlq.Dialect, personID string) (string, []any) {
	return d.Rebind(`SELECT ` + askList + ` FROM consent_asks WHERE person_id = ?` + newestFirst),
		[]any{personID}
}

// AsksBy selects a professional's requests, newest first.
func AsksBy(d sqlq.Dialect, professionalID string) (string, []any) {
	return d.Rebind(`SELECT ` + askList + ` FROM consent_asks WHERE professional_id = ?` + newestFirst),
		[]any{professionalID}
}

// ApproveAsk marks the person's pending request askID approved into
// grantID at at; no row is affected when it is not pending or not the
// person's.
func ApproveAsk(d sqlq.Dialect, askID, personID, grantID string, at time.Time) (string, []any) {
	return d.Rebind(`UPDATE consent_asks SET status = 'approved', decided_at = ?, grant_id = ?
		WHERE id = ? AND person_id = ? AND status = 'pending'`),
		[]any{d.Time(at), grantID, askID, personID}
}

// DeclineAsk marks the pending request id declined at at; no row is
// affected when it is not pending.
func DeclineAsk(d sqlq.Dialect, id string, at time.Time) (string, []any) {
	return d.Rebind(`UPDATE consent_asks SET status = 'declined', decided_at = ?
		WHERE id = ? AND status = 'pending'`), []any{d.Time(at), id}
}

// AskState selects a request's status and person: argument its id.
func AskState(d sqlq.Dialect) string {
	return d.Rebind(`SELECT status, person_id FROM consent_asks WHERE id = ?`)
}
