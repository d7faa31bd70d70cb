package transfer

import (
	"bytes"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/record"
)

func measurement(id string, version int) record.Measurement {
	at := time.Date(2026, 3, 14, 8, 0, 0, 123456000, time.UTC)
	return record.Measurement{
		ID: id, PersonID: "p1", Kind: record.BloodPressure, Value: 128, Diastolic: 84, At: at, Note: "aamulla",
		EnteredBy: record.Actor{Kind: record.ActorPerson, ID: "p1"}, Source: record.Source{Kind: "manual"},
		Identifier: "urn:x|1", Version: version, Updated: at.Add(time.Minute),
	}
}

// The tally is the same whatever order the versions come in and whatever
// time zone a store returns times in; any field changed changes it.
func TestMeasurementsTally(t *testing.T) {
	a := []record.Measurement{measurement("m1", 1), measurement("m1", 2), measurement("m2", 1)}
	base := MeasurementsTally(a)
	if base.Count != 3 {
		t.Fatalf("count %d", base.Count)
	}
	helsinki := time.FixedZone("EET", 2*3600)
	shuffled := []record.Measurement{a[2], a[0], a[1]}
	shuffled[0].At = shuffled[0].At.In(helsinki)
	if got := MeasurementsTally(shuffled); !bytes.Equal(got.Digest, base.Digest) {
		t.Error("order or a time zone changed the digest")
	}
	assertEveryFieldCounts(t, measurement("m1", 1), func(m record.Measurement) []byte {
		return MeasurementsTally([]record.Measurement{m}).Digest
	})
}

// The files' tally ignores where the content is and under which key, and
// nothing else.
func TestFilesTally(t *testing.T) {
	at := time.Date(2026, 3, 14, 8, 0, 0, 0, time.UTC)
	f := record.File{ID: "f1", PersonID: "p1", Version: 1, Name: "a.pdf", Title: "Lähete", Description: "x",
		Type: record.MediaPDF, Size: 10, SHA256: []byte{1, 2, 3}, CreatedAt: at, UpdatedAt: at,
		EnteredBy: record.Actor{Kind: record.ActorPerson, ID: "p1"}}
	moved := f
	moved.ContentKey, moved.DataKey, moved.MasterKeyID = "files/other", []byte{9}, "k2"
	if !bytes.Equal(FilesTally([]record.File{f}).Digest, FilesTally([]record.File{moved}).Digest) {
		t.Error("the content's place or key changed the digest")
	}
	f.ContentKey, f.DataKey, f.MasterKeyID = "", nil, ""
	assertEveryFieldCounts(t, f, func(x record.File) []byte {
		x.ContentKey, x.DataKey, x.MasterKeyID = "", nil, ""
		return FilesTally([]record.File{x}).Digest
	}, "ContentKey", "DataKey", "MasterKeyID")
}

// assertEveryFieldCounts changes each field of v (and of its struct
// fields) in turn and expects the digest to change, except for skip.
func assertEveryFieldCounts[T any](t *testing.T, v T, digest func(T) []byte, skip ...string) {
	t.Helper()
	base := digest(v)
	var walk func(prefix string, rv reflect.Value)
	walk = func(prefix string, rv reflect.Value) {
		for i := range rv.NumField() {
			name := prefix + rv.Type().Field(i).Name
			if slices.Contains(skip, name) {
				continue
			}
			f := rv.Field(i)
			if f.Kind() == reflect.Struct && f.Type() != reflect.TypeOf(time.Time{}) {
				walk(name+".", f)
				continue
			}
			old := reflect.ValueOf(f.Interface())
			change(t, name, f)
			if bytes.Equal(digest(v), base) {
				t.Errorf("changing %s does not change the digest", name)
			}
			f.Set(old)
		}
	}
	walk("", reflect.ValueOf(&v).Elem())
}

func change(t *testing.T, name string, f reflect.Value) {
	switch f.Kind() {
	case reflect.String:
		f.SetString(f.String() + "x")
	case reflect.Int, reflect.Int64:
		f.SetInt(f.Int() + 1)
	case reflect.Float64:
		f.SetFloat(f.Float() + 0.5)
	case reflect.Bool:
		f.SetBool(!f.Bool())
	case reflect.Slice:
		f.Set(reflect.Append(reflect.ValueOf(f.Interface()), reflect.Zero(f.Type().Elem())))
	case reflect.Struct: // time.Time
		f.Set(reflect.ValueOf(f.Interface().(time.Time).Add(time.Microsecond)))
	default:
		t.Fatalf("no way to change %s (%s)", name, f.Kind())
	}
}

// A grant's tally holds it as given and revoked, not how it ended.
func TestConsentsTally(t *testing.T) {
	at := time.Date(2026, 3, 14, 8, 0, 0, 0, time.UTC)
	g := consent.Grant{ID: "g1", PersonID: "p1", Region: "kainuu",
		Grantee: consent.Grantee{Kind: consent.GranteeUnit, ID: "unit-1"},
		Scope: consent.Scope{Classes: []consent.ClassScope{{Class: record.ClassMeasurements, Items: []string{"85354-9"}}},
			Window: record.Window{From: at.AddDate(-1, 0, 0), To: at}},
		Start: at, End: at.AddDate(1, 0, 0), Purpose: "treatment", GivenBy: record.Actor{Kind: record.ActorPerson, ID: "p1"},
		CreatedAt: at, Status: consent.StatusActive, Version: 1}
	ended := g
	ended.Status, ended.EndedAt, ended.EndReason, ended.Version = consent.StatusEnded, at.Add(time.Hour), "moved", 2
	if !bytes.Equal(ConsentsTally([]consent.Grant{g}).Digest, ConsentsTally([]consent.Grant{ended}).Digest) {
		t.Error("ending the grant as moved changed the digest")
	}
	assertEveryFieldCounts(t, g, func(x consent.Grant) []byte { return ConsentsTally([]consent.Grant{x}).Digest },
		"Status", "EndedAt", "EndReason", "Version")
}
