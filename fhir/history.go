package fhir

import (
	"encoding/json"
	"fmt"
	"slices"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/omahoito/omahoito/record"
)

// History lists the versions of one measurement, newest first, as a
// history Bundle. Each entry has the request that made the version (POST
// for the first, PUT for corrections, DELETE for the deletion) and its
// response; deleted versions have no resource.
func History(base string, versions []record.Measurement) fm.Bundle {
	vs := slices.Clone(versions)
	slices.SortStableFunc(vs, func(a, b record.Measurement) int { return b.Version - a.Version })
	b := fm.Bundle{
		Type:  fm.BundleTypeHistory,
		Total: ptr(len(vs)),
		Entry: make([]fm.BundleEntry, len(vs)),
	}
	if len(vs) > 0 {
		b.Link = []fm.BundleLink{{Relation: "self", Url: base + "/Observation/" + vs[0].ID + "/_history"}}
	}
	for i, m := range vs {
		b.Entry[i] = historyEntry(base, m)
	}
	return b
}

func historyEntry(base string, m record.Measurement) fm.BundleEntry {
	e := fm.BundleEntry{FullUrl: ptr(base + "/Observation/" + m.ID)}
	switch {
	case m.Deleted:
		e.Request = &fm.BundleEntryRequest{Method: fm.HTTPVerbDELETE, Url: "Observation/" + m.ID}
		e.Response = versionResponse("204 No Content", m)
		return e
	case m.Version <= 1:
		e.Request = &fm.BundleEntryRequest{Method: fm.HTTPVerbPOST, Url: "Observation"}
		e.Response = versionResponse("201 Created", m)
	default:
		e.Request = &fm.BundleEntryRequest{Method: fm.HTTPVerbPUT, Url: "Observation/" + m.ID}
		e.Response = versionResponse("200 OK", m)
	}
	e.Resource = mustMarshal(Observation(m))
	return e
}

// mustMarshal encodes a resource built by this package. Measurements hold
// finite numbers and valid strings, so an error is a bug, not bad input.
func mustMarshal(v any) json.RawMessage {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("fhir: cannot encode %T: %v", v, err))
	}
	return raw
}
