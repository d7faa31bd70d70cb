package oidc

import "errors"

// Sentinel errors. Every error returned by this package wraps exactly one of
// them; match with errors.Is.
var (
	// ErrConfig: the ProviderConfig is incomplete or inconsistent.
	ErrConfig = errors.New("oidc: invalid provider configuration")
	// ErrState: the callback's state is missing or is not the one this
	// browser's flow started with (or the callback names another issuer).
	ErrState = errors.New("oidc: state mismatch")
	// ErrFlowExpired: the login flow is unknown or older than FlowLifetime.
	ErrFlowExpired = errors.New("oidc: login flow expired")
	// ErrProvider: the provider refused the login (an `error` callback
	// parameter, e.g. the user cancelled).
	ErrProvider = errors.New("oidc: provider error")
	// ErrUnavailable: the provider could not be discovered (a failure is
	// remembered for ProviderRetry, then retried) or its signing keys could
	// not be fetched. Not the user's fault: "try again later", never "the
	// token is bad".
	ErrUnavailable = errors.New("oidc: identity provider unavailable")
	// ErrExchange: the authorization code could not be exchanged for tokens.
	ErrExchange = errors.New("oidc: code exchange failed")
	// ErrToken: the ID token is missing, cannot be decrypted, or fails
	// verification (signature, algorithm, issuer, audience, expiry, nonce).
	ErrToken = errors.New("oidc: invalid ID token")
	// ErrBearer: a bearer access token presented to the API is malformed or
	// fails verification (signature, algorithm, issuer, expiry, audience,
	// client), or is an ID token. The message never quotes the token.
	ErrBearer = errors.New("oidc: invalid bearer access token")
	// ErrSession: the session store failed to load, save or delete a
	// session. Not the user's fault; nothing of the failed write is stored.
	ErrSession = errors.New("oidc: session store failed")
)
