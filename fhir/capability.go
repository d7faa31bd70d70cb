package fhir

import (
	"time"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"
)

// Capability describes what the API at base serves. It grows with each
// resource the service learns; the tests compare it with the routes.
func Capability(base, version string, published time.Time) fm.CapabilityStatement {
	return fm.CapabilityStatement{
		Status:    fm.PublicationStatusActive,
		Date:      published.UTC().Format(time.RFC3339),
		Publisher: ptr("omahoito"),
		Kind:      fm.CapabilityStatementKindInstance,
		Software:  &fm.CapabilityStatementSoftware{Name: "omahoito", Version: ptr(version)},
		Implementation: &fm.CapabilityStatementImplementation{
			Description: "omahoito personal health data", Url: ptr(base),
		},
		FhirVersion: fm.FHIRVersion4_0_1,
		Format:      []string{"application/fhir+json"},
		Rest: []fm.CapabilityStatementRest{{
			Mode: fm.RestfulCapabilityModeServer,
			Security: &fm.CapabilityStatementRestSecurity{
				Description: ptr("Portal session cookie; every read of a person's data is checked against the person's consents."),
			},
			Resource: []fm.CapabilityStatementRestResource{
				resource(fm.ResourceTypePatient, token("identifier")),
				resource(fm.ResourceTypePractitioner, token("identifier"), str("name")),
				resource(fm.ResourceTypeOrganization, token("identifier"), str("name")),
				observation(),
			},
			Interaction: []fm.CapabilityStatementRestInteraction{{Code: fm.SystemRestfulInteractionTransaction}},
		}},
	}
}

func resource(t fm.ResourceType, params ...fm.CapabilityStatementRestResourceSearchParam) fm.CapabilityStatementRestResource {
	return fm.CapabilityStatementRestResource{
		Type: t,
		Interaction: []fm.CapabilityStatementRestResourceInteraction{
			{Code: fm.TypeRestfulInteractionRead},
			{Code: fm.TypeRestfulInteractionSearchType},
		},
		SearchParam: params,
	}
}

func token(name string) fm.CapabilityStatementRestResourceSearchParam {
	return fm.CapabilityStatementRestResourceSearchParam{Name: name, Type: fm.SearchParamTypeToken}
}

func str(name string) fm.CapabilityStatementRestResourceSearchParam {
	return fm.CapabilityStatementRestResourceSearchParam{Name: name, Type: fm.SearchParamTypeString}
}

func observation() fm.CapabilityStatementRestResource {
	versioned := fm.ResourceVersionPolicyVersionedUpdate
	r := resource(fm.ResourceTypeObservation,
		fm.CapabilityStatementRestResourceSearchParam{Name: "patient", Type: fm.SearchParamTypeReference},
		token("code"),
		fm.CapabilityStatementRestResourceSearchParam{Name: "date", Type: fm.SearchParamTypeDate},
	)
	r.Versioning = &versioned
	r.ReadHistory = ptr(true)
	r.Interaction = append(r.Interaction,
		fm.CapabilityStatementRestResourceInteraction{Code: fm.TypeRestfulInteractionCreate},
		fm.CapabilityStatementRestResourceInteraction{Code: fm.TypeRestfulInteractionVread},
		fm.CapabilityStatementRestResourceInteraction{Code: fm.TypeRestfulInteractionUpdate},
		fm.CapabilityStatementRestResourceInteraction{Code: fm.TypeRestfulInteractionDelete},
		fm.CapabilityStatementRestResourceInteraction{Code: fm.TypeRestfulInteractionHistoryInstance},
	)
	return r
}
