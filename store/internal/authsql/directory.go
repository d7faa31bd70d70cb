package authsql

import (
	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/store/internal/sqlq"
)

// Statement is one write with its arguments, and what it writes, for
// the error when the database refuses it.
type Statement struct {
	What  string // e.g. "professional pro-1"
	Query string
	Args  []any
}

// LockDirectory is the statement that makes a directory import wait for
// another, so that each plans against what the other wrote: on
// PostgreSQL a lock of the three tables that lets readers on; empty on
// SQLite, whose one writer connection already runs imports in turn.
func LockDirectory(d sqlq.Dialect) string {
	if d != sqlq.Postgres {
		return ""
	}
	return `LOCK TABLE regions, care_units, professionals IN SHARE ROW EXCLUSIVE MODE`
}

// AllCareUnits selects every care unit in byte order of id.
func AllCareUnits(d sqlq.Dialect) string {
	return d.Rebind(`SELECT ` + careUnitColumns + ` FROM care_units ORDER BY ` + d.ByteOrder("id"))
}

// AllProfessionals selects every professional, deactivated ones too, with
// the active flag last, in byte order of id.
func AllProfessionals(d sqlq.Dialect) string {
	return d.Rebind(`SELECT ` + professionalColumns + `, active FROM professionals ORDER BY ` + d.ByteOrder("id"))
}

// ScanProfessionalActive reads a row of AllProfessionals.
func ScanProfessionalActive(row sqlq.Scanner) (ProfessionalRow, error) {
	var p auth.Professional
	var terhikki sqlq.NullText
	var role string
	var active sqlq.Bool
	err := row.Scan(&p.ID, &p.Username, &terhikki, &p.GivenName, &p.FamilyName,
		&p.Title, &role, &p.CareUnitID, &p.RegionID, &active)
	p.Terhikki, p.Role = string(terhikki), auth.Role(role)
	return ProfessionalRow{Professional: p, Active: bool(active)}, err
}

// ProfessionalRow is a professional with their active flag.
type ProfessionalRow struct {
	auth.Professional
	Active bool
}

// State assembles what the three directory reads returned.
func State(regions []auth.Region, units []auth.CareUnit, rows []ProfessionalRow) auth.DirectoryState {
	st := auth.DirectoryState{Regions: regions, CareUnits: units, Inactive: map[string]bool{}}
	for _, r := range rows {
		st.Professionals = append(st.Professionals, r.Professional)
		if !r.Active {
			st.Inactive[r.ID] = true
		}
	}
	return st
}

// ApplyDirectory is the writes of ch, in an order the foreign keys accept:
// regions, care units, professionals (each put one made active), then the
// deactivations.
func ApplyDirectory(d sqlq.Dialect, ch auth.DirectoryChanges) []Statement {
	var out []Statement
	add := func(what, q string, args []any) { out = append(out, Statement{what, q, args}) }
	for _, r := range ch.Regions {
		q, args := PutRegion(d, r)
		add("region "+r.ID, q, args)
	}
	for _, u := range ch.CareUnits {
		q, args := PutCareUnit(d, u)
		add("care unit "+u.ID, q, args)
	}
	for _, p := range ch.Professionals {
		q, args := PutProfessional(d, p)
		add("professional "+p.ID, q, args)
	}
	for _, id := range ch.Deactivate {
		add("deactivate professional "+id, d.Rebind(`UPDATE professionals SET active = FALSE WHERE id = ?`), []any{id})
	}
	return out
}
