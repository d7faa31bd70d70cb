package auth

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// ErrInvalidDirectory is returned for a directory file that cannot be
// imported; the message names the item and what is wrong with it.
var ErrInvalidDirectory = errors.New("invalid directory")

// Directory is the directory of the platform as an import file gives it:
// regions, their care units and the people who log in to them. A
// professional's region is their care unit's.
type Directory struct {
	Regions       []Region
	CareUnits     []CareUnit
	Professionals []Professional
	// From names, for error messages, where each item came from in the file
	// (e.g. "entry 4 (Practitioner/p1)"), by the item's kind and index:
	// From.Regions[i] for Regions[i]. A missing name falls back to the
	// item's place in our own JSON format, e.g. "professionals[3]".
	From DirectoryFrom
}

// DirectoryFrom names where each item of a Directory came from.
type DirectoryFrom struct {
	Regions, CareUnits, Professionals []string
}

func (f DirectoryFrom) name(names []string, kind string, i int) string {
	if i < len(names) && names[i] != "" {
		return names[i]
	}
	return fmt.Sprintf("%s[%d]", kind, i)
}

// DirectoryImporter is the store a directory import writes to.
type DirectoryImporter interface {
	// ImportDirectory brings the stored directory to d as PlanDirectory
	// says, in one transaction: on any error nothing changes. An invalid d
	// is refused with an error wrapping ErrInvalidDirectory; one that the
	// database refuses (a username, Terhikki number or OID that another
	// stored item has) with one wrapping ErrConflict.
	ImportDirectory(ctx context.Context, d Directory) (DirectoryReport, error)
}

// DirectoryState is the directory as a store holds it: every region, care
// unit and professional, and which professionals an import deactivated.
type DirectoryState struct {
	Regions       []Region
	CareUnits     []CareUnit
	Professionals []Professional
	Inactive      map[string]bool // by Professional.ID
}

// Counts are what an import did to one kind of item.
type Counts struct {
	Added, Updated, Unchanged int
	// Deactivated counts professionals of a region the file names who are
	// missing from it. Kept counts regions and care units missing from the
	// file: they are never removed, since people, consents and the access
	// log name them.
	Deactivated, Kept int
}

// DirectoryReport says what an import did, kind by kind.
type DirectoryReport struct {
	Regions, CareUnits, Professionals Counts
}

// Changed reports whether the import wrote anything.
func (r DirectoryReport) Changed() bool {
	for _, c := range []Counts{r.Regions, r.CareUnits, r.Professionals} {
		if c.Added+c.Updated+c.Deactivated > 0 {
			return true
		}
	}
	return false
}

// DirectoryChanges are the writes that bring a stored directory to a file's:
// puts (inserts or updates by id; a put professional is active) and the
// professionals to deactivate, in an order the foreign keys accept.
type DirectoryChanges struct {
	Regions       []Region
	CareUnits     []CareUnit
	Professionals []Professional
	Deactivate    []string // Professional.ID
	Report        DirectoryReport
}

// PlanDirectory validates d and compares it with the stored directory cur.
// Professionals of a region d names who are missing from d are
// deactivated: they can no longer log in or be found, and their id stays,
// so that a later file can bring them back and nothing else takes it.
// Professionals of regions d does not name are left alone, so each region
// can keep its own file. Nothing is ever deleted.
func PlanDirectory(cur DirectoryState, d Directory) (DirectoryChanges, error) {
	if err := d.Validate(); err != nil {
		return DirectoryChanges{}, err
	}
	var ch DirectoryChanges
	regions := indexBy(cur.Regions, func(r Region) string { return r.ID })
	for _, r := range d.Regions {
		old, ok := regions[r.ID]
		if count(&ch.Report.Regions, ok, old == r) {
			ch.Regions = append(ch.Regions, r)
		}
	}
	ch.Report.Regions.Kept = len(cur.Regions) - len(d.Regions) + ch.Report.Regions.Added
	units := indexBy(cur.CareUnits, func(u CareUnit) string { return u.ID })
	for i, u := range d.CareUnits {
		old, ok := units[u.ID]
		if ok && old.RegionID != u.RegionID {
			return DirectoryChanges{}, fmt.Errorf("%w: %s: care unit %s is of region %s in the directory and cannot move to region %s; give the unit of the new region an id of its own",
				ErrInvalidDirectory, d.From.name(d.From.CareUnits, "care_units", i), u.ID, old.RegionID, u.RegionID)
		}
		if count(&ch.Report.CareUnits, ok, old == u) {
			ch.CareUnits = append(ch.CareUnits, u)
		}
	}
	ch.Report.CareUnits.Kept = len(cur.CareUnits) - len(d.CareUnits) + ch.Report.CareUnits.Added
	pros := indexBy(cur.Professionals, func(p Professional) string { return p.ID })
	inFile := map[string]bool{}
	for _, p := range d.Professionals {
		inFile[p.ID] = true
		old, ok := pros[p.ID]
		if count(&ch.Report.Professionals, ok, old == p && !cur.Inactive[p.ID]) {
			ch.Professionals = append(ch.Professionals, p)
		}
	}
	named := map[string]bool{}
	for _, r := range d.Regions {
		named[r.ID] = true
	}
	for _, p := range cur.Professionals {
		if named[p.RegionID] && !inFile[p.ID] && !cur.Inactive[p.ID] {
			ch.Deactivate = append(ch.Deactivate, p.ID)
		}
	}
	slices.Sort(ch.Deactivate)
	ch.Report.Professionals.Deactivated = len(ch.Deactivate)
	return ch, nil
}

// count adds one item to c: added when it was not stored, unchanged when
// it was stored as it is, else updated. It reports whether to write it.
func count(c *Counts, stored, same bool) bool {
	switch {
	case !stored:
		c.Added++
	case same:
		c.Unchanged++
		return false
	default:
		c.Updated++
	}
	return true
}

func indexBy[T any](items []T, key func(T) string) map[string]T {
	m := make(map[string]T, len(items))
	for _, it := range items {
		m[key(it)] = it
	}
	return m
}

var (
	// regionIDPattern: a region's id names its files and databases
	// (data/regions/<id>.db), so it is a short lower-case slug.
	regionIDPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$`)
	// idPattern is an internal id: it appears in URLs and FHIR ids, so it
	// keeps to FHIR's id characters.
	idPattern       = regexp.MustCompile(`^[A-Za-z0-9.-]{1,64}$`)
	oidPattern      = regexp.MustCompile(`^[0-2](?:\.(?:0|[1-9][0-9]*))+$`)
	terhikkiPattern = regexp.MustCompile(`^[0-9]{1,20}$`)
)

// maxText is the longest name or title a directory keeps, in characters.
const maxText = 200

// Validate checks every item on its own, then that ids, OIDs, usernames and
// Terhikki numbers are unique in the file and every reference names an item
// of the file. It fills each professional's RegionID from their care unit.
func (d *Directory) Validate() error {
	if len(d.Regions) == 0 {
		return fmt.Errorf("%w: the file names no region", ErrInvalidDirectory)
	}
	regions, err := d.validateRegions()
	if err != nil {
		return err
	}
	units, err := d.validateUnits(regions)
	if err != nil {
		return err
	}
	return d.validateProfessionals(units)
}

func (d *Directory) validateRegions() (map[string]bool, error) {
	ids := map[string]bool{}
	for i, r := range d.Regions {
		where := d.From.name(d.From.Regions, "regions", i)
		if !regionIDPattern.MatchString(r.ID) {
			return nil, invalid(where, "id %q is not a region id: lower-case letters, digits and '-', at most 64", r.ID)
		}
		if ids[r.ID] {
			return nil, invalid(where, "region %s is named twice", r.ID)
		}
		ids[r.ID] = true
		if err := checkText(where, "name", r.Name); err != nil {
			return nil, err
		}
		if err := checkText(where, "registrar name", r.RegistrarName); err != nil {
			return nil, err
		}
		if !oidPattern.MatchString(r.RegistrarOID) {
			return nil, invalid(where, "registrar OID %q is not an OID (numbers separated by dots, e.g. 1.2.246.10.1234567.10.0)", r.RegistrarOID)
		}
	}
	return ids, nil
}

func (d *Directory) validateUnits(regions map[string]bool) (map[string]string, error) {
	region := map[string]string{} // care unit id -> region id
	oids := map[string]string{}
	for i, u := range d.CareUnits {
		where := d.From.name(d.From.CareUnits, "care_units", i)
		if !idPattern.MatchString(u.ID) {
			return nil, invalid(where, "id %q is not an id: letters, digits, '.' and '-', at most 64", u.ID)
		}
		if _, dup := region[u.ID]; dup {
			return nil, invalid(where, "care unit %s is named twice", u.ID)
		}
		if !regions[u.RegionID] {
			return nil, invalid(where, "region %q is not a region of the file", u.RegionID)
		}
		region[u.ID] = u.RegionID
		if !oidPattern.MatchString(u.OID) {
			return nil, invalid(where, "OID %q is not an OID (numbers separated by dots)", u.OID)
		}
		if other, dup := oids[u.OID]; dup {
			return nil, invalid(where, "OID %s is care unit %s's already", u.OID, other)
		}
		oids[u.OID] = u.ID
		if err := checkText(where, "name", u.Name); err != nil {
			return nil, err
		}
	}
	return region, nil
}

func (d *Directory) validateProfessionals(units map[string]string) error {
	ids, usernames, terhikki := map[string]bool{}, map[string]string{}, map[string]string{}
	for i := range d.Professionals {
		p := &d.Professionals[i]
		where := d.From.name(d.From.Professionals, "professionals", i)
		if !idPattern.MatchString(p.ID) {
			return invalid(where, "id %q is not an id: letters, digits, '.' and '-', at most 64", p.ID)
		}
		if ids[p.ID] {
			return invalid(where, "professional %s is named twice", p.ID)
		}
		ids[p.ID] = true
		if p.Username == "" || strings.ContainsFunc(p.Username, isSpaceOrControl) || utf8.RuneCountInString(p.Username) > maxText {
			return invalid(where, "username %q is empty or has spaces", p.Username)
		}
		if other, dup := usernames[p.Username]; dup {
			return invalid(where, "username %s is professional %s's already", p.Username, other)
		}
		usernames[p.Username] = p.ID
		if p.Terhikki != "" {
			if !terhikkiPattern.MatchString(p.Terhikki) {
				return invalid(where, "Terhikki registration number %q is not a number", p.Terhikki)
			}
			if other, dup := terhikki[p.Terhikki]; dup {
				return invalid(where, "Terhikki registration number %s is professional %s's already", p.Terhikki, other)
			}
			terhikki[p.Terhikki] = p.ID
		}
		if !p.Role.Valid() {
			return invalid(where, "role %q is neither %q nor %q", p.Role, RoleProfessional, RoleOperator)
		}
		if p.Role == RoleProfessional && p.Terhikki == "" {
			return invalid(where, "a professional who sees patients needs a Terhikki registration number")
		}
		if err := checkText(where, "family name", p.FamilyName); err != nil {
			return err
		}
		if utf8.RuneCountInString(p.GivenName) > maxText || utf8.RuneCountInString(p.Title) > maxText {
			return invalid(where, "a given name or title is longer than %d characters", maxText)
		}
		region, ok := units[p.CareUnitID]
		if !ok {
			return invalid(where, "care unit %q is not a care unit of the file", p.CareUnitID)
		}
		if p.RegionID != "" && p.RegionID != region {
			return invalid(where, "region %q is not the region of care unit %s (%s)", p.RegionID, p.CareUnitID, region)
		}
		p.RegionID = region
	}
	return nil
}

func checkText(where, field, s string) error {
	if strings.TrimSpace(s) == "" {
		return invalid(where, "%s is empty", field)
	}
	if utf8.RuneCountInString(s) > maxText {
		return invalid(where, "%s is longer than %d characters", field, maxText)
	}
	return nil
}

func isSpaceOrControl(r rune) bool { return r <= ' ' || r == 0x7f || r == 0xa0 }

func invalid(where, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidDirectory, where, fmt.Sprintf(format, args...))
}
