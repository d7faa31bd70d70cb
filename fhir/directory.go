package fhir

import (
	"encoding/json"
	"fmt"
	"strings"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/omahoito/omahoito/auth"
)

// Identifier and code systems of a directory Bundle beside the national
// ones (Terhikki, SOTE organisation OIDs): a professional's login name at
// the organisations' identity provider, and what a PractitionerRole lets
// them do in omahoito.
const (
	usernameSystem = "urn:omahoito:username"
	roleSystem     = "urn:omahoito:role"
	oidSystem      = "urn:ietf:rfc:3986" // value urn:oid:…, as the API publishes organisations
	oidPrefix      = "urn:oid:"
	regionIDPrefix = "region-" // the API's id of a region's registrar (fhir.RegistrarID)
)

// bundleEntry is one resource of a directory Bundle, with where it is.
type bundleEntry struct {
	index int
	typ   string
	id    string
	raw   json.RawMessage
}

func (e bundleEntry) where() string {
	if e.id == "" {
		return fmt.Sprintf("Bundle.entry[%d] (%s)", e.index, e.typ)
	}
	return fmt.Sprintf("Bundle.entry[%d] (%s/%s)", e.index, e.typ, e.id)
}

func (e bundleEntry) refuse(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s: %s", auth.ErrInvalidDirectory, e.where(), field, fmt.Sprintf(format, args...))
}

// directoryBundle maps a Bundle's entries to the directory as it reads
// them: Organizations without partOf are regions, those part of a region
// are its care units, each active Practitioner is a professional at the
// care unit of their one active PractitionerRole.
type directoryBundle struct {
	entries []bundleEntry
	byRef   map[string]int // "Type/id" and fullUrl -> index in entries
	d       auth.Directory
	orgs    map[int]bool   // entries read as regions (true) or care units (false)
	pros    map[int]int    // Practitioner entry -> index in d.Professionals
	roles   map[int]string // Practitioner entry -> the PractitionerRole that gave them a unit
}

// ParseDirectoryBundle reads a FHIR R4 Bundle of type collection, batch or
// transaction; any other resource type in it is refused.
func ParseDirectoryBundle(raw []byte) (auth.Directory, error) {
	var head struct {
		ResourceType string  `json:"resourceType"`
		Type         *string `json:"type"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return auth.Directory{}, auth.DirectoryJSONError(raw, err)
	}
	if head.ResourceType != "Bundle" {
		return auth.Directory{}, fmt.Errorf("%w: resourceType is %q; a directory file is a Bundle or omahoito's own JSON", auth.ErrInvalidDirectory, head.ResourceType)
	}
	if head.Type == nil || (*head.Type != "collection" && *head.Type != "batch" && *head.Type != "transaction") {
		got := "missing"
		if head.Type != nil {
			got = fmt.Sprintf("%q", *head.Type)
		}
		return auth.Directory{}, fmt.Errorf("%w: Bundle.type is %s; want collection, batch or transaction", auth.ErrInvalidDirectory, got)
	}
	var b fm.Bundle
	if err := json.Unmarshal(raw, &b); err != nil {
		return auth.Directory{}, auth.DirectoryJSONError(raw, err)
	}
	db := &directoryBundle{byRef: map[string]int{}, orgs: map[int]bool{}, pros: map[int]int{}, roles: map[int]string{}}
	if err := db.index(b); err != nil {
		return auth.Directory{}, err
	}
	for _, step := range []func() error{db.regions, db.careUnits, db.practitioners, db.practitionerRoles} {
		if err := step(); err != nil {
			return auth.Directory{}, err
		}
	}
	for i, e := range db.entries {
		if k, ok := db.pros[i]; ok && db.roles[i] == "" {
			return auth.Directory{}, e.refuse("Practitioner", "no active PractitionerRole gives %s a care unit", db.d.Professionals[k].ID)
		}
	}
	return db.d, nil
}

// index lists the entries and what references name them.
func (db *directoryBundle) index(b fm.Bundle) error {
	for i, entry := range b.Entry {
		var h struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
		}
		e := bundleEntry{index: i, typ: "entry", raw: entry.Resource}
		if len(entry.Resource) == 0 {
			return e.refuse("resource", "missing; every entry of a directory Bundle holds a resource")
		}
		if err := json.Unmarshal(entry.Resource, &h); err != nil {
			return e.refuse("resource", "not a resource: %v", err)
		}
		e.typ, e.id = h.ResourceType, h.ID
		switch e.typ {
		case "Organization", "Practitioner", "PractitionerRole":
		default:
			return e.refuse("resourceType", "%q is not one of Organization, Practitioner, PractitionerRole", e.typ)
		}
		if e.id == "" && e.typ != "PractitionerRole" {
			return e.refuse(e.typ+".id", "missing: it is the %s's id in omahoito", map[string]string{"Organization": "region's or care unit", "Practitioner": "professional"}[e.typ])
		}
		var refs []string
		if e.id != "" {
			refs = append(refs, e.typ+"/"+e.id)
		}
		if full := deref(entry.FullUrl); full != "" {
			refs = append(refs, full)
		}
		for _, ref := range refs {
			if other, dup := db.byRef[ref]; dup {
				return e.refuse(e.typ+".id", "%s is entry %d's already", ref, db.entries[other].index)
			}
			db.byRef[ref] = len(db.entries)
		}
		db.entries = append(db.entries, e)
	}
	return nil
}

// resolve finds the entry a reference names, of type typ.
func (db *directoryBundle) resolve(e bundleEntry, field string, ref *fm.Reference, typ string) (int, error) {
	if ref == nil || deref(ref.Reference) == "" {
		return 0, e.refuse(field, "missing")
	}
	r := deref(ref.Reference)
	i, ok := db.byRef[r]
	if !ok || db.entries[i].typ != typ {
		return 0, e.refuse(field, "%q is no %s of the Bundle", r, typ)
	}
	return i, nil
}

func (db *directoryBundle) regions() error {
	for i, e := range db.entries {
		if e.typ != "Organization" {
			continue
		}
		var o fm.Organization
		if err := json.Unmarshal(e.raw, &o); err != nil {
			return e.refuse("Organization", "%v", err)
		}
		if o.PartOf != nil {
			continue
		}
		oid, err := organizationOID(e, o)
		if err != nil {
			return err
		}
		name := deref(o.Name)
		region := auth.Region{ID: strings.TrimPrefix(e.id, regionIDPrefix), Name: name, RegistrarOID: oid, RegistrarName: name}
		if len(o.Alias) > 0 && o.Alias[0] != "" {
			region.Name = o.Alias[0] // the region beside its registrar's legal name
		}
		db.orgs[i] = true
		db.d.Regions = append(db.d.Regions, region)
		db.d.From.Regions = append(db.d.From.Regions, e.where())
	}
	return nil
}

func (db *directoryBundle) careUnits() error {
	for i, e := range db.entries {
		if e.typ != "Organization" || db.orgs[i] {
			continue
		}
		var o fm.Organization
		_ = json.Unmarshal(e.raw, &o) // read once already, by regions
		parent, err := db.resolve(e, "Organization.partOf", o.PartOf, "Organization")
		if err != nil {
			return err
		}
		if !db.orgs[parent] {
			return e.refuse("Organization.partOf", "%s is a care unit; a care unit is part of a region (an Organization without partOf)", deref(o.PartOf.Reference))
		}
		oid, err := organizationOID(e, o)
		if err != nil {
			return err
		}
		db.orgs[i] = false
		db.d.CareUnits = append(db.d.CareUnits, auth.CareUnit{ID: e.id,
			RegionID: strings.TrimPrefix(db.entries[parent].id, regionIDPrefix), OID: oid, Name: deref(o.Name)})
		db.d.From.CareUnits = append(db.d.From.CareUnits, e.where())
	}
	return nil
}

// organizationOID is the SOTE organisation register OID among o's
// identifiers: value urn:oid:… with system urn:ietf:rfc:3986 (or none).
func organizationOID(e bundleEntry, o fm.Organization) (string, error) {
	if o.Active != nil && !*o.Active {
		return "", e.refuse("Organization.active", "false; an organisation cannot be removed from the directory, since people, consents and the access log name it")
	}
	for _, id := range o.Identifier {
		v := deref(id.Value)
		if (id.System == nil || *id.System == oidSystem) && strings.HasPrefix(v, oidPrefix) {
			return strings.TrimPrefix(v, oidPrefix), nil
		}
	}
	return "", e.refuse("Organization.identifier", "no OID: want one with system %s and value %s followed by the SOTE organisation register OID", oidSystem, oidPrefix)
}

func (db *directoryBundle) practitioners() error {
	for i, e := range db.entries {
		if e.typ != "Practitioner" {
			continue
		}
		var p fm.Practitioner
		if err := json.Unmarshal(e.raw, &p); err != nil {
			return e.refuse("Practitioner", "%v", err)
		}
		if p.Active != nil && !*p.Active {
			continue // as if not in the file: deactivated
		}
		pro := auth.Professional{ID: e.id}
		for _, id := range p.Identifier {
			switch deref(id.System) {
			case auth.TerhikkiSystem:
				pro.Terhikki = deref(id.Value)
			case usernameSystem:
				pro.Username = deref(id.Value)
			}
		}
		if pro.Username == "" {
			return e.refuse("Practitioner.identifier", "no username: want one with system %s and the login name at the organisations' identity provider", usernameSystem)
		}
		if len(p.Name) == 0 || deref(p.Name[0].Family) == "" {
			return e.refuse("Practitioner.name[0].family", "missing")
		}
		pro.FamilyName, pro.GivenName = deref(p.Name[0].Family), strings.Join(p.Name[0].Given, " ")
		db.pros[i] = len(db.d.Professionals)
		db.d.Professionals = append(db.d.Professionals, pro)
		db.d.From.Professionals = append(db.d.From.Professionals, e.where())
	}
	return nil
}

func (db *directoryBundle) practitionerRoles() error {
	for _, e := range db.entries {
		if e.typ != "PractitionerRole" {
			continue
		}
		var r fm.PractitionerRole
		if err := json.Unmarshal(e.raw, &r); err != nil {
			return e.refuse("PractitionerRole", "%v", err)
		}
		if r.Active != nil && !*r.Active {
			continue
		}
		who, err := db.resolve(e, "PractitionerRole.practitioner", r.Practitioner, "Practitioner")
		if err != nil {
			return err
		}
		k, active := db.pros[who]
		if !active {
			continue // a role of a Practitioner who is not active
		}
		if other := db.roles[who]; other != "" {
			return e.refuse("PractitionerRole.practitioner", "%s has an active role already (%s); a professional works at one care unit in omahoito", deref(r.Practitioner.Reference), other)
		}
		unit, err := db.resolve(e, "PractitionerRole.organization", r.Organization, "Organization")
		if err != nil {
			return err
		}
		if db.orgs[unit] {
			return e.refuse("PractitionerRole.organization", "%s is a region; a professional works at a care unit", deref(r.Organization.Reference))
		}
		role, title, err := roleAndTitle(e, r.Code)
		if err != nil {
			return err
		}
		pro := &db.d.Professionals[k]
		pro.CareUnitID, pro.Role, pro.Title = db.entries[unit].id, role, title
		db.roles[who] = e.where()
	}
	return nil
}

// roleAndTitle reads PractitionerRole.code: the coding of system
// urn:omahoito:role says what the login may do (professional or operator),
// and the concept's text, else another coding's display, is the title
// shown to citizens (e.g. "sairaanhoitaja").
func roleAndTitle(e bundleEntry, codes []fm.CodeableConcept) (auth.Role, string, error) {
	var role auth.Role
	title := ""
	for _, c := range codes {
		for _, coding := range c.Coding {
			if deref(coding.System) == roleSystem {
				role = auth.Role(deref(coding.Code))
			} else if title == "" {
				title = deref(coding.Display)
			}
		}
		if c.Text != nil && *c.Text != "" {
			title = *c.Text
		}
	}
	if !role.Valid() {
		return "", "", e.refuse("PractitionerRole.code", "want a coding of system %s with code %s or %s", roleSystem, auth.RoleProfessional, auth.RoleOperator)
	}
	return role, title, nil
}
