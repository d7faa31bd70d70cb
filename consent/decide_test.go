package consent_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/record"
)

// The world of the table: nurse pro-1 of unit-a in kainuu, patient anna of
// kainuu, asked at now.
var (
	now   = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	day   = 24 * time.Hour
	nurse = consent.Actor{Kind: auth.KindProfessional, ID: "pro-1", UnitID: "unit-a", RegionID: "kainuu"}

	bp      = record.BloodPressure
	glucose = record.Glucose
	heart   = record.HeartRate
)

// grant is an active grant to pro-1 of anna's measurements, from yesterday
// for 30 days, changed by mods.
func grant(id string, mods ...func(*consent.Grant)) consent.Grant {
	g := consent.Grant{ID: id, PersonID: "anna", Region: "kainuu", Grantee: consent.Grantee{Kind: consent.GranteeProfessional, ID: "pro-1"},
		Scope: consent.Scope{Classes: []consent.ClassScope{{Class: record.ClassMeasurements}}},
		Start: now.Add(-day), End: now.Add(30 * day), Purpose: consent.PurposeTreatment, Status: consent.StatusActive}
	for _, m := range mods {
		m(&g)
	}
	return g
}

func toUnit(id string) func(*consent.Grant) {
	return func(g *consent.Grant) { g.Grantee = consent.Grantee{Kind: consent.GranteeUnit, ID: id} }
}
func toPro(id string) func(*consent.Grant) {
	return func(g *consent.Grant) { g.Grantee = consent.Grantee{Kind: consent.GranteeProfessional, ID: id} }
}
func of(person string) func(*consent.Grant) { return func(g *consent.Grant) { g.PersonID = person } }
func givenIn(region string) func(*consent.Grant) {
	return func(g *consent.Grant) { g.Region = region }
}
func status(s consent.Status) func(*consent.Grant) { return func(g *consent.Grant) { g.Status = s } }
func period(start, end time.Time) func(*consent.Grant) {
	return func(g *consent.Grant) { g.Start, g.End = start, end }
}
func classes(cs ...consent.ClassScope) func(*consent.Grant) {
	return func(g *consent.Grant) { g.Scope.Classes = cs }
}
func window(from, to time.Time) func(*consent.Grant) {
	return func(g *consent.Grant) { g.Scope.Window = record.Window{From: from, To: to} }
}

func measurements(kinds ...record.Kind) consent.ClassScope {
	cs := consent.ClassScope{Class: record.ClassMeasurements}
	for _, k := range kinds {
		cs.Items = append(cs.Items, string(k))
	}
	return cs
}

func files(ids ...string) consent.ClassScope {
	return consent.ClassScope{Class: record.ClassFiles, Items: ids}
}

// request is pro-1 reading anna's measurements, changed by mods.
func request(mods ...func(*consent.Request)) consent.Request {
	r := consent.Request{Actor: nurse, PatientID: "anna", PatientRegion: "kainuu", Action: record.ActionRead, Class: record.ClassMeasurements}
	for _, m := range mods {
		m(&r)
	}
	return r
}

func class(c record.Class) func(*consent.Request) { return func(r *consent.Request) { r.Class = c } }
func kinds(ks ...record.Kind) func(*consent.Request) {
	return func(r *consent.Request) { r.Kinds = ks }
}
func file(id string) func(*consent.Request) {
	return func(r *consent.Request) { r.Class, r.FileID = record.ClassFiles, id }
}
func at(t time.Time) func(*consent.Request)         { return func(r *consent.Request) { r.DataTime = t } }
func action(a record.Action) func(*consent.Request) { return func(r *consent.Request) { r.Action = a } }
func actor(mod func(*consent.Actor)) func(*consent.Request) {
	return func(r *consent.Request) { mod(&r.Actor) }
}
func inUnit(unit string) func(*consent.Request) {
	return actor(func(a *consent.Actor) { a.UnitID = unit })
}
func patientIn(region string) func(*consent.Request) {
	return func(r *consent.Request) { r.PatientRegion = region }
}
func actorKind(k auth.Kind, id string) func(*consent.Request) {
	return actor(func(a *consent.Actor) { a.Kind, a.ID = k, id })
}

func deny(r consent.Reason) consent.Decision { return consent.Decision{Reason: r} }

func allow(ids []string, al ...record.Allowance) consent.Decision {
	return consent.Decision{Permit: true, Grants: ids, Scope: record.Scope{Allowances: al}}
}

func withFiles(d consent.Decision, v consent.FileView) consent.Decision { d.Files = v; return d }

func all(w ...time.Time) record.Allowance { return allowance(nil, w...) }

// allowance of kinds (or file ids), in the window from w[0] to w[1].
func allowance(ks []record.Kind, w ...time.Time) record.Allowance {
	a := record.Allowance{Kinds: ks}
	if len(w) == 2 {
		a.Window = record.Window{From: w[0], To: w[1]}
	}
	return a
}

func ks(k ...record.Kind) []record.Kind { return k }
func ids(s ...string) []string          { return s }

type decideCase struct {
	name   string
	grants []consent.Grant
	req    consent.Request
	want   consent.Decision
}

func TestDecide(t *testing.T) {
	groups := [][]decideCase{whoCases(), periodCases(), classCases(), kindAndFileCases(), windowAndUnionCases()}
	for _, cases := range groups {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got := consent.Decide(c.grants, c.req, now)
				if !reflect.DeepEqual(got, c.want) {
					t.Errorf("consent.Decide =\n%+v\nwant\n%+v", got, c.want)
				}
			})
		}
	}
}

func whoCases() []decideCase {
	return []decideCase{
		{"a grant naming the professional", []consent.Grant{grant("g1")}, request(), allow(ids("g1"), all())},
		{"a grant naming the professional's current unit", []consent.Grant{grant("g1", toUnit("unit-a"))}, request(), allow(ids("g1"), all())},
		{"a grant to the unit the professional left", []consent.Grant{grant("g1", toUnit("unit-old"))}, request(inUnit("unit-new")), deny(consent.ReasonNoGrant)},
		{"a professional who changed unit gains the new unit's grant, not the old one's",
			[]consent.Grant{grant("old", toUnit("unit-old")), grant("new", toUnit("unit-new"), classes(measurements(bp)))},
			request(inUnit("unit-new")), allow(ids("new"), allowance(ks(bp)))},
		{"a grant naming the professional stays after a change of unit", []consent.Grant{grant("g1")}, request(inUnit("unit-new")), allow(ids("g1"), all())},
		{"a grant to another professional", []consent.Grant{grant("g1", toPro("pro-2"))}, request(), deny(consent.ReasonNoGrant)},
		{"a grant to another unit", []consent.Grant{grant("g1", toUnit("unit-b"))}, request(), deny(consent.ReasonNoGrant)},
		{"no grants at all", nil, request(), deny(consent.ReasonNoGrant)},
		{"a unit grant with no id does not match a professional with no unit", []consent.Grant{grant("g1", toUnit(""))}, request(inUnit("")), deny(consent.ReasonNoGrant)},
		{"a grantee of unknown kind", []consent.Grant{grant("g1", func(g *consent.Grant) { g.Grantee.Kind = "team" })}, request(), deny(consent.ReasonNoGrant)},
		{"another patient's grant", []consent.Grant{grant("g1", of("bertta"))}, request(), deny(consent.ReasonNoGrant)},
		{"a request about no one", []consent.Grant{grant("g1", of(""))}, request(func(r *consent.Request) { r.PatientID = "" }), deny(consent.ReasonNoGrant)},
		{"a grant given in the patient's former region", []consent.Grant{grant("g1", givenIn("oulu"))}, request(), deny(consent.ReasonNoGrant)},
		{"a professional of another region, named by a grant of that region",
			[]consent.Grant{grant("g1", givenIn("oulu"))}, request(actor(func(a *consent.Actor) { a.RegionID = "oulu" })), deny(consent.ReasonOtherRegion)},
		{"a professional of another region, named by a grant of the patient's region",
			[]consent.Grant{grant("g1")}, request(actor(func(a *consent.Actor) { a.RegionID = "oulu" })), deny(consent.ReasonOtherRegion)},
		{"a patient who moved away, the grant of the old region still active",
			[]consent.Grant{grant("g1")}, request(patientIn("oulu")), deny(consent.ReasonOtherRegion)},
		{"no region on either side", []consent.Grant{grant("g1", givenIn(""))},
			request(patientIn(""), actor(func(a *consent.Actor) { a.RegionID = "" })), deny(consent.ReasonOtherRegion)},
		{"a citizen on another's record, even named as a professional",
			[]consent.Grant{grant("g1", toPro("bertta"))}, request(actorKind(auth.KindCitizen, "bertta")), deny(consent.ReasonNotProfession)},
		{"a citizen on their own record is not decided here", []consent.Grant{grant("g1", toPro("anna"))},
			request(actorKind(auth.KindCitizen, "anna")), deny(consent.ReasonNotProfession)},
		{"an operator, even named by a grant", []consent.Grant{grant("g1")}, request(actorKind(auth.KindOperator, "pro-1")), deny(consent.ReasonNotProfession)},
		{"an operator asking for the patient", []consent.Grant{grant("g1")},
			request(actorKind(auth.KindOperator, "pro-1"), class(record.ClassPatient)), deny(consent.ReasonNotProfession)},
		{"no one", []consent.Grant{grant("g1")}, request(actorKind("", "pro-1")), deny(consent.ReasonNotProfession)},
		{"a professional without an id", []consent.Grant{grant("g1", toPro(""))}, request(actorKind(auth.KindProfessional, "")), deny(consent.ReasonNotProfession)},
	}
}

func periodCases() []decideCase {
	return []decideCase{
		{"the first instant of the period", []consent.Grant{grant("g1", period(now, now.Add(day)))}, request(), allow(ids("g1"), all())},
		{"the last instant before the end", []consent.Grant{grant("g1", period(now.Add(-day), now.Add(time.Nanosecond)))}, request(), allow(ids("g1"), all())},
		{"the end itself", []consent.Grant{grant("g1", period(now.Add(-day), now))}, request(), deny(consent.ReasonExpired)},
		{"until revoked", []consent.Grant{grant("g1", period(now.Add(-365*day), time.Time{}))}, request(), allow(ids("g1"), all())},
		{"not started", []consent.Grant{grant("g1", period(now.Add(time.Nanosecond), time.Time{}))}, request(), deny(consent.ReasonNotStarted)},
		{"revoked", []consent.Grant{grant("g1", status(consent.StatusRevoked))}, request(), deny(consent.ReasonRevoked)},
		{"ended (the patient moved)", []consent.Grant{grant("g1", status(consent.StatusEnded))}, request(), deny(consent.ReasonEnded)},
		{"a status not known counts as ended", []consent.Grant{grant("g1", status("paused"))}, request(), deny(consent.ReasonEnded)},
		{"revoked before it started", []consent.Grant{grant("g1", status(consent.StatusRevoked), period(now.Add(day), time.Time{}))}, request(), deny(consent.ReasonRevoked)},
		{"revoked outranks expired", []consent.Grant{grant("g1", period(now.Add(-2*day), now.Add(-day))), grant("g2", status(consent.StatusRevoked))}, request(), deny(consent.ReasonRevoked)},
		{"revoked outranks expired whatever the order", []consent.Grant{grant("g2", status(consent.StatusRevoked)), grant("g1", period(now.Add(-2*day), now.Add(-day)))}, request(), deny(consent.ReasonRevoked)},
		{"ended outranks not started", []consent.Grant{grant("g1", period(now.Add(day), time.Time{})), grant("g2", status(consent.StatusEnded))}, request(), deny(consent.ReasonEnded)},
		{"not started outranks expired", []consent.Grant{grant("g1", period(now.Add(-2*day), now.Add(-day))), grant("g2", period(now.Add(day), time.Time{}))}, request(), deny(consent.ReasonNotStarted)},
		{"a revoked grant that would have covered it outranks one in force for other data",
			[]consent.Grant{grant("files", classes(files())), grant("g1", status(consent.StatusRevoked))}, request(), deny(consent.ReasonRevoked)},
		{"an expired grant that would have covered it outranks a revoked one that would not",
			[]consent.Grant{grant("g1", classes(files()), status(consent.StatusRevoked)), grant("g2", period(now.Add(-2*day), now.Add(-day)))}, request(), deny(consent.ReasonExpired)},
		{"grants in force for other data outrank a revoked one that would not have covered it either",
			[]consent.Grant{grant("files", classes(files())), grant("g1", classes(files()), status(consent.StatusRevoked))}, request(), deny(consent.ReasonOutsideScope)},
		{"only a revoked grant for other data", []consent.Grant{grant("g1", classes(files()), status(consent.StatusRevoked))}, request(), deny(consent.ReasonRevoked)},
		{"a grant in force beside revoked, ended and expired ones",
			[]consent.Grant{grant("r", status(consent.StatusRevoked)), grant("e", status(consent.StatusEnded)), grant("g1"), grant("x", period(now.Add(-2*day), now))},
			request(), allow(ids("g1"), all())},
		{"a revoked unit grant beside another unit's grant in force", []consent.Grant{grant("g1", toUnit("unit-a"), status(consent.StatusRevoked)), grant("g2", toUnit("unit-b"))},
			request(), deny(consent.ReasonRevoked)},
	}
}

func classCases() []decideCase {
	return []decideCase{
		{"the patient, through a grant of chosen kinds only", []consent.Grant{grant("g1", classes(measurements(bp)))},
			request(class(record.ClassPatient)), consent.Decision{Permit: true, Grants: ids("g1")}},
		{"the patient, through a grant of files only whose data window is past", []consent.Grant{grant("g1", classes(files("f1")), window(now.Add(-9*day), now.Add(-8*day)))},
			request(class(record.ClassPatient), at(now)), consent.Decision{Permit: true, Grants: ids("g1")}},
		{"the patient, every grant in force naming them listed", []consent.Grant{grant("g1"), grant("g2", toUnit("unit-a"), classes(files())), grant("g3", status(consent.StatusRevoked))},
			request(class(record.ClassPatient), action(record.ActionSearch)), consent.Decision{Permit: true, Grants: ids("g1", "g2")}},
		{"the patient, through a revoked grant", []consent.Grant{grant("g1", status(consent.StatusRevoked))}, request(class(record.ClassPatient)), deny(consent.ReasonRevoked)},
		{"the patient, with no grant", []consent.Grant{grant("g1", toPro("pro-2"))}, request(class(record.ClassPatient)), deny(consent.ReasonNoGrant)},
		{"the grants naming the professional", []consent.Grant{grant("g1", classes(files("f1")))},
			request(class(record.ClassConsents)), consent.Decision{Permit: true, Grants: ids("g1")}},
		{"the whole record: measurements of two grants and files of a third add up", []consent.Grant{
			grant("g1", classes(measurements(bp))), grant("g2", toUnit("unit-a"), window(now.Add(-9*day), now)), grant("g3", classes(files("f1"))),
		}, request(class(record.ClassEverything), action(record.ActionSearch)), consent.Decision{Permit: true, Grants: ids("g1", "g2", "g3"),
			Scope: record.Scope{Allowances: []record.Allowance{{Kinds: []record.Kind{bp}}, {Window: record.Window{From: now.Add(-9 * day), To: now}}}},
			Files: consent.FileView{IDs: []string{"f1"}}}},
		{"the whole record with no grant in force", []consent.Grant{grant("g1", status(consent.StatusRevoked))},
			request(class(record.ClassEverything), action(record.ActionSearch)), deny(consent.ReasonRevoked)},
		{"the access log, even with a grant of everything", []consent.Grant{grant("g1", classes(measurements(), files()))},
			request(class(record.ClassAccessLog)), deny(consent.ReasonOutsideScope)},
		{"the access log named as a grant's class", []consent.Grant{grant("g1", classes(consent.ClassScope{Class: record.ClassAccessLog}))},
			request(class(record.ClassAccessLog)), deny(consent.ReasonOutsideScope)},
		{"the access log without a grant", nil, request(class(record.ClassAccessLog)), deny(consent.ReasonNoGrant)},
		{"no class", []consent.Grant{grant("g1")}, request(class("")), deny(consent.ReasonOutsideScope)},
		{"a class a grant names with no items", []consent.Grant{grant("g1", classes(consent.ClassScope{Class: "notes"}))},
			request(class("notes")), allow(ids("g1"), all())},
		{"a class whose items cannot be checked", []consent.Grant{grant("g1", classes(consent.ClassScope{Class: "notes", Items: []string{"n1"}}))},
			request(class("notes")), deny(consent.ReasonOutsideScope)},
		{"measurements through a grant of files", []consent.Grant{grant("g1", classes(files()))}, request(), deny(consent.ReasonOutsideScope)},
		{"files through a grant of measurements", []consent.Grant{grant("g1")}, request(class(record.ClassFiles)), deny(consent.ReasonOutsideScope)},
		{"a write through a grant of everything", []consent.Grant{grant("g1", classes(measurements(), files()))}, request(action(record.ActionWrite)), deny(consent.ReasonOutsideScope)},
		{"a search", []consent.Grant{grant("g1")}, request(action(record.ActionSearch)), allow(ids("g1"), all())},
		{"a history", []consent.Grant{grant("g1")}, request(action(record.ActionHistory)), allow(ids("g1"), all())},
	}
}

func kindAndFileCases() []decideCase {
	return []decideCase{
		{"every kind, none asked", []consent.Grant{grant("g1")}, request(), allow(ids("g1"), all())},
		{"every kind, two asked", []consent.Grant{grant("g1")}, request(kinds(bp, glucose)), allow(ids("g1"), allowance(ks(bp, glucose)))},
		{"every kind, one asked twice", []consent.Grant{grant("g1")}, request(kinds(bp, bp)), allow(ids("g1"), allowance(ks(bp)))},
		{"chosen kinds, none asked", []consent.Grant{grant("g1", classes(measurements(bp, heart)))}, request(), allow(ids("g1"), allowance(ks(bp, heart)))},
		{"chosen kinds, some asked", []consent.Grant{grant("g1", classes(measurements(bp, heart)))}, request(kinds(glucose, bp)), allow(ids("g1"), allowance(ks(bp)))},
		{"chosen kinds, others asked", []consent.Grant{grant("g1", classes(measurements(bp)))}, request(kinds(glucose, heart)), deny(consent.ReasonOutsideScope)},
		{"chosen kinds from two grants", []consent.Grant{grant("g1", classes(measurements(bp))), grant("g2", classes(measurements(glucose)))},
			request(), allow(ids("g1", "g2"), allowance(ks(bp)), allowance(ks(glucose)))},
		{"two grants, only one covering the kind asked", []consent.Grant{grant("g1", classes(measurements(bp))), grant("g2", classes(measurements(glucose)))},
			request(kinds(glucose)), allow(ids("g2"), allowance(ks(glucose)))},
		{"a grant of every kind and one of a kind add up to every kind asked", []consent.Grant{grant("g1", classes(measurements(bp))), grant("g2")},
			request(kinds(bp, heart)), allow(ids("g1", "g2"), allowance(ks(bp)), allowance(ks(bp, heart)))},
		{"every file", []consent.Grant{grant("g1", classes(files()))}, request(class(record.ClassFiles)),
			withFiles(allow(ids("g1"), all()), consent.FileView{All: true})},
		{"every file, one read", []consent.Grant{grant("g1", classes(files()))}, request(file("f9")),
			withFiles(allow(ids("g1"), all()), consent.FileView{All: true})},
		{"chosen files, listed", []consent.Grant{grant("g1", classes(files("f1", "f2")))}, request(class(record.ClassFiles)),
			withFiles(allow(ids("g1"), allowance(ks("f1", "f2"))), consent.FileView{IDs: ids("f1", "f2")})},
		{"chosen files, one of them read", []consent.Grant{grant("g1", classes(files("f1", "f2")))}, request(file("f2")),
			withFiles(allow(ids("g1"), allowance(ks("f1", "f2"))), consent.FileView{IDs: ids("f1", "f2")})},
		{"chosen files, another read", []consent.Grant{grant("g1", classes(files("f1", "f2")))}, request(file("f3")), deny(consent.ReasonOutsideScope)},
		{"chosen files of two grants add up", []consent.Grant{grant("g1", classes(files("f1"))), grant("g2", classes(files("f2", "f1")))}, request(class(record.ClassFiles)),
			withFiles(allow(ids("g1", "g2"), allowance(ks("f1")), allowance(ks("f2", "f1"))), consent.FileView{IDs: ids("f1", "f2")})},
		{"chosen files and every file add up to every file", []consent.Grant{grant("g1", classes(files("f1"))), grant("g2", classes(files()))}, request(class(record.ClassFiles)),
			withFiles(allow(ids("g1", "g2"), allowance(ks("f1")), all()), consent.FileView{All: true})},
		{"a file read through the one grant naming it", []consent.Grant{grant("g1", classes(files("f1"))), grant("g2", classes(files("f2")))}, request(file("f2")),
			withFiles(allow(ids("g2"), allowance(ks("f2"))), consent.FileView{IDs: ids("f2")})},
		{"measurements and files in one grant, files asked", []consent.Grant{grant("g1", classes(measurements(bp), files("f1")))}, request(class(record.ClassFiles)),
			withFiles(allow(ids("g1"), allowance(ks("f1"))), consent.FileView{IDs: ids("f1")})},
		{"measurements and files in one grant, measurements asked", []consent.Grant{grant("g1", classes(files("f1"), measurements(bp)))}, request(),
			allow(ids("g1"), allowance(ks(bp)))},
	}
}

func windowAndUnionCases() []decideCase {
	from, to := now.Add(-10*day), now.Add(-5*day)
	later := now.Add(-3 * day)
	return []decideCase{
		{"data at the window's start", []consent.Grant{grant("g1", window(from, to))}, request(at(from)), allow(ids("g1"), all(from, to))},
		{"data just before the window's end", []consent.Grant{grant("g1", window(from, to))}, request(at(to.Add(-time.Nanosecond))), allow(ids("g1"), all(from, to))},
		{"data at the window's end", []consent.Grant{grant("g1", window(from, to))}, request(at(to)), deny(consent.ReasonOutsideScope)},
		{"data before the window", []consent.Grant{grant("g1", window(from, to))}, request(at(from.Add(-time.Nanosecond))), deny(consent.ReasonOutsideScope)},
		{"data of unknown time, the window narrows the scope", []consent.Grant{grant("g1", window(from, to))}, request(), allow(ids("g1"), all(from, to))},
		{"a window open at its end", []consent.Grant{grant("g1", window(from, time.Time{}))}, request(at(now.Add(day))), allow(ids("g1"), all(from, time.Time{}))},
		{"a window open at its start", []consent.Grant{grant("g1", window(time.Time{}, to))}, request(at(time.Unix(0, 0))), allow(ids("g1"), all(time.Time{}, to))},
		{"a file outside the window", []consent.Grant{grant("g1", classes(files("f1")), window(from, to))}, request(file("f1"), at(now)), deny(consent.ReasonOutsideScope)},
		{"windows of two grants add up", []consent.Grant{grant("g1", window(from, to)), grant("g2", window(later, time.Time{}))},
			request(), allow(ids("g1", "g2"), all(from, to), all(later, time.Time{}))},
		{"data in one of two windows", []consent.Grant{grant("g1", window(from, to)), grant("g2", window(later, time.Time{}))},
			request(at(now)), allow(ids("g2"), all(later, time.Time{}))},
		{"data in neither window", []consent.Grant{grant("g1", window(from, to)), grant("g2", window(later, time.Time{}))},
			request(at(to)), deny(consent.ReasonOutsideScope)},
		{"the same scope through the professional and the unit: both listed, one allowance",
			[]consent.Grant{grant("g1"), grant("g2", toUnit("unit-a"))}, request(), allow(ids("g1", "g2"), all())},
		{"the same window given twice in other time zones is one allowance",
			[]consent.Grant{grant("g1", window(from, to)), grant("g2", window(from.In(time.FixedZone("EET", 7200)), to))}, request(), allow(ids("g1", "g2"), all(from, to))},
		{"kinds and windows add up, in the order given",
			[]consent.Grant{
				grant("other-pro", toPro("pro-2")),
				grant("g1", classes(measurements(bp)), window(from, to)),
				grant("revoked", status(consent.StatusRevoked)),
				grant("other-patient", of("bertta")),
				grant("g2", toUnit("unit-a"), classes(measurements(glucose, bp))),
				grant("files", classes(files())),
				grant("expired", period(now.Add(-9*day), now.Add(-day))),
			},
			request(kinds(bp)), allow(ids("g1", "g2"), allowance(ks(bp), from, to), allowance(ks(bp)))},
	}
}
