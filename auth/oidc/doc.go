// Package oidc is omahoito's OpenID Connect relying party and its browser
// sessions.
//
// A RelyingParty runs the authorization code flow with PKCE against one
// provider: the embedded development provider or a Finnish Trust Network
// bank-ID broker. For the latter it can send a signed request object (RS256),
// authenticate to the token endpoint with private_key_jwt and decrypt ID
// tokens that arrive signed-then-encrypted (JWE). Discovery is lazy, so a
// RelyingParty can be built before its provider is reachable; concurrent
// callers share one discovery request, and a failed discovery is not tried
// again for ProviderRetry (callers meanwhile fail at once with ErrUnavailable).
//
// A BearerVerifier checks the JWT access tokens that apps and devices
// present to the FHIR API (RS256, issuer, expiry, audience and client, and
// that the token says it is an access token: typ at+jwt or a client_id
// claim, no ID-token-only claim), with the same lazy discovery. An issuer
// whose metadata or keys cannot be fetched is ErrUnavailable, never ErrBearer:
// the token may be good.
//
// Sessions wraps an scs session manager: it keeps the in-progress Flow between
// the redirect to the provider and the callback, and the signed-in
// auth.Principal afterwards. Nothing here logs; no error message carries a
// hetu or a name.
package oidc
