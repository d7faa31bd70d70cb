// Package portal is the HTTP shell of omahoito: it builds the one handler
// every request passes (request ids, security headers, metrics, the session
// and the principal it holds, the page language, cross-origin protection)
// and holds the one table from error kinds to HTTP status. The pages
// (portal/web) and the FHIR API (portal/fhirapi) are mounted into it by
// cmd/omahoito; each renders errors through its own adapter over the table
// here. It never touches storage: services are passed in.
package portal
