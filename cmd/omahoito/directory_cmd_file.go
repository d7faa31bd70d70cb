package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/fhir"
)

// maxDirectoryFile is the largest directory file read: a region's tens of
// thousands of professionals take a few megabytes.
const maxDirectoryFile = 256 << 20

// directoryFile is omahoito's own directory format (docs/operations.md,
// "Directory"). A professional's region is their care unit's.
type directoryFile struct {
	Regions []struct {
		ID            string `json:"id"`
		Name          string `json:"name"`
		RegistrarOID  string `json:"registrar_oid"`
		RegistrarName string `json:"registrar_name"`
	} `json:"regions"`
	CareUnits []struct {
		ID     string `json:"id"`
		Region string `json:"region"`
		OID    string `json:"oid"`
		Name   string `json:"name"`
	} `json:"care_units"`
	Professionals []struct {
		ID         string `json:"id"`
		Username   string `json:"username"`
		Terhikki   string `json:"terhikki"`
		GivenName  string `json:"given_name"`
		FamilyName string `json:"family_name"`
		Title      string `json:"title"`
		Role       string `json:"role"`
		CareUnit   string `json:"care_unit"`
	} `json:"professionals"`
}

// readDirectoryFile reads a directory file of either format: a FHIR R4
// Bundle (it has a resourceType) or our own JSON. It says which it was.
func readDirectoryFile(r io.Reader) (auth.Directory, string, error) {
	raw, err := io.ReadAll(io.LimitReader(r, maxDirectoryFile+1))
	if err != nil {
		return auth.Directory{}, "", err
	}
	if len(raw) > maxDirectoryFile {
		return auth.Directory{}, "", fmt.Errorf("%w: the file is larger than %d MiB", auth.ErrInvalidDirectory, maxDirectoryFile>>20)
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(raw, &probe); err != nil {
		return auth.Directory{}, "", auth.DirectoryJSONError(raw, err)
	}
	if _, ok := probe["resourceType"]; ok {
		d, err := fhir.ParseDirectoryBundle(raw)
		return d, "FHIR Bundle", err
	}
	d, err := parseDirectoryJSON(raw)
	return d, "JSON", err
}

// parseDirectoryJSON reads our own format; a field it does not know is
// refused, so a misspelt one is not silently empty.
func parseDirectoryJSON(raw []byte) (auth.Directory, error) {
	var f directoryFile
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return auth.Directory{}, auth.DirectoryJSONError(raw, err)
	}
	var d auth.Directory
	for _, r := range f.Regions {
		d.Regions = append(d.Regions, auth.Region{ID: r.ID, Name: r.Name, RegistrarOID: r.RegistrarOID, RegistrarName: r.RegistrarName})
	}
	for _, u := range f.CareUnits {
		d.CareUnits = append(d.CareUnits, auth.CareUnit{ID: u.ID, RegionID: u.Region, OID: u.OID, Name: u.Name})
	}
	for _, p := range f.Professionals {
		d.Professionals = append(d.Professionals, auth.Professional{ID: p.ID, Username: p.Username, Terhikki: p.Terhikki,
			GivenName: p.GivenName, FamilyName: p.FamilyName, Title: p.Title, Role: auth.Role(p.Role), CareUnitID: p.CareUnit})
	}
	return d, nil
}
