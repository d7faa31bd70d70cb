// Package portal is omahoito's HTTP face: the gin router with the citizen and
// professional pages (fi, sv, en), login and logout through the OpenID
// Connect relying parties, the FHIR R4 API, and the middleware every request
// passes (security headers, cross-origin protection, sessions, request ids,
// logs without personal data, metrics). It never touches storage directly:
// cmd/omahoito passes the services in.
package portal
