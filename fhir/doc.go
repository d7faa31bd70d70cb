// Package fhir maps omahoito's domain types to FHIR R4 resources (the samply
// models) and builds the Bundles, OperationOutcomes and CapabilityStatement
// the API returns. It does no I/O and knows nothing of HTTP routing.
package fhir
