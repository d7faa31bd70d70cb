package consent_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/record"
)

var moveBegan = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func (w world) beginMove(t *testing.T, person string) {
	t.Helper()
	if err := w.store.BeginMove(context.Background(), person, "oulu", moveBegan); err != nil {
		t.Fatal(err)
	}
}

func (w world) endMove(t *testing.T, person string) {
	t.Helper()
	if err := w.store.EndMove(context.Background(), person); err != nil {
		t.Fatal(err)
	}
}

// While anna's data is being moved the gate refuses every write to it,
// hers too, with ErrMoving (not a denial: the same write is allowed after
// the move), and logs nothing for her; her reads go on; others are
// decided as before; ben, who is not moving, writes as before.
func TestGateRefusesWritesWhileMoving(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.beginMove(t, "anna")
	const (
		permit = iota
		moving
		denied
	)
	for _, tc := range []struct {
		name   string
		who    auth.Principal
		person string
		action record.Action
		class  record.Class
		want   int
	}{
		{"owner reads", annaSelf, "anna", record.ActionRead, record.ClassMeasurements, permit},
		{"owner searches", annaSelf, "anna", record.ActionSearch, record.ClassMeasurements, permit},
		{"owner reads history", annaSelf, "anna", record.ActionHistory, record.ClassMeasurements, permit},
		{"owner reads patient", annaSelf, "anna", record.ActionRead, record.ClassPatient, permit},
		{"owner lists files", annaSelf, "anna", record.ActionSearch, record.ClassFiles, permit},
		{"owner writes measurements", annaSelf, "anna", record.ActionWrite, record.ClassMeasurements, moving},
		{"owner writes files", annaSelf, "anna", record.ActionWrite, record.ClassFiles, moving},
		{"owner writes consents", annaSelf, "anna", record.ActionWrite, record.ClassConsents, moving},
		{"another citizen writes", benSelf, "anna", record.ActionWrite, record.ClassMeasurements, denied},
		{"a professional writes", nurseSelf, "anna", record.ActionWrite, record.ClassMeasurements, denied},
		{"a professional without consent reads", nurseSelf, "anna", record.ActionRead, record.ClassMeasurements, denied},
		{"someone not moving writes", benSelf, "ben", record.ActionWrite, record.ClassMeasurements, permit},
	} {
		req := record.Request{Who: tc.who, PersonID: tc.person, Action: tc.action, Class: tc.class}
		d, err := w.svc.Decide(ctx, req)
		switch tc.want {
		case permit:
			if err != nil || !d.Scope.All {
				t.Errorf("%s: %v (scope %+v), want everything permitted", tc.name, err, d.Scope)
			}
		case moving:
			if !errors.Is(err, record.ErrMoving) || errors.Is(err, record.ErrDenied) {
				t.Errorf("%s: %v, want ErrMoving and not a denial", tc.name, err)
			}
		case denied:
			if !errors.Is(err, record.ErrDenied) || errors.Is(err, record.ErrMoving) {
				t.Errorf("%s: %v, want ErrDenied, which does not tell of the move", tc.name, err)
			}
		}
	}
	// Only the others' three refusals are logged, none of anna's own.
	if es := w.entries(t, "anna"); len(es) != 3 {
		t.Errorf("anna's log holds %d entries, want the 3 denials of others: %+v", len(es), es)
	}

	w.endMove(t, "anna")
	d, err := w.svc.Decide(ctx, record.Request{Who: annaSelf, PersonID: "anna", Action: record.ActionWrite, Class: record.ClassMeasurements})
	if err != nil || !d.Scope.All {
		t.Errorf("owner writes after the move: %v, want permitted", err)
	}
}

// Giving, approving and declining consent are writes: refused while the
// data is being moved, nothing changed; done after the move. Revoking is
// not held up: withdrawing consent is possible at any time.
func TestConsentWritesWaitForTheMove(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	give := consent.Give{
		Grantee: consent.Grantee{Kind: consent.GranteeProfessional, ID: "pro-kainuu-nurse"},
		Scope:   consent.Scope{Classes: []consent.ClassScope{{Class: record.ClassMeasurements}}},
	}
	before, err := w.svc.GiveConsent(ctx, annaSelf, "anna", give)
	if err != nil {
		t.Fatal(err)
	}
	doctor := auth.Principal{Kind: auth.KindProfessional, ProfessionalID: "pro-kainuu-doctor", CareUnitID: "unit-kainuu-kajaani", RegionID: "kainuu"}
	ask := consent.AskFor{Scope: give.Scope, Months: 1, Reason: "follow-up"}
	for _, who := range []auth.Principal{nurseSelf, doctor} {
		if err := w.svc.AskConsent(ctx, who, "anna", ask); err != nil {
			t.Fatal(err)
		}
	}
	asks, err := w.svc.Asks(ctx, annaSelf)
	if err != nil || len(asks) != 2 {
		t.Fatalf("asks: %v %d", err, len(asks))
	}
	w.beginMove(t, "anna")

	if _, err := w.svc.GiveConsent(ctx, annaSelf, "anna", give); !errors.Is(err, record.ErrMoving) {
		t.Errorf("give while moving: %v, want ErrMoving", err)
	}
	if _, err := w.svc.ApproveAsk(ctx, annaSelf, asks[0].ID); !errors.Is(err, record.ErrMoving) {
		t.Errorf("approve while moving: %v, want ErrMoving", err)
	}
	if err := w.svc.DeclineAsk(ctx, annaSelf, asks[1].ID); !errors.Is(err, record.ErrMoving) {
		t.Errorf("decline while moving: %v, want ErrMoving", err)
	}
	grants, err := w.svc.Consents(ctx, annaSelf, "anna")
	if err != nil || len(grants) != 1 || grants[0].Status != consent.StatusActive {
		t.Fatalf("consents while moving (reads go on): %v %+v, want the one grant still active", err, grants)
	}
	if revoked, err := w.svc.Revoke(ctx, annaSelf, before.ID); err != nil || revoked.Status != consent.StatusRevoked {
		t.Errorf("revoke while moving: %v, %s; withdrawing consent is never held up", err, revoked.Status)
	}
	if pending, err := w.svc.Asks(ctx, annaSelf); err != nil || len(pending) != 2 {
		t.Fatalf("asks while moving: %v, %d pending, want both still pending", err, len(pending))
	}
	w.endMove(t, "anna")
	if _, err := w.svc.ApproveAsk(ctx, annaSelf, asks[0].ID); err != nil {
		t.Errorf("approve after the move: %v", err)
	}
	if err := w.svc.DeclineAsk(ctx, annaSelf, asks[1].ID); err != nil {
		t.Errorf("decline after the move: %v", err)
	}
	if _, err := w.svc.GiveConsent(ctx, annaSelf, "anna", give); err != nil {
		t.Errorf("give after the move: %v", err)
	}
}

// A professional's request for consent to a person whose data is being
// moved is not stored (nothing is written behind the move's copy); the
// answer is that of a request sent, and the attempt is logged as denied.
func TestAskWhileMovingIsNotStored(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.beginMove(t, "anna")
	ask := consent.AskFor{Scope: consent.Scope{Classes: []consent.ClassScope{{Class: record.ClassMeasurements}}}, Months: 1, Reason: "follow-up"}
	if err := w.svc.AskConsent(ctx, nurseSelf, "anna", ask); err != nil {
		t.Fatalf("ask while moving: %v, want the answer of a request sent", err)
	}
	if asks, err := w.svc.Asks(ctx, annaSelf); err != nil || len(asks) != 0 {
		t.Fatalf("asks: %v, %d stored, want none", err, len(asks))
	}
	if es := w.entries(t, "anna"); len(es) != 1 || es[0].Outcome != audit.Deny {
		t.Fatalf("anna's log: %+v, want one denied request", es)
	}
	w.endMove(t, "anna")
	if err := w.svc.AskConsent(ctx, nurseSelf, "anna", ask); err != nil {
		t.Fatal(err)
	}
	if asks, err := w.svc.Asks(ctx, annaSelf); err != nil || len(asks) != 1 {
		t.Fatalf("asks after the move: %v, %d stored, want one", err, len(asks))
	}
}
