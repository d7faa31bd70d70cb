package auth

import "context"

// Demo is the directory seeded when omahoito runs on its embedded defaults:
// two regions, their care units, professionals and one operator each. The
// OIDs are under the SOTE organisation register arc but fictitious.
type Demo struct {
	Regions       []Region
	CareUnits     []CareUnit
	Professionals []Professional
}

// DemoDirectory returns the demo regions kainuu and oulu. Ids are fixed so
// that seeding is idempotent and tests can name them.
func DemoDirectory() Demo {
	return Demo{
		Regions: []Region{
			{ID: "kainuu", Name: "Kainuun hyvinvointialue", RegistrarOID: "1.2.246.10.99990001.10.0", RegistrarName: "Kainuun hyvinvointialue"},
			{ID: "oulu", Name: "Pohjois-Pohjanmaan hyvinvointialue", RegistrarOID: "1.2.246.10.99990002.10.0", RegistrarName: "Pohjois-Pohjanmaan hyvinvointialue"},
		},
		CareUnits: []CareUnit{
			{ID: "unit-kainuu-kajaani", RegionID: "kainuu", OID: "1.2.246.10.99990001.10.1", Name: "Kajaanin terveysasema"},
			{ID: "unit-kainuu-sotkamo", RegionID: "kainuu", OID: "1.2.246.10.99990001.10.2", Name: "Sotkamon terveysasema"},
			{ID: "unit-oulu-keskusta", RegionID: "oulu", OID: "1.2.246.10.99990002.10.1", Name: "Oulun keskustan terveysasema"},
			{ID: "unit-oulu-kontinkangas", RegionID: "oulu", OID: "1.2.246.10.99990002.10.2", Name: "Kontinkankaan hyvinvointikeskus"},
		},
		Professionals: []Professional{
			{ID: "pro-kainuu-nurse", Username: "kainuu-nurse", Terhikki: "10000000001", GivenName: "Aino", FamilyName: "Heikkinen", Title: "sairaanhoitaja", Role: RoleProfessional, CareUnitID: "unit-kainuu-kajaani", RegionID: "kainuu"},
			{ID: "pro-kainuu-doctor", Username: "kainuu-doctor", Terhikki: "10000000002", GivenName: "Mikko", FamilyName: "Korhonen", Title: "lääkäri", Role: RoleProfessional, CareUnitID: "unit-kainuu-kajaani", RegionID: "kainuu"},
			{ID: "pro-oulu-nurse", Username: "oulu-nurse", Terhikki: "10000000003", GivenName: "Helmi", FamilyName: "Väisänen", Title: "sairaanhoitaja", Role: RoleProfessional, CareUnitID: "unit-oulu-keskusta", RegionID: "oulu"},
			{ID: "pro-oulu-doctor", Username: "oulu-doctor", Terhikki: "10000000004", GivenName: "Juhani", FamilyName: "Mäkelä", Title: "lääkäri", Role: RoleProfessional, CareUnitID: "unit-oulu-keskusta", RegionID: "oulu"},
			{ID: "op-kainuu", Username: "kainuu-operator", GivenName: "Sari", FamilyName: "Pelkonen", Title: "rekisterinpitäjän operaattori", Role: RoleOperator, CareUnitID: "unit-kainuu-kajaani", RegionID: "kainuu"},
			{ID: "op-oulu", Username: "oulu-operator", GivenName: "Pekka", FamilyName: "Niemi", Title: "rekisterinpitäjän operaattori", Role: RoleOperator, CareUnitID: "unit-oulu-keskusta", RegionID: "oulu"},
		},
	}
}

// directoryWriter is the part of Store that seeding needs.
type directoryWriter interface {
	PutRegion(ctx context.Context, r Region) error
	PutCareUnit(ctx context.Context, u CareUnit) error
	PutProfessional(ctx context.Context, p Professional) error
}

// SeedDirectory writes d into the store; running it again changes nothing.
func SeedDirectory(ctx context.Context, s directoryWriter, d Demo) error {
	for _, r := range d.Regions {
		if err := s.PutRegion(ctx, r); err != nil {
			return err
		}
	}
	for _, u := range d.CareUnits {
		if err := s.PutCareUnit(ctx, u); err != nil {
			return err
		}
	}
	for _, p := range d.Professionals {
		if err := s.PutProfessional(ctx, p); err != nil {
			return err
		}
	}
	return nil
}
