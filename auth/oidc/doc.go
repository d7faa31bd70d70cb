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
// auth.Principal afterwards. Its middleware stores nothing for an anonymous
// visitor, saves the writes that matter (login start, sign-in, sign-out)
// before the handler answers, and never lets a deferred save change an
// answer: such a failure is only logged. The cookie ends with the browser
// session and is __Host- prefixed under https.
//
// PublicKeySet and JWKSHandler publish the relying parties' own public keys
// (request-object signing, ID-token decryption) for the brokers.
//
// When the ID token lacks the identity claims, Complete reads them from the
// provider's userinfo endpoint (plain JSON, a signed JWT, or a signed JWT
// inside a JWE), refusing an answer about another subject.
//
// Only the session middleware logs, and never a token, hetu or name; no
// error message carries a hetu or a name.
package oidc
