package fhir

import (
	"time"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/omahoito/omahoito/auth"
)

// ContentType is the media type of every API response.
const ContentType = "application/fhir+json"

// OrganizationOIDSystem prefixes SOTE organisation register OIDs as FHIR
// identifier values (system urn:ietf:rfc:3986, value urn:oid:...).
const OrganizationOIDSystem = "urn:ietf:rfc:3986"

// RegistrarID is the Organization id under which a region's registrar is
// published; care units keep their own internal ids.
func RegistrarID(regionID string) string { return "region-" + regionID }

// Patient maps a person. The hetu is included because the only callers that
// see a Patient are the person themself and professionals under consent;
// exports to third parties must not use this mapping.
func Patient(p auth.Person, home auth.Region) fm.Patient {
	birth := p.BirthDate.Format(time.DateOnly)
	official := fm.IdentifierUseOfficial
	return fm.Patient{
		Id: ptr(p.ID),
		Identifier: []fm.Identifier{{
			Use: &official, System: ptr(auth.HetuSystem), Value: ptr(p.Hetu.Value()),
		}},
		Active:               ptr(true),
		Name:                 humanName(p.GivenName, p.FamilyName),
		BirthDate:            &birth,
		ManagingOrganization: registrarReference(home),
	}
}

// Practitioner maps a professional of the directory.
func Practitioner(p auth.Professional) fm.Practitioner {
	out := fm.Practitioner{
		Id:     ptr(p.ID),
		Active: ptr(true),
		Name:   humanName(p.GivenName, p.FamilyName),
	}
	if p.Terhikki != "" {
		out.Identifier = []fm.Identifier{{System: ptr(auth.TerhikkiSystem), Value: ptr(p.Terhikki)}}
	}
	return out
}

// CareUnit maps a care unit, part of its region's registrar.
func CareUnit(u auth.CareUnit, r auth.Region) fm.Organization {
	return fm.Organization{
		Id:         ptr(u.ID),
		Active:     ptr(true),
		Identifier: []fm.Identifier{oidIdentifier(u.OID)},
		Name:       ptr(u.Name),
		PartOf:     registrarReference(r),
	}
}

// Registrar maps a region's registrar (the data controller).
func Registrar(r auth.Region) fm.Organization {
	return fm.Organization{
		Id:         ptr(RegistrarID(r.ID)),
		Active:     ptr(true),
		Identifier: []fm.Identifier{oidIdentifier(r.RegistrarOID)},
		Name:       ptr(r.RegistrarName),
	}
}

func registrarReference(r auth.Region) *fm.Reference {
	return &fm.Reference{Reference: ptr("Organization/" + RegistrarID(r.ID)), Display: ptr(r.RegistrarName)}
}

func oidIdentifier(oid string) fm.Identifier {
	return fm.Identifier{System: ptr(OrganizationOIDSystem), Value: ptr("urn:oid:" + oid)}
}

func humanName(given, family string) []fm.HumanName {
	n := fm.HumanName{Family: ptrOrNil(family)}
	if given != "" {
		n.Given = []string{given}
	}
	if given != "" || family != "" {
		n.Text = ptr(joinNonEmpty(given, family))
	}
	return []fm.HumanName{n}
}

func joinNonEmpty(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " " + b
}

func ptr[T any](v T) *T { return &v }

func ptrOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
