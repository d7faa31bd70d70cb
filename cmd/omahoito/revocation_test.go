package main

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/record"
)

// TestRevocationHoldsFromTheNextRequest: within one session of the nurse,
// a read that a grant let through is refused on the very next request
// after the citizen revokes it on their page, after it expires, and
// before a grant that starts later is in force. No decision outlives its
// request (DESIGN §9).
func TestRevocationHoldsFromTheNextRequest(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		owner := browser(t)
		a.citizenLogin(t, owner, matrixHetuA, "kainuu")
		w := &matrixWorld{a: a, ownerJar: owner, owner: mustPatientSelf(t, owner, a).ID}
		w.seedReadings(t)
		nurse := browser(t)
		if res, _ := a.professionalLogin(t, nurse, "kainuu-nurse"); res.StatusCode != http.StatusOK {
			t.Fatalf("nurse login: %d", res.StatusCode)
		}

		grant := w.giveThroughPages(t)
		w.assertNurseReads(t, nurse, http.StatusOK, "under the grant just given")
		res, body := w.send(t, owner, http.MethodPost, "/consents/"+grant+"/revoke", "")
		if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/consents" {
			t.Fatalf("revoke on the page: %d at %s: %.300s", res.StatusCode, res.Request.URL, body)
		}
		w.assertNurseReads(t, nurse, http.StatusForbidden, "the next request after the revocation")

		// Expiry: the end is derived from the period, never stored as a
		// status, so nothing but the clock changes between the two reads.
		end := time.Now().Add(2 * time.Second)
		w.storeGrant(t, time.Now(), end)
		w.assertNurseReads(t, nurse, http.StatusOK, "before the grant's end")
		time.Sleep(time.Until(end) + 300*time.Millisecond)
		w.assertNurseReads(t, nurse, http.StatusForbidden, "the next request after the grant's end")

		start := time.Now().Add(2 * time.Second)
		w.storeGrant(t, start, start.AddDate(1, 0, 0))
		w.assertNurseReads(t, nurse, http.StatusForbidden, "before a grant that starts later is in force")
		time.Sleep(time.Until(start) + 300*time.Millisecond)
		w.assertNurseReads(t, nurse, http.StatusOK, "once the later grant has started")
	})
}

// assertNurseReads reads A's blood pressures as the nurse, on her page of
// A and through the API, and wants status from both.
func (w *matrixWorld) assertNurseReads(t *testing.T, nurse *http.Client, status int, when string) {
	t.Helper()
	for _, path := range []string{
		"/pro/patients/" + w.owner + "/measurements/" + string(record.BloodPressure),
		"/fhir/r4/Observation?patient=Patient/" + w.owner + "&code=85354-9",
		"/fhir/r4/Observation/" + w.bp,
	} {
		res, body := get(t, nurse, w.a.URL+path)
		if res.StatusCode != status {
			t.Errorf("%s: GET %s = %d, want %d\n%.400s", when, path, res.StatusCode, status, body)
		}
		if showsWeight(body) {
			t.Errorf("%s: GET %s shows A's weight, which no grant covers", when, path)
		}
	}
}

// storeGrant puts a grant of A's to kainuu-nurse over blood pressure for
// [start, end) straight into the store, and returns its id: the page
// gives grants from today for whole months, and the app has no clock a
// test can move.
func (w *matrixWorld) storeGrant(t *testing.T, start, end time.Time) string {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	g := consent.Grant{
		ID: auth.NewID(), PersonID: w.owner, Region: "kainuu",
		Grantee: consent.Grantee{Kind: consent.GranteeProfessional, ID: "pro-kainuu-nurse"},
		Scope:   consent.Scope{Classes: []consent.ClassScope{{Class: record.ClassMeasurements, Items: []string{string(record.BloodPressure)}}}},
		Start:   start.UTC().Truncate(time.Microsecond), End: end.UTC().Truncate(time.Microsecond), Purpose: consent.PurposeTreatment,
		GivenBy: record.Actor{Kind: record.ActorPerson, ID: w.owner}, CreatedAt: now, Status: consent.StatusActive, Version: 1,
	}
	if err := w.a.store.CreateGrant(context.Background(), g, ""); err != nil {
		t.Fatal(err)
	}
	return g.ID
}
